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
