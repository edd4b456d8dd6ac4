/**
 * `@llmdevops/docker-hub-simulation`: a simulated Docker Hub and OCI registry (registry, token
 * service, Hub API) with profiles, faults, rate limits and webhooks, served in-process or on loopback.
 * @packageDocumentation
 * @module @llmdevops/docker-hub-simulation
 */
export { createSimulator, type Simulator } from './simulator/create-simulator.js';
export type { SimulatorOptions, WebhookTarget } from './simulator/options.js';
export {
  PROFILES,
  resolveProfile,
  type ProfileName,
  type ProfileRules,
} from './profiles/profiles.js';
export type { BlobStore, ByteRange, UploadState } from './storage/blob-store.js';
export { createMemoryStore } from './storage/memory-store.js';
export { createDirectoryStore } from './storage/dir-store.js';
export {
  RegistryState,
  type ManifestRecord,
  type RepositoryRecord,
  type TagRecord,
  type StoredAccessToken,
} from './registry/state.js';
export type { RequestInfo } from './registry/registry-handler.js';
export type { TaggedPushEvent } from './registry/context.js';
export type { RegistryErrorCode } from './registry/errors.js';
export type { AuthMode } from './token-service/auth-gate.js';
export type {
  SimulatorUser,
  SimulatorAccessToken,
  HashedAccessToken,
  AccessTokenScope,
} from './token-service/users.js';
export type { HubApiRateLimitOptions } from './hub-api/hub-rate-limit.js';
export type { AccessEntry } from './token-service/jwt.js';
export type { Scope } from '@llmdevops/docker-hub-core';
export type { FaultMatch, FaultRule, RandomFaults } from './faults/faults.js';
export type { RateLimitOptions } from './faults/rate-limit.js';
export { SimulatorDispatcher } from './serve/dispatcher/simulator-dispatcher.js';
export type { FetchHandler } from './serve/fetch/fetch-handler.js';
export { listen, type ListenOptions, type ListeningServer } from './serve/node-http/listen.js';
export type { WebhookDelivery } from './webhooks/emitter.js';
export {
  buildImage,
  type BuildImageOptions,
  type BuiltImage,
  type BuiltManifest,
  type ImagePushTarget,
  type LayerSpec,
  type OciPlatform,
} from './image/build-image.js';
export {
  createCassetteProxy,
  type CassetteProxy,
  type CassetteProxyOptions,
} from './serve/proxy/cassette-proxy.js';
export {
  createCassette,
  dispatcherUpstream,
  type Cassette,
  type CassetteMode,
  type CassetteOptions,
} from './cassette/cassette.js';
export type { CassetteBody, CassetteEntry, CassetteFile } from './cassette/format.js';
export type { MatchOptions } from './cassette/match.js';
export { findSecrets, REDACTED, type RedactOptions } from './cassette/redact.js';
