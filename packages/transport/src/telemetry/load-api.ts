import { createRequire } from 'node:module';
import type { OtelApi } from './otel-types.js';

let cached: OtelApi | null | undefined;

/**
 * Loads `@opentelemetry/api` the first time telemetry asks for it, synchronously, and remembers
 * the answer. Nothing at module load time refers to the package, so importing the transport never
 * needs it. The API keeps its providers on a global symbol, so this copy sees the SDK the
 * application registered even when the application imported the ESM build.
 * @returns the API, or undefined when it is not installed
 * @internal
 */
export function loadOtelApi(): OtelApi | undefined {
  if (cached === undefined) {
    try {
      const required: unknown = createRequire(import.meta.url)('@opentelemetry/api');
      cached = isOtelApi(required) ? required : null;
    } catch {
      cached = null;
    }
  }
  return cached ?? undefined;
}

function isOtelApi(value: unknown): value is OtelApi {
  if (typeof value !== 'object' || value === null) return false;
  const rec = value as Record<string, unknown>;
  return (
    typeof rec['trace'] === 'object' &&
    rec['trace'] !== null &&
    typeof rec['metrics'] === 'object' &&
    rec['metrics'] !== null
  );
}

/**
 * Whether an OpenTelemetry SDK is registered with the API: a global tracer provider behind the
 * API's proxy, or a global meter provider, that is not the API's no-op one. Asked per operation
 * (an application may register its SDK after creating clients), so that with the API installed
 * but no SDK the client does not build spans and attributes nobody records. An API without the
 * provider getters counts as registered (recording is then merely wasted, never lost).
 * @param api - the `@opentelemetry/api` module
 * @returns true when spans or metrics would be recorded somewhere
 * @internal
 */
export function otelSdkRegistered(api: OtelApi): boolean {
  if (api.trace.getTracerProvider === undefined || api.metrics.getMeterProvider === undefined) return true;
  const tracing = api.trace.getTracerProvider() as { getDelegate?: () => object };
  const delegate = typeof tracing.getDelegate === 'function' ? tracing.getDelegate() : tracing;
  return !isNoop(delegate) || !isNoop(api.metrics.getMeterProvider());
}

function isNoop(provider: object): boolean {
  return provider.constructor.name.startsWith('Noop');
}
