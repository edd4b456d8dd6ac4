/**
 * `@llmdevops/docker-hub-transport`: one resilient HTTP pipeline on undici (retry, circuit
 * breaker, rate-limit tracking, timeouts, safe redirects, concurrency limits, typed errors).
 * @packageDocumentation
 * @module @llmdevops/docker-hub-transport
 */
export type {
  HttpMethod,
  StreamBody,
  RequestBody,
  RequestContext,
  TransportRequest,
  TransportResponse,
  Next,
  Middleware,
} from './pipeline/types.js';
export { composeMiddleware } from './pipeline/compose.js';
export { createTransport, type Transport, type UseOptions, type BreakerHandle } from './pipeline/transport.js';
export type { TransportOptions } from './pipeline/options.js';
export { systemClock, type Clock, isLoopbackHost } from '@llmdevops/docker-hub-core';
export { isReplayable, isIdempotent } from './pipeline/body.js';
export { createDefaultAgent, type DefaultAgentOptions } from './dispatch/agent.js';
export { proxyFromEnvironment, type ProxyOptions } from './dispatch/proxy.js';
export { defaultCertsRoots, type RegistryTlsOptions } from './dispatch/certs-dir.js';
export { createSchemeStore, type SchemeStore, type SchemeStoreOptions, type HostScheme } from './dispatch/scheme.js';
export { parseNoProxy, bypassesProxy, type NoProxyRules } from './dispatch/no-proxy.js';
export { createResponse, DEFAULT_BODY_LIMIT, type ResponseInit } from './dispatch/response.js';
export {
  DIAGNOSTICS_CHANNELS,
  whileActive,
  type TransportEvents,
  type TransportEventMap,
  type TransportEventName,
  type RequestEventBase,
  type RequestStartEvent,
  type RequestEndEvent,
  type RetryEvent,
  type BreakerStateChangeEvent,
  type RateLimitLowEvent,
  type MalformedHeaderEvent,
} from './events/events.js';
export { backoffDelay, backoffCeiling, type BackoffOptions } from './middleware/backoff/exponential-jitter.js';
export {
  ConsecutiveBreaker,
  type CircuitBreakerOptions,
  type BreakerState,
  type BreakerStateName,
  type BreakerAdmission,
} from './middleware/breaker/consecutive-breaker.js';
export {
  parseRetryAfter,
  parseUnixTime,
  parseRateLimitHeaders,
  retryDelayFromHeaders,
  type RateLimitStatus,
  type RateLimitParseResult,
  type ResponseHeaders,
} from './middleware/rate-limit/parse-headers.js';
export type { RateLimitOptions } from './middleware/rate-limit/rate-limit-tracker.js';
export {
  createBudgetMiddleware,
  BUDGET_MIDDLEWARE,
  type RequestBudget,
  type BudgetGrant,
  type BudgetOutcome,
  type BudgetMiddlewareOptions,
} from './middleware/budget/budget.js';
export {
  decideRetry,
  decideFailure,
  RetryBudget,
  type RetryPolicy,
  type RetryDecision,
  type AttemptOutcome,
  type FailureContext,
} from './middleware/retry/decide.js';
export type { RetryingOptions } from './middleware/retry/retry.js';
export { errorFromResponse, ERROR_BODY_LIMIT } from './registry-errors/error-from-response.js';
export { requestResumable, type ResumableOptions, type RequestSender } from './resume/request-resumable.js';
// OpenTelemetry instrumentation (optional peer @opentelemetry/api).
export {
  instrumentTransport,
  keepRouteTemplate,
  OTHER_ROUTE,
  type InstrumentTransportOptions,
  type TransportInstrumentation,
} from './telemetry/instrument-transport.js';
export { withOperationSpan, type OperationSpan, type OperationSpanOptions } from './telemetry/operation-span.js';
export { counterFor, resolveMeter, standaloneCounter } from './telemetry/instruments.js';
export {
  recordOperationError,
  type OperationErrorAttributes,
  type RecordOperationErrorOptions,
} from './telemetry/operation-error.js';
export {
  TRANSPORT_METRIC_NAMES,
  TRANSPORT_METRIC_DEFINITIONS,
  prometheusName,
  prometheusSeriesNames,
  type TransportMetricKey,
  type MetricKind,
  type MetricDefinition,
} from './telemetry/metric-names.js';
export { OTEL_MIDDLEWARE_NAME } from './telemetry/attempt-middleware.js';
export { outcomeOf, type RequestOutcome } from './telemetry/outcome.js';
export {
  INSTRUMENTATION_SCOPE,
  type OtelApi,
  type OtelAttributes,
  type OtelAttributeValue,
  type OtelCounter,
  type OtelHistogram,
  type OtelInstrumentOptions,
  type OtelMeter,
  type OtelObservableCallback,
  type OtelObservableGauge,
  type OtelObservableResult,
  type OtelSpan,
  type OtelSpanOptions,
  type OtelTracer,
} from './telemetry/otel-types.js';
