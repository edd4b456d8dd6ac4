import { AbortedError } from '@llmdevops/docker-hub-core';
import type { TransportEventBus } from '../../events/events.js';
import { isIdempotent, isReplayable } from '../../internal/body.js';
import type { Clock } from '../../internal/clock.js';
import { hostKey, safeUrl } from '../../internal/host.js';
import { routeOf, statsOf } from '../../internal/request-stats.js';
import type { Middleware, TransportRequest, TransportResponse } from '../../pipeline/types.js';
import { errorFromResponse } from '../../registry-errors/error-from-response.js';
import { decideRetry, type AttemptOutcome, type RetryPolicy } from './decide.js';

/**
 * Retries what {@link decideRetry} allows, waiting with the injected clock (an abort ends the
 * wait at once), dumping discarded responses so their sockets are freed, and emitting a `retry`
 * event per retry. A 429 that cannot be waited out (wait above `maxRetryWaitMs`, or retries
 * spent) fails with a `RateLimitError` saying when the limit resets; other exhausted retries
 * return the last response or throw the last error.
 * @param policy - retry policy
 * @param deps - clock and event bus
 * @returns the middleware
 * @internal
 */
export function createRetryMiddleware(policy: RetryPolicy, deps: { readonly clock: Clock; readonly events: TransportEventBus }): Middleware {
  const { clock, events } = deps;
  return {
    name: 'retry',
    async handle(req, next) {
      const idempotent = isIdempotent(req);
      const replayable = isReplayable(req.body);
      const stats = statsOf(req);
      for (let attempt = 1; ; attempt++) {
        if (stats !== undefined) stats.attempts = attempt;
        let outcome: AttemptOutcome;
        let res: TransportResponse | undefined;
        try {
          res = await next(req);
          outcome = { kind: 'response', status: res.status, headers: res.headers };
        } catch (err) {
          outcome = { kind: 'error', error: err };
          if (req.signal?.aborted === true) throw err;
        }
        const decision = decideRetry(outcome, { attempt, idempotent, replayable, now: clock.now(), policy });
        if (!decision.retry) {
          if (res === undefined) throw (outcome as { error: unknown }).error;
          if (decision.rateLimited !== undefined) {
            throw await errorFromResponse(res, `${req.method} ${safeUrl(req.url)}`, { now: clock.now() });
          }
          return res;
        }
        await res?.dump().catch(() => undefined);
        emitRetry(events, req, { attempt, delayMs: decision.delayMs, reason: decision.reason, requestId: stats?.requestId ?? 0 });
        await waitFor(clock, decision.delayMs, req);
      }
    },
  };
}

async function waitFor(clock: Clock, ms: number, req: TransportRequest): Promise<void> {
  try {
    await clock.sleep(ms, req.signal);
  } catch (err) {
    throw new AbortedError(`${req.method} ${safeUrl(req.url)}`, req.signal?.reason ?? err);
  }
}

function emitRetry(
  events: TransportEventBus,
  req: TransportRequest,
  info: { attempt: number; delayMs: number; reason: string; requestId: number },
): void {
  const op = req.context?.operation;
  events.emit('retry', {
    requestId: info.requestId,
    method: req.method,
    host: hostKey(req.url),
    route: routeOf(req),
    operation: typeof op === 'string' ? op : undefined,
    attempt: info.attempt,
    delayMs: info.delayMs,
    reason: info.reason,
  });
}
