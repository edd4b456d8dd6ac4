import { isDockerHubError } from '@llmdevops/docker-hub-core';
import { loadOtelApi } from './load-api.js';
import {
  INSTRUMENTATION_SCOPE,
  type OtelAttributes,
  type OtelAttributeValue,
  type OtelTracer,
} from './otel-types.js';

/** What the work inside {@link withOperationSpan} may add to its span. @public */
export interface OperationSpan {
  /**
   * Adds an attribute (never a secret, URL query or header value).
   * @param key - attribute name, e.g. `docker_hub.repository`
   * @param value - attribute value
   */
  setAttribute(key: string, value: OtelAttributeValue): void;
}

/** Options of {@link withOperationSpan}. @public */
export interface OperationSpanOptions {
  /** Tracer to use; default: the global tracer of `@opentelemetry/api`, when installed. */
  readonly tracer?: OtelTracer;
  /** Attributes set when the span starts. */
  readonly attributes?: OtelAttributes;
}

const NO_OP_SPAN: OperationSpan = {
  setAttribute() {
    // No tracer: nothing to record.
  },
};

/**
 * Runs one logical operation (e.g. `manifests.get`) inside an INTERNAL span that is active while
 * `fn` runs, so the transport's attempt spans become its children. A failure sets the span's
 * status to error with `error.type` = the toolkit error code, and is rethrown unchanged. Without
 * `@opentelemetry/api` (or without an SDK) it just runs `fn`.
 * @param name - span name, e.g. `docker_hub.manifests.get`
 * @param fn - the work; receives the span to add attributes
 * @param options - tracer and initial attributes
 * @returns what `fn` resolves to
 * @throws whatever `fn` throws
 * @example
 * ```ts
 * const manifest = await withOperationSpan('docker_hub.manifests.get', async (span) => {
 *   span.setAttribute('docker_hub.repository', 'library/alpine');
 *   return fetchManifest();
 * });
 * ```
 * @public
 */
export async function withOperationSpan<T>(
  name: string,
  fn: (span: OperationSpan) => Promise<T>,
  options: OperationSpanOptions = {},
): Promise<T> {
  const tracer = options.tracer ?? loadOtelApi()?.trace.getTracer(INSTRUMENTATION_SCOPE);
  if (tracer === undefined) return fn(NO_OP_SPAN);
  const spanOptions =
    options.attributes === undefined ? { kind: 0 } : { kind: 0, attributes: options.attributes };
  return tracer.startActiveSpan(name, spanOptions, async (span) => {
    try {
      return await fn({
        setAttribute: (key, value) => {
          span.setAttribute(key, value);
        },
      });
    } catch (err) {
      const code = isDockerHubError(err) ? err.code : 'UNKNOWN';
      span.setAttribute('error.type', code);
      span.setStatus({ code: 2, message: code });
      throw err;
    } finally {
      span.end();
    }
  });
}
