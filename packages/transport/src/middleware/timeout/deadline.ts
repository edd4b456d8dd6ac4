import { AbortedError, TimeoutError, isDockerHubError } from '@llmdevops/docker-hub-core';
import type { Clock } from '@llmdevops/docker-hub-core';
import { safeUrl } from '../../internal/host.js';
import type { Middleware } from '../../pipeline/types.js';

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/**
 * Honours the caller's `AbortSignal` before any work (an aborted call never touches the network)
 * and, when `totalTimeoutMs` is set, bounds the whole call up to the final response headers,
 * across retries and waits, failing with a `TimeoutError` of phase `total`.
 * @param clock - time source (its `sleep` drives the deadline)
 * @param totalTimeoutMs - overall limit in ms, or undefined for none
 * @returns the middleware
 * @internal
 */
export function createDeadlineMiddleware(clock: Clock, totalTimeoutMs: number | undefined): Middleware {
  return {
    name: 'deadline',
    async handle(req, next) {
      const what = `${req.method} ${safeUrl(req.url)}`;
      if (req.signal?.aborted === true) throw new AbortedError(what, req.signal.reason);
      if (totalTimeoutMs === undefined) return next(req);
      const deadline = new AbortController();
      const stopTimer = new AbortController();
      const timedOut = new TimeoutError('total', totalTimeoutMs, { what });
      clock.sleep(totalTimeoutMs, stopTimer.signal).then(
        () => {
          deadline.abort(timedOut);
        },
        () => undefined,
      );
      const signal = req.signal === undefined ? deadline.signal : AbortSignal.any([req.signal, deadline.signal]);
      try {
        return await next({ ...req, signal });
      } catch (err) {
        if (deadline.signal.aborted && !isAborted(req.signal) && (!isDockerHubError(err) || err.code === 'ABORTED')) {
          throw timedOut;
        }
        throw err;
      } finally {
        stopTimer.abort();
      }
    },
  };
}
