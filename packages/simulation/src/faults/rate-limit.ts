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
 * Rolling-window pull counting per source (an account id, or the client address when anonymous),
 * as Docker Hub counts: a pull counts for `windowSeconds` from the moment it was made, so the
 * budget comes back one pull at a time, never all at once at a window boundary. Only manifest
 * GETs count; HEADs see the headers without spending a pull; a refused GET is not counted.
 * @internal
 */
export class PullRateLimiter {
  /** Times of the counted pulls of each source, oldest first (at most `limit` kept). */
  private readonly pulls = new Map<string, number[]>();

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
    const log = (this.pulls.get(source) ?? []).filter((t) => t > now - windowMs);
    const spent = log.length >= limit;
    if (count && !spent) log.push(now);
    if (log.length === 0) this.pulls.delete(source);
    else this.pulls.set(source, log);
    const w2 = `w=${windowMs / 1000}`;
    const headers = {
      'ratelimit-limit': `${limit};${w2}`,
      'ratelimit-remaining': `${Math.max(0, limit - log.length)};${w2}`,
      'docker-ratelimit-source': source,
    };
    if (count && spent) {
      // The oldest pull in the window leaves it first.
      const oldest = log[0] ?? now;
      return { headers, retryAfter: Math.max(1, Math.ceil((oldest + windowMs - now) / 1000)) };
    }
    return { headers };
  }
}
