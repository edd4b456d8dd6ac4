import { createHash, createHmac } from 'node:crypto';
import {
  asText,
  redactBodyText,
  redactHeaders,
  redactSearchParams,
  type RedactOptions,
} from './redact.js';

/** Which parts of a request identify it on replay (in the spirit of Polly's `matchRequestsBy`). @public */
export interface MatchOptions {
  /** Request headers compared and recorded (default `accept`, `content-type`, `range`; credentials are never recorded). */
  readonly headers?: readonly string[];
  /** Query parameters ignored (dropped before comparing and recording; default `_state`), e.g. `account`. */
  readonly ignoreQuery?: readonly string[];
  /** Whether the request body (salted hash and size) must match (default true). */
  readonly body?: boolean;
}

/** The facts a request is matched by, all already redacted and normalised. @internal */
export interface RequestFacts {
  readonly method: string;
  /** Path and sorted, redacted query; no origin. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly bodyHash: string;
  readonly bodySize: number;
}

const DEFAULT_HEADERS = ['accept', 'content-type', 'range'];

/**
 * The headers kept for matching and recording, redacted.
 * @param headers - all request headers
 * @param match - match options
 * @param redact - redaction options
 * @returns the allow-listed headers, lower-case names
 * @internal
 */
export function matchedHeaders(
  headers: Headers,
  match: MatchOptions,
  redact: RedactOptions = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of match.headers ?? DEFAULT_HEADERS) {
    const v = headers.get(name);
    if (v !== null) out[name.toLowerCase()] = v;
  }
  return redactHeaders(out, redact);
}

/**
 * A normalised, redacted URL: origin dropped (a cassette replays on any address), ignored
 * parameters dropped, secret parameter values replaced, query sorted.
 * @param url - absolute URL (or a path, resolved against a placeholder origin)
 * @param match - match options
 * @param redact - redaction options
 * @returns path and sorted query
 * @internal
 */
export function normalizeUrl(url: string, match: MatchOptions, redact: RedactOptions = {}): string {
  const u = new URL(url, 'http://cassette.invalid');
  const ignored = new Set((match.ignoreQuery ?? ['_state']).map((n) => n.toLowerCase()));
  for (const name of new Set(u.searchParams.keys()))
    if (ignored.has(name.toLowerCase())) u.searchParams.delete(name);
  redactSearchParams(u.searchParams, redact);
  u.searchParams.sort();
  const q = u.searchParams.toString();
  return q === '' ? u.pathname : `${u.pathname}?${q}`;
}

/**
 * Whether a request body is hashed after redaction (JSON, form, text, XML or unlabelled) or as raw
 * bytes while it streams (anything else, e.g. blob uploads).
 * @param contentType - the request's `content-type`
 * @returns true for bodies that are redacted before hashing
 * @internal
 */
export function isTextualBody(contentType: string | null): boolean {
  return contentType === null || /json|x-www-form-urlencoded|^\s*text\/|xml/i.test(contentType);
}

function hasher(salt: string | undefined): { update(b: Uint8Array): void; finish(): string } {
  const h = salt === undefined ? createHash('sha256') : createHmac('sha256', salt);
  const prefix = salt === undefined ? 'sha256' : 'hmac-sha256';
  return { update: (b) => h.update(b), finish: () => `${prefix}:${h.digest('hex')}` };
}

/**
 * Hashes a buffered request body as recorded: a textual body is redacted first (a password in a
 * form or JSON body never reaches the hash), then keyed with the cassette's salt (HMAC-SHA256).
 * @param bytes - the body
 * @param salt - the cassette's salt; `undefined` only for legacy files (plain SHA-256 of the raw body)
 * @param redact - redaction options
 * @param textual - whether the body is redacted before hashing ({@link isTextualBody})
 * @returns the hash (`hmac-sha256:<hex>` or legacy `sha256:<hex>`) and the hashed size
 * @internal
 */
export function hashRequestBody(
  bytes: Buffer,
  salt: string | undefined,
  redact: RedactOptions = {},
  textual = true,
): { bodyHash: string; bodySize: number } {
  const text = salt === undefined || !textual || bytes.length === 0 ? undefined : asText(bytes);
  const hashed = text === undefined ? bytes : Buffer.from(redactBodyText(text, redact), 'utf8');
  const h = hasher(salt);
  h.update(hashed);
  return { bodyHash: h.finish(), bodySize: hashed.length };
}

/**
 * Hashes a raw body as it streams (the same result as {@link hashRequestBody} for a body that is
 * not textual), so large uploads are never held whole.
 * @param body - the body stream
 * @param salt - the cassette's salt (`undefined` for legacy files)
 * @returns the hash and the size
 * @internal
 */
export async function hashBodyStream(
  body: AsyncIterable<Uint8Array>,
  salt: string | undefined,
): Promise<{ bodyHash: string; bodySize: number }> {
  const h = hasher(salt);
  let size = 0;
  for await (const chunk of body) {
    h.update(chunk);
    size += chunk.byteLength;
  }
  return { bodyHash: h.finish(), bodySize: size };
}

/**
 * The key identical requests share (method, URL, compared headers, body).
 * @param facts - the request
 * @param match - match options
 * @returns the key
 * @internal
 */
export function matchKey(facts: RequestFacts, match: MatchOptions): string {
  const wanted = (match.headers ?? DEFAULT_HEADERS).map((h) => h.toLowerCase());
  const headers = Object.entries(facts.headers)
    .filter(([k]) => wanted.includes(k))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const body = match.body === false ? '' : `${facts.bodyHash}:${String(facts.bodySize)}`;
  return JSON.stringify([facts.method, facts.url, body, headers]);
}

/**
 * The recorded request most like an unmatched one: same method first, then the longest common
 * prefix of the normalised URL.
 * @param wanted - the unmatched request
 * @param recorded - recorded requests with their repetition index
 * @returns `METHOD url #order` of the closest, or `undefined` when none
 * @internal
 */
export function closest(
  wanted: RequestFacts,
  recorded: readonly (RequestFacts & { readonly order: number })[],
): string | undefined {
  const score = (r: RequestFacts): number => {
    let i = 0;
    while (i < wanted.url.length && wanted.url[i] === r.url[i]) i++;
    return i + (r.method === wanted.method ? 100_000 : 0);
  };
  let best: (RequestFacts & { readonly order: number }) | undefined;
  for (const r of recorded) if (best === undefined || score(r) > score(best)) best = r;
  return best === undefined ? undefined : `${best.method} ${best.url} #${String(best.order)}`;
}
