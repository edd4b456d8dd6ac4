/**
 * Every metric name the toolkit emits, with its kind and unit, and the Prometheus names they get.
 *
 * Names carry their Prometheus unit word (`seconds`, `bytes`) in the last segment and never end in
 * `total`, so the OpenTelemetry JS Prometheus exporter (dots to `_`, `_total` on monotonic
 * counters) and the Collector's Prometheus exporter (which also appends the unit word unless the
 * name already contains it) produce the same series names.
 * @packageDocumentation
 */

/** Instrument kind, which decides the Prometheus series names. @public */
export type MetricKind = 'counter' | 'histogram' | 'gauge';

/** What one metric is. @public */
export interface MetricDefinition {
  readonly name: string;
  readonly kind: MetricKind;
  /** UCUM unit as given to OpenTelemetry (`s`, `By`, `{request}`). */
  readonly unit: string;
  readonly description: string;
  /** Attribute (label) names it carries. */
  readonly attributes: readonly string[];
  /**
   * Reserved: defined so dashboards can use it, but nothing in the toolkit emits it yet. Every
   * current metric is emitted (false); kept so a future metric can be announced before it ships.
   */
  readonly reserved: boolean;
}

/**
 * The metrics the transport emits for any registry or HTTP API, by key: requests, latency,
 * bytes, errors, retries, and the rate-limit and circuit-breaker gauges. Products built on the
 * transport add their own (the services package's `METRIC_NAMES` lists every metric the
 * toolkit emits, these included).
 * @public
 */
export const TRANSPORT_METRIC_NAMES = {
  /** Logical requests (after retries), by operation, method, host, route, status code and outcome. */
  requests: 'dockerhub.requests',
  /** Duration of logical requests, start to end of body, in seconds. */
  requestDuration: 'dockerhub.request.duration.seconds',
  /** Body bytes on the wire, every attempt, by direction (`sent`, `received`). */
  transferBytes: 'dockerhub.transfer.bytes',
  /** Failed logical requests by `error_type` (the toolkit error code). */
  errors: 'dockerhub.errors',
  /** Retries scheduled, by reason. */
  retries: 'dockerhub.retries',
  /** Requests left in the rate-limit window, per host (the lowest among its sources). */
  rateLimitRemaining: 'dockerhub.ratelimit.remaining',
  /** Requests allowed per rate-limit window, per host (of the source with the fewest left). */
  rateLimitLimit: 'dockerhub.ratelimit.limit',
  /** Circuit-breaker state per host: 0 closed, 1 half-open, 2 open. */
  circuitBreakerState: 'dockerhub.circuit_breaker.state',
} as const;

/** Key of {@link TRANSPORT_METRIC_NAMES}. @public */
export type TransportMetricKey = keyof typeof TRANSPORT_METRIC_NAMES;

const REQUEST_ATTRS = ['operation', 'method', 'host', 'route', 'status_code', 'outcome'] as const;

/** Kind, unit, description and labels of every metric in {@link TRANSPORT_METRIC_NAMES}. @public */
export const TRANSPORT_METRIC_DEFINITIONS: Readonly<Record<TransportMetricKey, MetricDefinition>> = {
  requests: def('requests', 'counter', '{request}', [
    'Logical requests after retries',
    REQUEST_ATTRS,
  ]),
  requestDuration: def('requestDuration', 'histogram', 's', [
    'Duration of logical requests until the body ended',
    REQUEST_ATTRS,
  ]),
  transferBytes: def('transferBytes', 'counter', 'By', [
    'Body bytes sent and received, every attempt',
    ['direction', 'operation', 'method', 'host', 'route'],
  ]),
  errors: def('errors', 'counter', '{error}', [
    'Failed logical requests by error code',
    ['error_type', 'operation', 'method', 'host', 'route'],
  ]),
  retries: def('retries', 'counter', '{retry}', [
    'Retries scheduled',
    ['reason', 'operation', 'host', 'route'],
  ]),
  rateLimitRemaining: def('rateLimitRemaining', 'gauge', '{request}', [
    'Lowest requests left in the rate-limit window among the sources seen',
    ['host'],
  ]),
  rateLimitLimit: def('rateLimitLimit', 'gauge', '{request}', [
    'Requests allowed per rate-limit window',
    ['host'],
  ]),
  circuitBreakerState: def('circuitBreakerState', 'gauge', '{state}', [
    'Circuit breaker state: 0 closed, 1 half-open, 2 open',
    ['host'],
  ]),
};

function def(
  key: TransportMetricKey,
  kind: MetricKind,
  unit: string,
  [description, attributes]: readonly [string, readonly string[]],
): MetricDefinition {
  return { name: TRANSPORT_METRIC_NAMES[key], kind, unit, description, attributes, reserved: false };
}

/**
 * The Prometheus base name of a metric, as the OpenTelemetry Prometheus exporter writes it:
 * characters outside `[a-zA-Z0-9_:]` become `_`, repeated `_` collapse, and monotonic counters get
 * `_total`. Histograms are then queried as `<base>_bucket`, `<base>_sum` and `<base>_count`.
 * @param definition - the metric
 * @returns the base series name, e.g. `dockerhub_requests_total`
 * @public
 */
export function prometheusName(definition: Pick<MetricDefinition, 'name' | 'kind'>): string {
  const base = definition.name.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/_+/g, '_');
  return definition.kind === 'counter' && !base.endsWith('_total') ? `${base}_total` : base;
}

/**
 * Every Prometheus series name a metric produces.
 * @param definition - the metric
 * @returns one name for counters and gauges, `_bucket`, `_sum`, `_count` for histograms
 * @public
 */
export function prometheusSeriesNames(
  definition: Pick<MetricDefinition, 'name' | 'kind'>,
): readonly string[] {
  const base = prometheusName(definition);
  return definition.kind === 'histogram'
    ? [`${base}_bucket`, `${base}_sum`, `${base}_count`]
    : [base];
}
