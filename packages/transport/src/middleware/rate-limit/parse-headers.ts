/** Response headers as undici gives them (lower-case names). @public */
export type ResponseHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** The latest rate-limit status seen for a host. @public */
export interface RateLimitStatus {
  /** Requests allowed per window; undefined when only `remaining` was sent. */
  readonly limit: number | undefined;
  /** Requests left in the window. */
  readonly remaining: number | undefined;
  /** Window length in seconds (`w=` of `ratelimit-limit`), when sent. */
  readonly windowSeconds: number | undefined;
  /** `docker-ratelimit-source` (client IP or account id), when sent. */
  readonly source: string | undefined;
  /** When the budget resets, from `X-RateLimit-Reset` or `RateLimit-Reset`, when sent. */
  readonly resetAt: Date | undefined;
  /** When this status was observed. */
  readonly observedAt: Date;
}

/** What {@link parseRateLimitHeaders} found: a status (or none: not limited) and any problems. @public */
export interface RateLimitParseResult {
  /** Undefined when the response carries no rate-limit headers, which means "not limited". */
  readonly status: RateLimitStatus | undefined;
  /** Headers that were present but malformed (ignored), as `{ header, problem }`; values are never included. */
  readonly problems: readonly { readonly header: string; readonly problem: string }[];
}

/**
 * One header value as a string (arrays joined with `, `).
 * @param headers - response headers
 * @param name - lower-case name
 * @returns the value or undefined
 * @internal
 */
export function headerValue(headers: ResponseHeaders, name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(', ') : v;
}

const INTEGER = /^\d{1,15}$/;
const MAX_HEADER = 1024;

/**
 * Parses `Retry-After`: delta-seconds or an HTTP date (RFC 9110 section 10.2.3).
 * @param value - the header value
 * @param now - current time in ms since the epoch
 * @returns the wait in ms (0 for dates in the past), or undefined when absent or malformed; never throws
 * @example
 * ```ts
 * parseRetryAfter('120', Date.now()); // 120000
 * ```
 * @public
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (typeof value !== 'string' || value.length > MAX_HEADER) return undefined;
  const v = value.trim();
  if (INTEGER.test(v)) return Number(v) * 1000;
  // HTTP dates always name a weekday or month; this guard keeps Date.parse away from odd input.
  if (!/^[A-Za-z]{3}/.test(v) || !/\d{2}:\d{2}:\d{2}/.test(v)) return undefined;
  const at = Date.parse(v);
  if (!Number.isFinite(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * Parses a unix timestamp in seconds (`X-Retry-After`, `X-RateLimit-Reset`).
 * @param value - the header value
 * @returns the time in ms since the epoch, or undefined when absent or malformed; never throws
 * @public
 */
export function parseUnixTime(value: string | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim();
  return INTEGER.test(v) ? Number(v) * 1000 : undefined;
}

interface Quota {
  readonly count: number;
  readonly window: number | undefined;
}

/**
 * Parses `N`, `N;w=W` and policy lists such as `100, 100;w=21600` (first count, first window).
 * @param value - the header value
 * @returns the quota, or undefined when malformed
 */
function parseQuota(value: string): Quota | undefined {
  if (value.length > MAX_HEADER) return undefined;
  let count: number | undefined;
  let window: number | undefined;
  for (const item of value.split(',')) {
    const [head = '', ...params] = item.split(';').map((s) => s.trim());
    if (!INTEGER.test(head)) return undefined;
    count ??= Number(head);
    for (const p of params) {
      const m = /^w\s*=\s*(\d{1,15})$/i.exec(p);
      if (m?.[1] !== undefined) window ??= Number(m[1]);
    }
  }
  return count === undefined ? undefined : { count, window };
}

/**
 * Reads the registry's `ratelimit-limit` / `ratelimit-remaining` / `docker-ratelimit-source`
 * headers and the Hub API's `X-RateLimit-Limit` / `-Remaining` / `-Reset`. Malformed headers
 * are ignored and listed in `problems`; absent headers give no status ("not limited", never zero).
 * @param headers - response headers with lower-case names
 * @param now - current time in ms since the epoch
 * @returns the status and any problems; never throws
 * @public
 */
export function parseRateLimitHeaders(headers: ResponseHeaders, now: number): RateLimitParseResult {
  const problems: { header: string; problem: string }[] = [];
  const quota = (name: string): Quota | undefined => {
    const raw = headerValue(headers, name);
    if (raw === undefined) return undefined;
    const q = parseQuota(raw);
    if (q === undefined) problems.push({ header: name, problem: 'expected N or N;w=SECONDS' });
    return q;
  };
  const limit = quota('ratelimit-limit') ?? quota('x-ratelimit-limit');
  const remaining = quota('ratelimit-remaining') ?? quota('x-ratelimit-remaining');
  let resetAt: number | undefined;
  const xReset = headerValue(headers, 'x-ratelimit-reset');
  if (xReset !== undefined) {
    resetAt = parseUnixTime(xReset);
    if (resetAt === undefined) problems.push({ header: 'x-ratelimit-reset', problem: 'expected a unix time' });
  }
  const reset = headerValue(headers, 'ratelimit-reset');
  if (resetAt === undefined && reset !== undefined) {
    const delta = parseRetryAfter(reset, now);
    if (delta === undefined) problems.push({ header: 'ratelimit-reset', problem: 'expected delta seconds' });
    else resetAt = now + delta;
  }
  if (limit === undefined && remaining === undefined) return { status: undefined, problems };
  const source = headerValue(headers, 'docker-ratelimit-source')?.trim().slice(0, 128);
  const status: RateLimitStatus = {
    limit: limit?.count,
    remaining: remaining?.count,
    windowSeconds: limit?.window ?? remaining?.window,
    source: source === '' ? undefined : source,
    resetAt: resetAt === undefined ? undefined : new Date(resetAt),
    observedAt: new Date(now),
  };
  return { status, problems };
}

/**
 * How long a 429 or 503 asks the client to wait: `Retry-After` (seconds or date), else
 * `X-Retry-After` (unix time), else `X-RateLimit-Reset` / `RateLimit-Reset`, else the
 * `ratelimit-limit` window (the worst case for a spent budget).
 * @param headers - response headers
 * @param now - current time in ms
 * @returns the wait in ms and where it came from, or undefined when nothing says
 * @public
 */
export function retryDelayFromHeaders(
  headers: ResponseHeaders,
  now: number,
): { readonly delayMs: number; readonly from: string } | undefined {
  const retryAfter = parseRetryAfter(headerValue(headers, 'retry-after'), now);
  if (retryAfter !== undefined) return { delayMs: retryAfter, from: 'retry-after' };
  const xRetry = parseUnixTime(headerValue(headers, 'x-retry-after'));
  if (xRetry !== undefined) return { delayMs: Math.max(0, xRetry - now), from: 'x-retry-after' };
  const { status } = parseRateLimitHeaders(headers, now);
  if (status?.resetAt !== undefined) return { delayMs: Math.max(0, status.resetAt.getTime() - now), from: 'reset' };
  if (status?.windowSeconds !== undefined) return { delayMs: status.windowSeconds * 1000, from: 'window' };
  return undefined;
}
