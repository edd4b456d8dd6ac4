import { METRIC_DEFINITIONS, type MetricKey } from './metric-names.js';
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
  readonly pulls: OtelCounter;
  readonly pushes: OtelCounter;
  readonly rateLimitRemaining: OtelObservableGauge;
  readonly rateLimitLimit: OtelObservableGauge;
  readonly circuitBreakerState: OtelObservableGauge;
}

function options(key: MetricKey): { description: string; unit: string } {
  const d = METRIC_DEFINITIONS[key];
  return { description: d.description, unit: d.unit };
}

/**
 * Creates a counter for one metric of {@link METRIC_DEFINITIONS}.
 * @param meter - the meter
 * @param key - which metric
 * @returns the counter
 * @internal
 */
export function counterFor(meter: OtelMeter, key: MetricKey): OtelCounter {
  return meter.createCounter(METRIC_DEFINITIONS[key].name, options(key));
}

/**
 * A recorder that adds 1 to one metric's counter, outside any transport: on the meter given, or
 * the global meter of `@opentelemetry/api` when installed. Each meter's counter is created once.
 * No-op without a meter; never throws (telemetry must not fail the operation that reports it).
 * @param key - which metric
 * @returns `add(attributes, meter?)`
 * @internal
 */
export function standaloneCounter(
  key: MetricKey,
): (attributes: OtelAttributes, meter?: OtelMeter) => void {
  const counters = new WeakMap<OtelMeter, OtelCounter>();
  return (attributes, given) => {
    try {
      const meter = given ?? loadOtelApi()?.metrics.getMeter(INSTRUMENTATION_SCOPE);
      if (meter === undefined) return;
      let counter = counters.get(meter);
      if (counter === undefined) {
        counter = counterFor(meter, key);
        counters.set(meter, counter);
      }
      counter.add(1, attributes);
    } catch {
      // Telemetry must never fail the operation that reports it.
    }
  };
}

function gauge(meter: OtelMeter, key: MetricKey): OtelObservableGauge {
  return meter.createObservableGauge(METRIC_DEFINITIONS[key].name, options(key));
}

/**
 * Creates every instrument a transport records into.
 * @param meter - the meter
 * @returns the instruments
 * @internal
 */
export function createTransportInstruments(meter: OtelMeter): TransportInstruments {
  return {
    requests: counterFor(meter, 'requests'),
    requestDuration: meter.createHistogram(METRIC_DEFINITIONS.requestDuration.name, {
      ...options('requestDuration'),
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    }),
    transferBytes: counterFor(meter, 'transferBytes'),
    errors: counterFor(meter, 'errors'),
    retries: counterFor(meter, 'retries'),
    pulls: counterFor(meter, 'pulls'),
    pushes: counterFor(meter, 'pushes'),
    rateLimitRemaining: gauge(meter, 'rateLimitRemaining'),
    rateLimitLimit: gauge(meter, 'rateLimitLimit'),
    circuitBreakerState: gauge(meter, 'circuitBreakerState'),
  };
}
