/**
 * `@llmdevops/docker-hub-webhooks`: receive Docker Hub push webhooks and CNCF distribution
 * notifications safely (shared secret, HMAC, source allow-list, size and shape limits), typed,
 * deduplicated and optionally confirmed against the registry. Makes no outgoing requests.
 * @packageDocumentation
 * @module @llmdevops/docker-hub-webhooks
 */
export {
  createWebhooks,
  type Webhooks,
  type WebhooksSettings,
  type WebhookRequestMeta,
  type AcceptResult,
} from './handler/create-webhooks.js';
export {
  type WebhooksOptions,
  type SharedSecretOptions,
  type SignatureOptions,
  type ConfirmContext,
  type SecretInput,
} from './handler/options.js';
export {
  createDedupeStore,
  type DedupeStore,
  type DedupeStoreOptions,
} from './handler/dedupe-window.js';
export {
  type WebhookEvent,
  type WebhookEventMap,
  type WebhookEventName,
  type WebhookEventCommon,
  type WebhookAction,
  type WebhookSource,
  type WebhookPushEvent,
  type DockerHubPushEvent,
  type DistributionWebhookEvent,
} from './handler/events.js';
export {
  type WebhookListener,
  type WebhookListenerError,
  type WebhookErrorHandler,
} from './handler/listener-registry.js';
export {
  DockerHubPushPayloadSchema,
  DockerHubPushDataSchema,
  DockerHubRepositorySchema,
  type DockerHubPushPayload,
} from './schemas/docker-hub-push.js';
export {
  DistributionEnvelopeSchema,
  DistributionEventSchema,
  DistributionTargetSchema,
  DistributionRequestSchema,
  DistributionActionSchema,
  DISTRIBUTION_EVENTS_MEDIA_TYPES,
  type DistributionEnvelope,
  type DistributionEvent,
  type DistributionAction,
} from './schemas/distribution-envelope.js';
export { parseJsonSafely, DEFAULT_JSON_LIMITS, type JsonLimits } from './schemas/parse-json.js';
export { signPayload, verifySignature, SIGNATURE_HEADER } from './verify/signature.js';
export {
  matchesSharedSecret,
  DEFAULT_SECRET_NAMES,
  type SharedSecretLocation,
} from './verify/shared-secret.js';
export { createSourceAllowList, type SourceCheck } from './verify/source-allow-list.js';
export { parseCallbackUrl } from './callback/callback-url.js';
export { isNonPublicHost } from '@llmdevops/docker-hub-core';
export {
  createNodeMiddleware,
  type NodeMiddlewareOptions,
  type NodeWebhookMiddleware,
  type NodeWebhookRequest,
} from './adapters/node/node-middleware.js';
export { createFetchHandler, type FetchHandlerOptions } from './adapters/fetch/fetch-handler.js';
export { type WebhookHeaders } from './handler/headers.js';
