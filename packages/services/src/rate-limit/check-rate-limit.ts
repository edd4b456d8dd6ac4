import {
  ACCEPT_MANIFEST_HEADER,
  ImageReference,
  RateLimitError,
  systemClock,
  type Clock,
} from '@llmdevops/docker-hub-core';
import { parseRateLimitHeaders, type RateLimitStatus } from '@llmdevops/docker-hub-transport';
import type { ClientContext } from '../client/context.js';
import type { HubRateLimitTracker } from '../hub/hub-rate-limit.js';
import type { CallOptions } from '../client/ref.js';

/** The repository Docker documents for checking pull limits without spending one. @public */
export const RATE_LIMIT_PROBE_REPOSITORY = 'ratelimitpreview/test';

/** Docker Hub's pull budget as the probe saw it. @public */
export interface PullRateLimit {
  /** False when the registry sent no `ratelimit-*` headers: not limited (paid plan, exempt IP...). */
  readonly limited: boolean;
  /** Pulls allowed per window. */
  readonly limit: number | undefined;
  /** Pulls left (0 when the probe was answered 429). */
  readonly remaining: number | undefined;
  /** Window in seconds (`w=`, 21600 = 6 h). */
  readonly windowSeconds: number | undefined;
  /** `docker-ratelimit-source`: client IP, or the account id when authenticated. */
  readonly source: string | undefined;
  /** When the budget is known to come back, else the worst case (observation time + window). */
  readonly resetAt: Date | undefined;
  /** No pull left. */
  readonly exhausted: boolean;
  readonly observedAt: Date;
}

/** Options of {@link RateLimitService.check}. @public */
export interface CheckRateLimitOptions extends CallOptions {
  /**
   * With no pull left: `report` (default) returns the status; `fail` throws {@link RateLimitError}
   * at once (fail fast); `wait` sleeps until the reset and checks again, but fails fast when the
   * reset is more than `maxWaitMs` away.
   */
  readonly whenExhausted?: 'report' | 'fail' | 'wait';
  /** Longest wait for `wait`, in ms (default 60 000). */
  readonly maxWaitMs?: number;
}

/** Seams of {@link RateLimitService}. @public */
export interface RateLimitServiceOptions {
  /** Time source and sleeper (default the system clock). */
  readonly clock?: Clock;
  /** The Hub API's `X-RateLimit-*` tracker, reported by {@link RateLimitService.hubStatus}. */
  readonly hub?: HubRateLimitTracker;
}

function fromStatus(status: RateLimitStatus | undefined, now: number): PullRateLimit {
  if (status === undefined) {
    return {
      limited: false,
      limit: undefined,
      remaining: undefined,
      windowSeconds: undefined,
      source: undefined,
      resetAt: undefined,
      exhausted: false,
      observedAt: new Date(now),
    };
  }
  const exhausted = status.remaining === 0;
  const resetAt =
    status.resetAt ??
    (exhausted && status.windowSeconds !== undefined
      ? new Date(now + status.windowSeconds * 1000)
      : undefined);
  return {
    limited: true,
    limit: status.limit,
    remaining: status.remaining,
    windowSeconds: status.windowSeconds,
    source: status.source,
    resetAt,
    exhausted,
    observedAt: new Date(now),
  };
}

/**
 * Docker Hub pull rate limits, checked the way Docker documents (registry-api.md 3.3): a token
 * for `ratelimitpreview/test` (the auth middleware fetches it from the challenge) and a `HEAD`
 * of its manifest, which reports `ratelimit-limit`/`-remaining`/`docker-ratelimit-source`
 * without counting as a pull. The Hub API's own `X-RateLimit-*` budget is kept apart.
 * @public
 */
export class RateLimitService {
  readonly #ctx: Pick<ClientContext, 'send'>;
  readonly #clock: Clock;
  readonly #hub: HubRateLimitTracker | undefined;

  /**
   * @param ctx - the client context (registry requests; `registryUrl` applies)
   * @param options - clock, Hub API tracker
   */
  constructor(ctx: Pick<ClientContext, 'send'>, options: RateLimitServiceOptions = {}) {
    this.#ctx = ctx;
    this.#clock = options.clock ?? systemClock;
    this.#hub = options.hub;
  }

  /**
   * Asks Docker Hub for the current pull budget of these credentials (or this IP).
   * @param options - what to do when exhausted, longest wait, signal
   * @returns the budget
   * @throws {@link @llmdevops/docker-hub-core!RateLimitError | RateLimitError} with `resetAt` when exhausted and `whenExhausted` is `fail`, or
   *   `wait` with a reset further away than `maxWaitMs`; registry and network errors
   * @example
   * ```ts
   * const { remaining, limit } = await client.checkRateLimit();
   * ```
   */
  async check(options: CheckRateLimitOptions = {}): Promise<PullRateLimit> {
    const status = await this.#probe(options.signal);
    if (!status.exhausted || (options.whenExhausted ?? 'report') === 'report') return status;
    const waitMs =
      status.resetAt === undefined
        ? Number.POSITIVE_INFINITY
        : status.resetAt.getTime() - this.#clock.now();
    if (options.whenExhausted === 'fail' || waitMs > (options.maxWaitMs ?? 60_000)) {
      throw new RateLimitError('Docker Hub pull rate limit is spent', {
        ...(status.resetAt === undefined ? {} : { resetAt: status.resetAt }),
        ...(status.limit === undefined ? {} : { limit: status.limit }),
        remaining: 0,
      });
    }
    await this.#clock.sleep(Math.max(0, waitMs), options.signal);
    return this.#probe(options.signal);
  }

  /**
   * The Hub API's latest `X-RateLimit-*` budget (separate from pulls).
   * @returns the status, or undefined when none was seen
   */
  hubStatus(): RateLimitStatus | undefined {
    return this.#hub?.status();
  }

  async #probe(signal: AbortSignal | undefined): Promise<PullRateLimit> {
    const ref = ImageReference.parse(`${RATE_LIMIT_PROBE_REPOSITORY}:latest`);
    try {
      const res = await this.#ctx.send({
        method: 'HEAD',
        ref,
        path: 'manifests/latest',
        headers: { accept: ACCEPT_MANIFEST_HEADER },
        signal,
        operation: 'manifests',
      });
      await res.dump();
      const now = this.#clock.now();
      if (res.status === 429)
        return {
          ...fromStatus(parseRateLimitHeaders(res.headers, now).status, now),
          limited: true,
          remaining: 0,
          exhausted: true,
        };
      return fromStatus(parseRateLimitHeaders(res.headers, now).status, now);
    } catch (err) {
      if (!(err instanceof RateLimitError)) throw err;
      const now = this.#clock.now();
      return {
        limited: true,
        limit: err.limit,
        remaining: 0,
        windowSeconds: undefined,
        source: undefined,
        resetAt: err.resetAt,
        exhausted: true,
        observedAt: new Date(now),
      };
    }
  }
}
