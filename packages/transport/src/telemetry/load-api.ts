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
