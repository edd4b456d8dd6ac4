/** Where `@opentelemetry/api` (major version 1) keeps what an SDK registered, in every copy of it. */
const OTEL_GLOBAL = Symbol.for('opentelemetry.js.api.1');

/**
 * Whether an OpenTelemetry SDK (or anything else) has registered with the global OpenTelemetry
 * API in this process, e.g. one preloaded with `node --import`. A `dhub` process has no other way
 * to register one, so without it the client is made with telemetry off and never loads the API.
 * @returns true when the API's global registry exists
 * @internal
 */
export function openTelemetryRegistered(): boolean {
  return OTEL_GLOBAL in globalThis;
}
