/** Pull rate limit settings (Docker Hub: 100 anonymous and 200 authenticated pulls per 6 hours). @public */
export interface RateLimitOptions {
  readonly anonymousLimit?: number;
  readonly authenticatedLimit?: number;
  readonly windowSeconds?: number;
}

/** The outcome of one manifest request against the limiter. @internal */
export interface RateLimitDecision {
  readonly headers: Record<string, string>;
  /** Seconds until the window resets, when the limit is spent. */
  readonly retryAfter?: number;
}

/**
 * Fixed-window pull counting per source (an account id, or the client address when anonymous).
 * Only manifest GETs count; HEADs see the headers without spending a pull.
 * @internal
 */
export class PullRateLimiter {
  private readonly windows = new Map<string, { start: number; used: number }>();

  constructor(
    private readonly options: RateLimitOptions,
    private readonly now: () => number,
  ) {}

  /**
   * Counts (or only reports) one manifest request.
   * @param source - account id or client address
   * @param authenticated - which limit applies
   * @param count - false for HEAD
   * @returns headers to add, and `retryAfter` when the request must be refused
   */
  take(source: string, authenticated: boolean, count: boolean): RateLimitDecision {
    const limit = authenticated
      ? (this.options.authenticatedLimit ?? 200)
      : (this.options.anonymousLimit ?? 100);
    const windowMs = (this.options.windowSeconds ?? 21_600) * 1000;
    const now = this.now();
    let w = this.windows.get(source);
    if (w === undefined || now >= w.start + windowMs) {
      w = { start: now, used: 0 };
      this.windows.set(source, w);
    }
    const spent = w.used >= limit;
    if (count && !spent) w.used += 1;
    const w2 = `w=${windowMs / 1000}`;
    const headers = {
      'ratelimit-limit': `${limit};${w2}`,
      'ratelimit-remaining': `${Math.max(0, limit - w.used)};${w2}`,
      'docker-ratelimit-source': source,
    };
    if (count && spent) {
      return { headers, retryAfter: Math.max(1, Math.ceil((w.start + windowMs - now) / 1000)) };
    }
    return { headers };
  }
}
