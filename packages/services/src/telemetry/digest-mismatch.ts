import { standaloneCounter, type OtelMeter } from '@llmdevops/docker-hub-transport';
import { IMAGE_METRIC_DEFINITIONS } from './metric-names.js';

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

const addMismatch = standaloneCounter(IMAGE_METRIC_DEFINITIONS.digestMismatches);

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
  addMismatch(
    { operation: attributes.operation ?? 'unknown', kind: attributes.kind ?? 'blob' },
    options.meter,
  );
}
