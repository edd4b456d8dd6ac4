import { whileActive, type RequestEndEvent, type RetryEvent } from '../events/events.js';
import type { Transport } from '../pipeline/transport.js';
import { createAttemptMiddleware } from './attempt-middleware.js';
import { createTransportInstruments, type TransportInstruments } from './instruments.js';
import { loadOtelApi, otelSdkRegistered } from './load-api.js';
import { errorTypeOf, outcomeOf } from './outcome.js';
import {
  INSTRUMENTATION_SCOPE,
  type OtelApi,
  type OtelMeter,
  type OtelObservableResult,
  type OtelTracer,
} from './otel-types.js';

/** Options of {@link instrumentTransport}. @public */
export interface InstrumentTransportOptions {
  /** Tracer for attempt spans; default: the global tracer of `@opentelemetry/api`, when installed. */
  readonly tracer?: OtelTracer;
  /** Meter for metrics; default: the global meter of `@opentelemetry/api`, when installed. */
  readonly meter?: OtelMeter;
  /**
   * The `@opentelemetry/api` module to take the global tracer and meter from
   * (`import * as api from '@opentelemetry/api'`); `null` disables the global lookup, so only an
   * explicit `tracer` / `meter` is used. Default: loaded on first use, if installed.
   */
  readonly api?: OtelApi | null;
  /**
   * Turns a request's route (`context.route`, else its URL path) into a low-cardinality template
   * for span names and metric labels. Default {@link keepRouteTemplate}: a caller's template (any
   * route containing `{`) is kept and everything else becomes {@link OTHER_ROUTE}, so names, tags
   * and digests never become labels. A product built on the transport passes its own, e.g. the
   * services package's registry and Hub API templates.
   */
  readonly routeTemplate?: (route: string) => string;
}

/** Route used when a path matches no known template. @public */
export const OTHER_ROUTE = '{other}';

/**
 * The default route template: a caller's template (anything containing `{`) is kept; any other
 * route becomes {@link OTHER_ROUTE}.
 * @param route - `context.route` or the URL path
 * @returns the template
 * @public
 */
export function keepRouteTemplate(route: string): string {
  return route.includes('{') ? route : OTHER_ROUTE;
}

/** A running instrumentation; dispose it to stop recording (the middleware then passes through). @public */
export interface TransportInstrumentation extends Disposable {
  /** Whether spans or metrics can be recorded (false without tracer, meter and API). */
  readonly enabled: boolean;
  /**
   * Whether they are recorded right now: `enabled`, and either a tracer or meter was given or an
   * SDK is registered with the global API (checked each time, so a later registration counts).
   */
  readonly recording: boolean;
  /** Stops recording, unsubscribes from events and removes gauge callbacks. */
  dispose(): void;
}

const BREAKER_VALUE = { closed: 0, halfOpen: 1, open: 2 } as const;

function resolve(options: InstrumentTransportOptions): {
  tracer: OtelTracer | undefined;
  meter: OtelMeter | undefined;
  /** Whether anything records: always for an explicit tracer or meter, else an SDK on the global API. */
  live: () => boolean;
} {
  const api =
    options.api === null
      ? undefined
      : (options.api ??
        (options.tracer !== undefined && options.meter !== undefined ? undefined : loadOtelApi()));
  const explicit = options.tracer !== undefined || options.meter !== undefined;
  return {
    tracer: options.tracer ?? api?.trace.getTracer(INSTRUMENTATION_SCOPE),
    meter: options.meter ?? api?.metrics.getMeter(INSTRUMENTATION_SCOPE),
    live: explicit || api === undefined ? () => true : () => otelSdkRegistered(api),
  };
}

function onRequestEnd(m: TransportInstruments, e: RequestEndEvent, routeTemplate: (route: string) => string): void {
  const route = routeTemplate(e.route);
  const outcome = outcomeOf(e.status, e.errorCode);
  const common = { operation: e.operation ?? 'unknown', method: e.method, host: e.host, route };
  const attrs = {
    ...common,
    status_code: e.status === undefined ? 'none' : String(e.status),
    outcome,
  };
  m.requests.add(1, attrs);
  m.requestDuration.record(e.durationMs / 1000, attrs);
  if (outcome === 'error')
    m.errors.add(1, { ...common, error_type: errorTypeOf(e.status, e.errorCode) });
}

