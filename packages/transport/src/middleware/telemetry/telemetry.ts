import { isDockerHubError } from '@llmdevops/docker-hub-core';
import { bodyBytesRead } from '../../dispatch/response.js';
import { allowListedHeaders, type RequestEventBase, type TransportEventBus } from '../../events/events.js';
import type { Clock } from '@llmdevops/docker-hub-core';
import { hostKey } from '../../internal/host.js';
import { routeOf, withStats, type RequestStats } from '../../internal/request-stats.js';
import type { Middleware } from '../../pipeline/types.js';

/**
 * The outermost stage: emits `requestStart`, and `requestEnd` once the response body has been
 * consumed or discarded (or the call failed), with status, duration, bytes and attempts. Events
 * carry no header values outside the allow-list and no query strings. Nothing is built while
 * neither event has a listener or a diagnostics-channel subscriber.
 * @param events - the transport's event bus
 * @param clock - time source
 * @returns the middleware
 * @internal
 */
export function createTelemetryMiddleware(events: TransportEventBus, clock: Clock): Middleware {
  let sequence = 0;
  return {
    name: 'telemetry',
    async handle(req, next) {
      const stats: RequestStats = { requestId: ++sequence, attempts: 0 };
      // Nobody listening (the default): only the stats the retry and OTel stages read.
      if (!events.observed('requestStart') && !events.observed('requestEnd')) return next(withStats(req, stats));
      const op = req.context?.operation;
      const base: RequestEventBase = {
        requestId: stats.requestId,
        method: req.method,
        host: hostKey(req.url),
        route: routeOf(req),
        operation: typeof op === 'string' ? op : undefined,
      };
      const started = clock.now();
      events.emit('requestStart', base);
      const end = (status: number | undefined, bytes: number, extra: { errorCode?: string; headers?: Record<string, string> }): void => {
        events.emit('requestEnd', {
          ...base,
          status,
          durationMs: Math.max(0, clock.now() - started),
          bytes,
          attempts: Math.max(1, stats.attempts),
          errorCode: extra.errorCode,
          headers: extra.headers ?? {},
        });
      };
      try {
        const res = await next(withStats(req, stats));
        const headers = allowListedHeaders(res.headers);
        let bodyError: string | undefined;
        res.body.once('error', (err: unknown) => {
          bodyError = isDockerHubError(err) ? err.code : 'NETWORK';
        });
        const onClose = (): void => {
          end(res.status, bodyBytesRead(res.body), bodyError === undefined ? { headers } : { headers, errorCode: bodyError });
        };
        if (res.body.destroyed) onClose();
        else res.body.once('close', onClose);
        return res;
      } catch (err) {
        end(undefined, 0, { errorCode: isDockerHubError(err) ? err.code : 'UNKNOWN' });
        throw err;
      }
    },
  };
}
