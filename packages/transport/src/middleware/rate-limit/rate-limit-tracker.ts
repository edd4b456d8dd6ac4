import type { TransportEventBus } from '../../events/events.js';
import type { Clock } from '@llmdevops/docker-hub-core';
import { hostKey } from '../../internal/host.js';
import type { Middleware } from '../../pipeline/types.js';
import {
  headerValue,
  parseRateLimitHeaders,
  parseRetryAfter,
  parseUnixTime,
  type RateLimitStatus,
  type ResponseHeaders,
} from './parse-headers.js';

/**
 * Problems with the retry hints of a response (the values are never reported).
 * @param headers - response headers
 * @param now - current time in ms
 * @returns `{ header, problem }` per malformed hint
 * @internal
 */
export function retryHintProblems(headers: ResponseHeaders, now: number): { header: string; problem: string }[] {
  const problems: { header: string; problem: string }[] = [];
  const retryAfter = headerValue(headers, 'retry-after');
  if (retryAfter !== undefined && parseRetryAfter(retryAfter, now) === undefined) {
    problems.push({ header: 'retry-after', problem: 'expected delta seconds or an HTTP date' });
  }
  const xRetry = headerValue(headers, 'x-retry-after');
  if (xRetry !== undefined && parseUnixTime(xRetry) === undefined) {
    problems.push({ header: 'x-retry-after', problem: 'expected a unix time' });
  }
  return problems;
}

/** Rate-limit tracking settings. @public */
export interface RateLimitOptions {
  /** `rateLimitLow` is emitted when `remaining` falls below this (default 10). */
  readonly lowThreshold?: number;
}

/**
 * The latest rate-limit status per host and per source, for one transport. Responses without
 * rate-limit headers leave the status alone: absence means "not limited", never zero.
 * @internal
 */
export class RateLimitTracker {
  readonly #byHost = new Map<string, Map<string, RateLimitStatus>>();
  readonly #latest = new Map<string, RateLimitStatus>();
  readonly #lastLow = new Map<string, number>();
  #mostRecentHost: string | undefined;

  /**
   * @param lowThreshold - threshold for `rateLimitLow`
   * @param events - event bus
   */
  constructor(
    private readonly lowThreshold: number,
    private readonly events: TransportEventBus,
  ) {}

  /**
   * Records a status seen on a response from `host`.
   * @param host - `host[:port]`
   * @param status - the parsed status
   */
  record(host: string, status: RateLimitStatus): void {
    let sources = this.#byHost.get(host);
    if (sources === undefined) {
      sources = new Map();
      this.#byHost.set(host, sources);
    }
    sources.set(status.source ?? '', status);
    this.#latest.set(host, status);
    this.#mostRecentHost = host;
    const remaining = status.remaining;
    if (remaining === undefined || remaining >= this.lowThreshold) {
      this.#lastLow.delete(host);
      return;
    }
    if (this.#lastLow.get(host) === remaining) return;
    this.#lastLow.set(host, remaining);
    this.events.emit('rateLimitLow', {
      host,
      limit: status.limit,
      remaining,
      windowSeconds: status.windowSeconds,
      resetAt: status.resetAt,
    });
  }

  /**
   * The latest status of a host, or of the host seen most recently.
   * @param host - `host[:port]`; omitted for the most recent
   * @returns the status, or undefined when none was seen (not limited)
   */
  status(host?: string): RateLimitStatus | undefined {
    const key = host?.toLowerCase() ?? this.#mostRecentHost;
    return key === undefined ? undefined : this.#latest.get(key);
  }

  /**
   * Every source's status for a host (e.g. anonymous IP and an account).
   * @param host - `host[:port]`
   * @returns the statuses
   */
  bySource(host: string): readonly RateLimitStatus[] {
    return [...(this.#byHost.get(host.toLowerCase())?.values() ?? [])];
  }
}

/**
 * Innermost policy stage: reads rate-limit headers on every response (every redirect hop),
 * records them, and reports malformed headers as `malformedHeader` events (values omitted).
 * @param tracker - where statuses are kept
 * @param deps - clock and events
 * @returns the middleware
 * @internal
 */
export function createRateLimitObserver(tracker: RateLimitTracker, deps: { readonly clock: Clock; readonly events: TransportEventBus }): Middleware {
  return {
    name: 'rateLimitObserver',
    async handle(req, next) {
      const res = await next(req);
      const host = hostKey(res.url);
      const now = deps.clock.now();
      const { status, problems } = parseRateLimitHeaders(res.headers, now);
      for (const p of [...problems, ...retryHintProblems(res.headers, now)]) deps.events.emit('malformedHeader', { host, header: p.header, problem: p.problem });
      if (status !== undefined) tracker.record(host, status);
      return res;
    },
  };
}