function onRetry(m: TransportInstruments, e: RetryEvent, routeTemplate: (route: string) => string): void {
  m.retries.add(1, {
    reason: e.reason,
    operation: e.operation ?? 'unknown',
    host: e.host,
    route: routeTemplate(e.route),
  });
}

interface Gauges {
  readonly remaining: (r: OtelObservableResult) => void;
  readonly limit: (r: OtelObservableResult) => void;
  readonly breaker: (r: OtelObservableResult) => void;
}

function gaugeCallbacks(transport: Transport, hosts: ReadonlySet<string>): Gauges {
  // The binding budget of a host is its source with the fewest requests left. The source value
  // (client IP or account) is not an allow-listed field, so it never becomes a label.
  const lowest = (host: string): { remaining: number; limit: number | undefined } | undefined => {
    let best: { remaining: number; limit: number | undefined } | undefined;
    for (const s of transport.rateLimitSources(host)) {
      if (s.remaining !== undefined && (best === undefined || s.remaining < best.remaining))
        best = { remaining: s.remaining, limit: s.limit };
    }
    return best;
  };
  return {
    remaining: (r) => {
      for (const host of hosts) {
        const b = lowest(host);
        if (b !== undefined) r.observe(b.remaining, { host });
      }
    },
    limit: (r) => {
      for (const host of hosts) {
        const b = lowest(host);
        if (b?.limit !== undefined) r.observe(b.limit, { host });
      }
    },
    breaker: (r) => {
      for (const host of hosts) r.observe(BREAKER_VALUE[transport.breaker(host).state], { host });
    },
  };
}

/**
 * Instruments a transport with OpenTelemetry: a CLIENT span per HTTP attempt (children of the
 * active span, e.g. one from {@link withOperationSpan}) and the metrics of `METRIC_NAMES`
 * (requests, latency, bytes, errors, retries, rate-limit and breaker gauges).
 * `@opentelemetry/api` is an optional peer dependency: without it, or without a registered SDK,
 * everything is a no-op and nothing throws. Call once per transport, before sending requests.
 * @param transport - the transport (from `createTransport`)
 * @param options - tracer, meter, or the API module (default: the global ones, if installed), route templates
 * @returns a handle; `dispose()` stops recording
 * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} when the transport is already instrumented
 * @example
 * ```ts
 * const transport = createTransport();
 * using telemetry = instrumentTransport(transport); // global tracer and meter
 * ```
 * @public
 */
export function instrumentTransport(
  transport: Transport,
  options: InstrumentTransportOptions = {},
): TransportInstrumentation {
  const { tracer, meter, live } = resolve(options);
  const available = { on: tracer !== undefined || meter !== undefined };
  const state = {
    get active(): boolean {
      return available.on && live();
    },
  };
  const disposers: (() => void)[] = [];
  const handle: TransportInstrumentation = {
    get enabled() {
      return available.on;
    },
    get recording() {
      return state.active;
    },
    dispose() {
      available.on = false;
      for (const d of disposers.splice(0)) d();
    },
    [Symbol.dispose]() {
      handle.dispose();
    },
  };
  if (!available.on) return handle;
  const instruments = meter === undefined ? undefined : createTransportInstruments(meter);
  const routeTemplate = options.routeTemplate ?? keepRouteTemplate;
  transport.use(createAttemptMiddleware({ tracer, instruments, state, routeTemplate }));
  if (instruments === undefined) return handle;
  const hosts = new Set<string>();
  disposers.push(
    // Counted as listening only while an SDK records: otherwise the transport builds no events.
    transport.events.on(
      'requestStart',
      whileActive((e) => hosts.add(e.host), () => state.active),
    ),
    transport.events.on(
      'requestEnd',
      whileActive((e) => {
        if (state.active) onRequestEnd(instruments, e, routeTemplate);
      }, () => state.active),
    ),
    transport.events.on('retry', (e) => {
      if (state.active) onRetry(instruments, e, routeTemplate);
    }),
  );
  const g = gaugeCallbacks(transport, hosts);
  instruments.rateLimitRemaining.addCallback(g.remaining);
  instruments.rateLimitLimit.addCallback(g.limit);
  instruments.circuitBreakerState.addCallback(g.breaker);
  disposers.push(() => {
    instruments.rateLimitRemaining.removeCallback(g.remaining);
    instruments.rateLimitLimit.removeCallback(g.limit);
    instruments.circuitBreakerState.removeCallback(g.breaker);
  });
  return handle;
}
