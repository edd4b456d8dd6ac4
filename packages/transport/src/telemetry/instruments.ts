import { TRANSPORT_METRIC_DEFINITIONS, type MetricDefinition, type TransportMetricKey } from './metric-names.js';
import { loadOtelApi } from './load-api.js';
import {
  INSTRUMENTATION_SCOPE,
  type OtelAttributes,
  type OtelCounter,
  type OtelHistogram,
  type OtelMeter,
  type OtelObservableGauge,
} from './otel-types.js';

/** Latency buckets in seconds: registry calls range from milliseconds to minutes for big blobs. */
const DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300,
];

/** The instruments a transport instrumentation records into. @internal */
export interface TransportInstruments {
  readonly requests: OtelCounter;
  readonly requestDuration: OtelHistogram;
  readonly transferBytes: OtelCounter;
  readonly errors: OtelCounter;
  readonly retries: OtelCounter;
  readonly rateLimitRemaining: OtelObservableGauge;
  readonly rateLimitLimit: OtelObservableGauge;
  readonly circuitBreakerState: OtelObservableGauge;
}

function options(d: MetricDefinition): { description: string; unit: string } {
  return { description: d.description, unit: d.unit };
}

/**
 * The meter to record into: the one given, else the global meter of `@opentelemetry/api` under
 * the toolkit's instrumentation scope when the API is installed. Never throws.
 * @param given - an explicit meter
 * @returns the meter, or undefined without one and without the API
 * @public
 */
export function resolveMeter(given?: OtelMeter): OtelMeter | undefined {
  if (given !== undefined) return given;
  try {
    return loadOtelApi()?.metrics.getMeter(INSTRUMENTATION_SCOPE);
  } catch {
    return undefined;
  }
}

/**
 * Creates a counter for one metric definition.
 * @param meter - the meter
 * @param definition - the metric
 * @returns the counter
 * @public
 */
export function counterFor(meter: OtelMeter, definition: MetricDefinition): OtelCounter {
  return meter.createCounter(definition.name, options(definition));
}

/**
 * A recorder that adds 1 to one metric's counter, outside any transport: on the meter given, or
 * the global meter of `@opentelemetry/api` when installed. Each meter's counter is created once.
 * No-op without a meter; never throws (telemetry must not fail the operation that reports it).
 * @param definition - the metric (a counter)
 * @returns `add(attributes, meter?)`
 * @example
 * ```ts
 * const addHit = standaloneCounter({ name: 'myapp.cache.hits', kind: 'counter', unit: '{hit}', description: 'Cache hits', attributes: [], reserved: false });
 * addHit({});
 * ```
 * @public
 */
export function standaloneCounter(
  definition: MetricDefinition,
): (attributes: OtelAttributes, meter?: OtelMeter) => void {
  const counters = new WeakMap<OtelMeter, OtelCounter>();
  return (attributes, given) => {
    try {
      const meter = resolveMeter(given);
      if (meter === undefined) return;
      let counter = counters.get(meter);
      if (counter === undefined) {
        counter = counterFor(meter, definition);
        counters.set(meter, counter);
      }
      counter.add(1, attributes);
    } catch {
      // Telemetry must never fail the operation that reports it.
    }
  };
}

function gauge(meter: OtelMeter, key: TransportMetricKey): OtelObservableGauge {
  const d = TRANSPORT_METRIC_DEFINITIONS[key];
  return meter.createObservableGauge(d.name, options(d));
}

function counter(meter: OtelMeter, key: TransportMetricKey): OtelCounter {
  return counterFor(meter, TRANSPORT_METRIC_DEFINITIONS[key]);
}

/**
 * Creates every instrument a transport records into.
 * @param meter - the meter
 * @returns the instruments
 * @internal
 */
export function createTransportInstruments(meter: OtelMeter): TransportInstruments {
  return {
    requests: counter(meter, 'requests'),
    requestDuration: meter.createHistogram(TRANSPORT_METRIC_DEFINITIONS.requestDuration.name, {
      ...options(TRANSPORT_METRIC_DEFINITIONS.requestDuration),
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    }),
    transferBytes: counter(meter, 'transferBytes'),
    errors: counter(meter, 'errors'),
    retries: counter(meter, 'retries'),
    rateLimitRemaining: gauge(meter, 'rateLimitRemaining'),
    rateLimitLimit: gauge(meter, 'rateLimitLimit'),
    circuitBreakerState: gauge(meter, 'circuitBreakerState'),
  };
}
