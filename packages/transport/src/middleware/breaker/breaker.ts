import { AsyncLocalStorage } from 'node:async_hooks';
import { CircuitOpenError, ServerError, isDockerHubError } from '@llmdevops/docker-hub-core';
import type { TransportEventBus } from '../../events/events.js';
import type { Clock } from '@llmdevops/docker-hub-core';
import { hostKey, safeUrl } from '../../internal/host.js';
import { statsOf } from '../../internal/request-stats.js';
import type { Middleware, TransportRequest } from '../../pipeline/types.js';
import { ConsecutiveBreaker, type CircuitBreakerOptions } from './consecutive-breaker.js';

/** The per-host breakers of one transport (never shared between transports). @internal */
export class BreakerRegistry {
  readonly #breakers = new Map<string, ConsecutiveBreaker>();
  readonly #options: CircuitBreakerOptions;
  readonly #events: TransportEventBus;
  readonly #clock: Clock;
  readonly #lastFailure = new Map<string, unknown>();
  readonly #failedOperations = new WeakMap<object, Set<string>>();

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

  /**
   * Records a failure of an operation against a host, and whether it is the operation's first
   * there (only the first is counted by the breaker).
   * @param operation - the operation's identity (a step, or one call with its retries)
   * @param host - `host[:port]`
   * @param cause - what failed, kept as the `cause` of later `CircuitOpenError`s
   * @returns true the first time this operation fails against this host
   */
  noteFailure(operation: object, host: string, cause: unknown): boolean {
    const key = host.toLowerCase();
    this.#lastFailure.set(key, cause);
    let hosts = this.#failedOperations.get(operation);
    if (hosts === undefined) {
      hosts = new Set();
      this.#failedOperations.set(operation, hosts);
    }
    if (hosts.has(key)) return false;
    hosts.add(key);
    return true;
  }

  /**
   * The last failure recorded against a host.
   * @param host - `host[:port]`
   * @returns the error, or undefined when none was recorded
   */
  lastFailure(host: string): unknown {
    return this.#lastFailure.get(host.toLowerCase());
  }
}

/** The operation the requests of the current async context belong to (outermost wins). */
const currentOperation = new AsyncLocalStorage<object>();

/**
 * Runs `fn` as one operation for the circuit breakers: however many requests and retries it
 * makes, each host's breaker counts at most one failure for it, so an operation's own retries
 * never open the breaker against itself. Inside an operation already running, `fn` joins it.
 * @param fn - the work
 * @returns what `fn` returns
 * @internal
 */
export function runAsOperation<T>(fn: () => Promise<T>): Promise<T> {
  return currentOperation.getStore() === undefined ? currentOperation.run({}, fn) : fn();
}

/** The operation of each call (its stats), fixed on its first attempt. */
const operationOfCall = new WeakMap<object, object>();

/**
 * The operation a request belongs to: the enclosing one, else the call with its retries. It is
 * fixed on the call's first attempt, made in the caller's context: a later attempt, such as a
 * resume started from a stream event, may run in the context of whoever opened the socket.
 */
function operationOf(req: TransportRequest): object {
  const stats = statsOf(req);
  if (stats === undefined) return currentOperation.getStore() ?? req;
  let operation = operationOfCall.get(stats);
  if (operation === undefined) {
    operation = currentOperation.getStore() ?? stats;
    operationOfCall.set(stats, operation);
  }
  return operation;
}

const FAILURE_CODES = new Set(['NETWORK', 'TIMEOUT']);

/**
 * One circuit breaker per host. Counts 5xx (except 501), connection failures and timeouts as
 * failures, never 4xx, and at most one failure per operation (a call with its retries, or a
 * `transport.retrying()` step), so only separate operations failing in a row open it. While open,
 * it fails at once with a `CircuitOpenError` carrying the time it half-opens and, as `cause`, the
 * last failure seen. Aborts by the caller count as neither.
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
      const now = registry.now();
      const trial = breaker.stateAt(now).name === 'halfOpen';
      const admission = breaker.tryAcquire(now);
      if (!admission.allowed) {
        throw new CircuitOpenError(host, new Date(admission.halfOpenAt), { cause: registry.lastFailure(host) });
      }
      const operation = operationOf(req);
      const failed = (cause: unknown): void => {
        // A half-open trial always reports, so its slot is freed and the breaker re-opens.
        if (registry.noteFailure(operation, host, cause) || trial) breaker.failure(registry.now());
      };
      try {
        const res = await currentOperation.run(operation, () => next(req));
        if (res.status >= 500 && res.status !== 501) {
          failed(new ServerError(`${req.method} ${safeUrl(req.url)}: status ${res.status}`, { status: res.status }));
        } else breaker.success();
        return res;
      } catch (err) {
        if (isDockerHubError(err) && FAILURE_CODES.has(err.code)) failed(err);
        else if (trial) breaker.release();
        throw err;
      }
    },
  };
}
