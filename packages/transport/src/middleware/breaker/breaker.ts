import { CircuitOpenError, isDockerHubError } from '@llmdevops/docker-hub-core';
import type { TransportEventBus } from '../../events/events.js';
import type { Clock } from '@llmdevops/docker-hub-core';
import { hostKey } from '../../internal/host.js';
import type { Middleware } from '../../pipeline/types.js';
import { ConsecutiveBreaker, type CircuitBreakerOptions } from './consecutive-breaker.js';

/** The per-host breakers of one transport (never shared between transports). @internal */
export class BreakerRegistry {
  readonly #breakers = new Map<string, ConsecutiveBreaker>();
  readonly #options: CircuitBreakerOptions;
  readonly #events: TransportEventBus;
  readonly #clock: Clock;

  /**
   * @param options - thresholds
   * @param deps - event bus and clock
   */
  constructor(options: CircuitBreakerOptions, deps: { readonly events: TransportEventBus; readonly clock: Clock }) {
    this.#options = options;
    this.#events = deps.events;
    this.#clock = deps.clock;
  }

  /**
   * The breaker of a host, created closed on first use.
   * @param host - `host[:port]`
   * @returns the breaker
   */
  get(host: string): ConsecutiveBreaker {
    const key = host.toLowerCase();
    let b = this.#breakers.get(key);
    if (b === undefined) {
      b = new ConsecutiveBreaker(this.#options, (from, to) => {
        this.#events.emit('breakerStateChange', {
          host: key,
          from: from.name,
          to: to.name,
          halfOpenAt: to.name === 'open' ? new Date(to.openedAt + (this.#options.resetTimeoutMs ?? 30_000)) : undefined,
        });
      });
      this.#breakers.set(key, b);
    }
    return b;
  }

  /** @returns the clock's time */
  now(): number {
    return this.#clock.now();
  }
}

const FAILURE_CODES = new Set(['NETWORK', 'TIMEOUT']);

/**
 * One circuit breaker per host. Counts 5xx (except 501), connection failures and timeouts as
 * failures, never 4xx; while open, fails at once with `CircuitOpenError` carrying the time it
 * half-opens. Aborts by the caller count as neither.
 * @param registry - the breakers
 * @returns the middleware
 * @internal
 */
export function createBreakerMiddleware(registry: BreakerRegistry): Middleware {
  return {
    name: 'circuitBreaker',
    async handle(req, next) {
      const host = hostKey(req.url);
      const breaker = registry.get(host);
      const admission = breaker.tryAcquire(registry.now());
      if (!admission.allowed) throw new CircuitOpenError(host, new Date(admission.halfOpenAt));
      try {
        const res = await next(req);
        if (res.status >= 500 && res.status !== 501) breaker.failure(registry.now());
        else breaker.success();
        return res;
      } catch (err) {
        if (isDockerHubError(err) && FAILURE_CODES.has(err.code)) breaker.failure(registry.now());
        else breaker.release();
        throw err;
      }
    },
  };
}
