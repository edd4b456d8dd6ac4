/**
 * `@llmdevops/docker-hub-transport`: one resilient HTTP pipeline on undici (retry, circuit
 * breaker, rate-limit tracking, timeouts, safe redirects, concurrency limits, typed errors).
 * @packageDocumentation
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
export { systemClock, type Clock } from './internal/clock.js';
export { isLoopbackHost } from './internal/host.js';
export { isReplayable, isIdempotent } from './internal/body.js';
export { createDefaultAgent, type DefaultAgentOptions } from './dispatch/agent.js';
export { createResponse, DEFAULT_BODY_LIMIT, type ResponseInit } from './dispatch/response.js';
export {
  DIAGNOSTICS_CHANNELS,
  type TransportEvents,
  type TransportEventMap,
  type TransportEventName,
  type Disposer,
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
export { decideRetry, type RetryPolicy, type RetryDecision, type AttemptOutcome } from './middleware/retry/decide.js';
export { errorFromResponse, ERROR_BODY_LIMIT } from './registry-errors/error-from-response.js';
export { requestResumable, type ResumableOptions, type RequestSender } from './resume/request-resumable.js';
