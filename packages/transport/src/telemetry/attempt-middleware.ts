import { isDockerHubError } from '@llmdevops/docker-hub-core';
import { bodyBytesRead } from '../dispatch/response.js';
import { allowListedHeaders } from '../events/events.js';
import { routeOf, statsOf } from '../internal/request-stats.js';
import type {
  Middleware,
  RequestBody,
  TransportRequest,
  TransportResponse,
} from '../pipeline/types.js';
import type { TransportInstruments } from './instruments.js';
import type { OtelSpan, OtelTracer } from './otel-types.js';

/** Name of the middleware {@link instrumentTransport} inserts. @public */
export const OTEL_MIDDLEWARE_NAME = 'opentelemetry';

const SPAN_KIND_CLIENT = 2;
const STATUS_ERROR = 2;

/** Counts bytes of a request body as the terminal reads it. */
interface SentCounter {
  bytes: number;
}

/** What the attempt middleware needs; `active` turns it into a pass-through after dispose. @internal */
export interface AttemptTelemetry {
  readonly tracer: OtelTracer | undefined;
  readonly instruments: TransportInstruments | undefined;
  readonly state: { active: boolean };
  /** Route to template, for span names and labels. */
  readonly routeTemplate: (route: string) => string;
}

function countedBody(body: RequestBody | undefined, counter: SentCounter): RequestBody | undefined {
  if (body === undefined) return undefined;
  if (typeof body === 'string') {
    counter.bytes = Buffer.byteLength(body);
    return body;
  }
  if (body instanceof Uint8Array) {
    counter.bytes = body.byteLength;
    return body;
  }
  const source = body;
  async function* counting(): AsyncGenerator<Uint8Array> {
    for await (const chunk of source.stream() as AsyncIterable<Uint8Array | string>) {
      counter.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
      yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    }
  }
  return { ...source, stream: counting };
}

function spanAttributes(
  req: TransportRequest,
  route: string,
  attempt: number,
): Record<string, string | number> {
  const port =
    req.url.port === '' ? (req.url.protocol === 'https:' ? 443 : 80) : Number(req.url.port);
  const attrs: Record<string, string | number> = {
    'http.request.method': req.method,
    'server.address': req.url.hostname,
    'server.port': port,
    'url.scheme': req.url.protocol.replace(':', ''),
    'url.template': route,
    'docker_hub.attempt': attempt,
  };
  if (attempt > 1) attrs['http.request.resend_count'] = attempt - 1;
  const op = req.context?.operation;
  if (typeof op === 'string') attrs['docker_hub.operation'] = op;
  return attrs;
}

function metricAttributes(req: TransportRequest, route: string): Record<string, string> {
  const op = req.context?.operation;
  return {
    operation: typeof op === 'string' ? op : 'unknown',
    method: req.method,
    host: req.url.host.toLowerCase(),
    route,
  };
}

function recordResponse(span: OtelSpan, res: TransportResponse): void {
  span.setAttribute('http.response.status_code', res.status);
  for (const [name, value] of Object.entries(allowListedHeaders(res.headers))) {
    span.setAttribute(`http.response.header.${name}`, [value]);
  }
  if (res.status >= 400) {
    span.setAttribute('error.type', String(res.status));
    span.setStatus({ code: STATUS_ERROR });
  }
}

function recordError(span: OtelSpan, err: unknown): void {
  const code = isDockerHubError(err) ? err.code : 'UNKNOWN';
  span.setAttribute('error.type', code);
  // Messages name URLs (paths can hold repository names); spans get the name and code only.
  const name = err instanceof Error ? err.name : 'Error';
  span.recordException({ name, message: code, code });
  span.setStatus({ code: STATUS_ERROR, message: code });
}

/**
 * The innermost middleware of an instrumented transport: one CLIENT span per HTTP attempt (and
 * per redirect hop), ended when the body has been consumed or discarded, plus the byte counters.
 * Spans carry method, host, port, route template, status, attempt, body sizes and allow-listed
 * response headers; never the URL, its query or request headers.
 * @param t - tracer, instruments and the on/off switch
 * @returns the middleware
 * @internal
 */
export function createAttemptMiddleware(t: AttemptTelemetry): Middleware {
  return {
    name: OTEL_MIDDLEWARE_NAME,
    async handle(req, next) {
      if (!t.state.active) return next(req);
      const route = t.routeTemplate(routeOf(req));
      const attempt = statsOf(req)?.attempts ?? 1;
      const span = t.tracer?.startSpan(`${req.method} ${route}`, {
        kind: SPAN_KIND_CLIENT,
        attributes: spanAttributes(req, route, attempt),
      });
      const sent: SentCounter = { bytes: 0 };
      const body = countedBody(req.body, sent);
      const metricAttrs = metricAttributes(req, route);
      const finishSent = (): void => {
        span?.setAttribute('http.request.body.size', sent.bytes);
        if (sent.bytes > 0)
          t.instruments?.transferBytes.add(sent.bytes, { ...metricAttrs, direction: 'sent' });
      };
      let res: TransportResponse;
      try {
        res = await next(body === undefined ? req : { ...req, body });
      } catch (err) {
        finishSent();
        if (span !== undefined) {
          recordError(span, err);
          span.end();
        }
        throw err;
      }
      finishSent();
      if (span !== undefined) recordResponse(span, res);
      const received = res;
      const onClose = (): void => {
        const bytes = bodyBytesRead(received.body);
        span?.setAttribute('http.response.body.size', bytes);
        if (bytes > 0)
          t.instruments?.transferBytes.add(bytes, { ...metricAttrs, direction: 'received' });
        span?.end();
      };
      received.body.once('error', (err: unknown) => {
        if (span !== undefined) recordError(span, err);
      });
      if (received.body.destroyed) onClose();
      else received.body.once('close', onClose);
      return received;
    },
  };
}
