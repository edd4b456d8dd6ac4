import { standaloneCounter } from './instruments.js';
import { TRANSPORT_METRIC_DEFINITIONS } from './metric-names.js';
import type { OtelMeter } from './otel-types.js';

/** Labels of an error found by the caller rather than by a request. @public */
export interface OperationErrorAttributes {
  /** The toolkit error code, e.g. `DIGEST_MISMATCH`, `SIZE_MISMATCH`, `MANIFEST_INVALID`. */
  readonly errorType: string;
  /** Operation that found it, e.g. `blobs.get`. */
  readonly operation?: string;
  /** Registry host (`host[:port]`), as in the request metrics. */
  readonly host?: string;
}

/** Options of {@link recordOperationError}. @public */
export interface RecordOperationErrorOptions {
  /** Meter to record into; default: the global meter of `@opentelemetry/api`, when installed. */
  readonly meter?: OtelMeter;
}

const addError = standaloneCounter(TRANSPORT_METRIC_DEFINITIONS.errors);

/**
 * Counts one failure in `dockerhub.errors` that no request reported: content that arrived fine
 * on the wire but failed its checks afterwards (a digest or size mismatch, an invalid manifest).
 * The transport already counts every failed request, so call this only for such errors, or the
 * "Error rate by type" panel counts them twice. `method` and `route` are `none`.
 * No-op without `@opentelemetry/api` or an SDK; never throws.
 * @param attributes - error code, operation and host
 * @param options - meter (default: global)
 * @example
 * ```ts
 * recordOperationError({ errorType: 'DIGEST_MISMATCH', operation: 'blobs.get', host: 'registry-1.docker.io' });
 * ```
 * @public
 */
export function recordOperationError(
  attributes: OperationErrorAttributes,
  options: RecordOperationErrorOptions = {},
): void {
  addError(
    {
      error_type: attributes.errorType,
      operation: attributes.operation ?? 'unknown',
      method: 'none',
      host: attributes.host ?? 'unknown',
      route: 'none',
    },
    options.meter,
  );
}
