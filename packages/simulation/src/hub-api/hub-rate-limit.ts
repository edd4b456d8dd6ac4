import { hubError } from './hub-response.js';

/** Settings of the Hub API's own rate limit (not the registry's pull limit). @public */
export interface HubApiRateLimitOptions {
  /** Requests per window and caller (default 600). */
  readonly limit?: number;
  /** Window length in seconds (default 60: Docker documents a per-minute limit). */
  readonly windowSeconds?: number;
}

interface Window {
  start: number;
  used: number;
}

/**
 * The Hub API rate limit as Docker documents it: every answer carries `X-RateLimit-Limit`,
 * `X-RateLimit-Remaining` and `X-RateLimit-Reset` (unix seconds); past the limit the answer is
 * 429 with `Retry-After` (seconds, the current spec) and `X-Retry-After` (unix seconds, the older
 * spec and what clients such as hub-tool read). Fixed windows, one budget per account (or one
 * shared by anonymous callers).
 * @internal
 */
export class HubApiRateLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #windows = new Map<string, Window>();

  /**
   * @param options - limit and window
   * @param now - clock (ms)
   */
  constructor(options: HubApiRateLimitOptions, now: () => number) {
    this.#limit = options.limit ?? 600;
    this.#windowMs = (options.windowSeconds ?? 60) * 1000;
    this.#now = now;
  }

  /**
   * Counts one request of `key`.
   * @param key - the account name, or `''` for anonymous callers
   * @returns the headers to add, and a 429 answer when the budget is spent
   */
  take(key: string): { headers: Record<string, string>; refused?: Response } {
    const now = this.#now();
    let w = this.#windows.get(key);
    if (w === undefined || now >= w.start + this.#windowMs) {
      // Windows start on a whole second, so X-RateLimit-Reset (unix seconds) is exact.
      w = { start: Math.floor(now / 1000) * 1000, used: 0 };
      this.#windows.set(key, w);
    }
    const resetSeconds = Math.ceil((w.start + this.#windowMs) / 1000);
    const over = w.used >= this.#limit;
    if (!over) w.used += 1;
    const headers = {
      'x-ratelimit-limit': String(this.#limit),
      'x-ratelimit-remaining': String(Math.max(0, this.#limit - w.used)),
      'x-ratelimit-reset': String(resetSeconds),
    };
    if (!over) return { headers };
    const refused = hubError(429, 'Too Many Requests');
    for (const [k, v] of Object.entries(headers)) refused.headers.set(k, v);
    refused.headers.set(
      'retry-after',
      String(Math.max(1, Math.ceil((w.start + this.#windowMs - now) / 1000))),
    );
    refused.headers.set('x-retry-after', String(resetSeconds));
    return { headers, refused };
  }
}
