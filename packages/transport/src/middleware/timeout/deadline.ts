import { AsyncLocalStorage } from 'node:async_hooks';
import { AbortedError, TimeoutError, isDockerHubError } from '@llmdevops/docker-hub-core';
import type { Clock } from '@llmdevops/docker-hub-core';
import { safeUrl } from '../../internal/host.js';
import type { Middleware, TransportResponse } from '../../pipeline/types.js';

/**
 * The total deadline of one operation (a call with its retries and its response body, or a
 * `transport.retrying()` step with everything in it). When the time is up it destroys the bodies
 * still streaming with a `TimeoutError` of phase `total`, then aborts its signal, which ends
 * requests in flight and retry waits. The timer stops once the operation and every body bound to
 * it are done.
 * @internal
 */
export class OperationDeadline {
  /** The error every part of the operation fails with once the deadline has passed. */
  readonly error: TimeoutError;
  readonly #abort = new AbortController();
  readonly #stopTimer = new AbortController();
  readonly #onExpire = new Set<() => void>();
  #holds = 0;

  /**
   * Starts the timer.
   * @param clock - time source (its `sleep` drives the deadline)
   * @param timeoutMs - the limit in ms
   * @param what - names the operation in the error
   */
  constructor(clock: Clock, timeoutMs: number, what: string) {
    this.error = new TimeoutError('total', timeoutMs, { what });
    clock.sleep(timeoutMs, this.#stopTimer.signal).then(
      () => {
        this.#expire();
      },
      () => undefined,
    );
  }

  /** Aborts with {@link OperationDeadline.error} when the deadline passes. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** Whether the deadline has passed. */
  get expired(): boolean {
    return this.#abort.signal.aborted;
  }

  /** Whether the operation and every body bound to it are done (the timer is stopped). */
  get finished(): boolean {
    return this.#stopTimer.signal.aborted;
  }

  /**
   * Keeps the timer running until the returned function is called.
   * @returns the release function (calling it again does nothing)
   */
  hold(): () => void {
    this.#holds += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds -= 1;
      if (this.#holds === 0) this.#stopTimer.abort();
    };
  }

  /**
   * Destroys a response body with the deadline's error if it is still open when the time is up,
   * and keeps the timer running until the body closes.
   * @param res - a response of this operation
   * @returns the same response
   */
  bind(res: TransportResponse): TransportResponse {
    const body = res.body;
    if (body.closed) return res;
    const release = this.hold();
    const destroy = (): void => {
      body.destroy(this.error);
    };
    this.#onExpire.add(destroy);
    body.once('close', () => {
      this.#onExpire.delete(destroy);
      release();
    });
    return res;
  }

  /**
   * The error to throw for a failure of the operation: once the deadline has passed, an abort
   * or a broken connection (the deadline's own doing) becomes the deadline's `TimeoutError`.
   * @param err - what was thrown
   * @param callerSignal - the caller's own signal (its aborts stay aborts)
   * @returns the error to throw
   */
  translate(err: unknown, callerSignal: AbortSignal | undefined): unknown {
    if (!this.expired || callerSignal?.aborted === true) return err;
    if (!isDockerHubError(err) || err.code === 'ABORTED' || err.code === 'NETWORK') return this.error;
    return err;
  }

  #expire(): void {
    for (const destroy of [...this.#onExpire]) destroy();
    this.#abort.abort(this.error);
  }
}

/** The deadline of the operation the current async context belongs to. */
const activeDeadline = new AsyncLocalStorage<OperationDeadline>();

/** Settings of {@link runWithDeadline}. @internal */
export interface DeadlineSettings {
  /** Time source. */
  readonly clock: Clock;
  /** The limit in ms, or undefined for none. */
  readonly totalTimeoutMs: number | undefined;
}

/**
 * Runs `fn` under the total deadline of the operation it belongs to: the enclosing one when
 * there is one still running (a request inside a step shares the step's deadline), else a new
 * one of `totalTimeoutMs` (none when undefined). `fn` receives the signal to use (the caller's,
 * combined with the deadline's) and the deadline, to bind response bodies to it.
 * @param settings - clock and limit
 * @param what - names the operation in the error
 * @param callerSignal - the caller's signal
 * @param fn - the work
 * @returns what `fn` returns
 * @throws the deadline's `TimeoutError` (phase `total`) when it passes first
 * @internal
 */
export async function runWithDeadline<T>(
  settings: DeadlineSettings,
  what: string,
  callerSignal: AbortSignal | undefined,
  fn: (signal: AbortSignal | undefined, deadline: OperationDeadline | undefined) => Promise<T>,
): Promise<T> {
  const enclosing = activeDeadline.getStore();
  const deadline =
    enclosing !== undefined && !enclosing.finished
      ? enclosing
      : settings.totalTimeoutMs === undefined
        ? undefined
        : new OperationDeadline(settings.clock, settings.totalTimeoutMs, what);
  if (deadline === undefined) return fn(callerSignal, undefined);
  const release = deadline.hold();
  try {
    if (deadline.expired) throw deadline.error;
    const signal = callerSignal === undefined ? deadline.signal : AbortSignal.any([callerSignal, deadline.signal]);
    return await activeDeadline.run(deadline, () => fn(signal, deadline));
  } catch (err) {
    throw deadline.translate(err, callerSignal);
  } finally {
    release();
  }
}

/**
 * Honours the caller's `AbortSignal` before any work (an aborted call never touches the network)
 * and, when `totalTimeoutMs` is set, bounds the whole call (retries, waits and the response body
 * until it is read) with one deadline, failing with a `TimeoutError` of phase `total`. A request
 * sent inside a `transport.retrying()` step shares the step's deadline.
 * @param clock - time source (its `sleep` drives the deadline)
 * @param totalTimeoutMs - overall limit in ms, or undefined for none
 * @returns the middleware
 * @internal
 */
export function createDeadlineMiddleware(clock: Clock, totalTimeoutMs: number | undefined): Middleware {
  const settings: DeadlineSettings = { clock, totalTimeoutMs };
  return {
    name: 'deadline',
    async handle(req, next) {
      const what = `${req.method} ${safeUrl(req.url)}`;
      if (req.signal?.aborted === true) throw new AbortedError(what, req.signal.reason);
      return runWithDeadline(settings, what, req.signal, async (signal, deadline) => {
        const res = await next(signal === undefined || signal === req.signal ? req : { ...req, signal });
        return deadline === undefined ? res : deadline.bind(res);
      });
    },
  };
}
