import { counterFor } from './instruments.js';
import { loadOtelApi } from './load-api.js';
import { INSTRUMENTATION_SCOPE, type OtelCounter, type OtelMeter } from './otel-types.js';

/** Labels of a digest mismatch. @public */
export interface DigestMismatchAttributes {
  /** Operation that found it, e.g. `blobs.get`. */
  readonly operation?: string;
  /** What did not match: `blob`, `manifest` or `config`. */
  readonly kind?: 'blob' | 'manifest' | 'config';
}

/** Options of {@link recordDigestMismatch}. @public */
export interface RecordDigestMismatchOptions {
  /** Meter to record into; default: the global meter of `@opentelemetry/api`, when installed. */
  readonly meter?: OtelMeter;
}

const counters = new WeakMap<OtelMeter, OtelCounter>();

/**
 * Counts one digest mismatch (`dockerhub.digest.mismatches`), which the
 * "Digest mismatch" alert fires on. The services layer calls it where it throws
 * `DigestMismatchError`. No-op without `@opentelemetry/api` or an SDK; never throws.
 * @param attributes - operation and kind
 * @param options - meter (default: global)
 * @example
 * ```ts
 * recordDigestMismatch({ operation: 'blobs.get', kind: 'blob' });
 * ```
 * @public
 */
export function recordDigestMismatch(
  attributes: DigestMismatchAttributes = {},
  options: RecordDigestMismatchOptions = {},
): void {
  const meter = options.meter ?? loadOtelApi()?.metrics.getMeter(INSTRUMENTATION_SCOPE);
  if (meter === undefined) return;
  let counter = counters.get(meter);
  if (counter === undefined) {
    counter = counterFor(meter, 'digestMismatches');
    counters.set(meter, counter);
  }
  try {
    counter.add(1, {
      operation: attributes.operation ?? 'unknown',
      kind: attributes.kind ?? 'blob',
    });
  } catch {
    // Telemetry must never fail the operation that reports it.
  }
}
