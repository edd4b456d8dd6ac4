/**
 * `@llmdevops/docker-hub-services`: `DockerHubClient` with manifests, tags, blobs and whole-image
 * pull/push/copy, and its configuration.
 * @packageDocumentation
 * @module @llmdevops/docker-hub-services
 */
export { DockerHubConfig, type FromFileOptions } from './config/docker-hub-config.js';
export { DockerHubConfigBuilder } from './config/builder.js';
export { parseConfig, isResolvedConfig, type ParseConfigOptions } from './config/parse-config.js';
export {
  DockerHubConfigSchema,
  type DockerHubConfigInput,
  type ResolvedDockerHubConfig,
} from './config/schema.js';
export {
  DockerHubClient,
  type ClientDeps,
  type LoginOptions,
  type LoginResult,
} from './client/docker-hub-client.js';
export { DOCKER_HUB_REGISTRY_URL } from './client/context.js';
export type { ClientEvents, ClientEventMap, ClientEventName } from './client/client-events.js';
export type { MirrorEvent, SkippedEndpoint } from './client/mirrors.js';
export type { ClientLogger } from './client/trace.js';
export type { ClientTelemetry, ClientTelemetryOptions } from './client/telemetry.js';
// Telemetry with registry and Docker Hub meaning (the transport emits the protocol-generic rest).
export {
  IMAGE_METRIC_NAMES,
  IMAGE_METRIC_DEFINITIONS,
  METRIC_NAMES,
  METRIC_DEFINITIONS,
  type ImageMetricKey,
  type MetricKey,
} from './telemetry/metric-names.js';
export { routeTemplate } from './telemetry/route-template.js';
export {
  recordDigestMismatch,
  type DigestMismatchAttributes,
  type RecordDigestMismatchOptions,
} from './telemetry/digest-mismatch.js';
export {
  createVulnerabilityGauge,
  type VulnerabilityGauge,
  type VulnerabilityGaugeOptions,
  type VulnerabilityLabels,
} from './telemetry/vulnerability-gauge.js';
export type { ReferenceInput, CallOptions } from './client/ref.js';
export {
  type ManifestsService,
  type ManifestResult,
  type ManifestHead,
  type PutManifestOptions,
} from './manifests/manifests-service.js';
export {
  PullBudget,
  openPullBudget,
  isBudgetUrl,
  BUDGET_URL_SCHEMES,
  type PullBudgetOptions,
  type OpenPullBudgetOptions,
  type BudgetExhaustedMode,
  type BudgetPriority,
  type BudgetKeyStatus,
  type BudgetStatus,
  type BudgetKey,
  type BudgetTarget,
  BudgetStoreError,
} from './budget/index.js';
export {
  type TagsService,
  type TagPageOptions,
  type TagDeleteResult,
  type PruneOptions,
  type TagDetail,
} from './tags/tags-service.js';
export {
  planPrune,
  checkPrunePolicy,
  keepSharedDigests,
  type PrunePolicy,
  type PruneCandidate,
  type PruneDecision,
  type PruneResult,
  type PruneRule,
} from './tags/prune.js';
export {
  compileTagFilter,
  tagSatisfies,
  type TagFilter,
  type TagFilterOptions,
  type TagWithTime,
} from './tags/tag-filter.js';
export {
  type BlobsService,
  type GetBlobOptions,
  type UploadOptions,
  type MountResult,
} from './blobs/blobs-service.js';
export type { BlobSource } from './blobs/blob-source.js';
export type { UploadStrategy } from './blobs/upload-engine.js';
export type { UploadSession, UploadProgress } from './blobs/upload-session.js';
export type { ImagesService } from './images/images-service.js';
export * from './archives/index.js';
export type {
  ArtifactFile,
  AttachArtifactOptions,
  AttachedArtifact,
} from './referrers/attach-artifact.js';
export {
  type ReferrersService,
  type ListReferrersOptions,
  type ReferrerTreeOptions,
  type Referrers,
  type ReferrerNode,
} from './referrers/referrers-service.js';
export type { ArtifactsService } from './referrers/artifacts-service.js';
export {
  TITLE_ANNOTATION,
  checkArtifactTitle,
  checkArtifactType,
  type PushArtifactOptions,
  type PushedArtifact,
  type PullArtifactOptions,
  type PulledArtifact,
  type PulledFile,
} from './referrers/artifacts.js';
export type { IndexesService, IndexEditOptions, IndexEditResult } from './images/index-edit.js';
export type { CopiedReferrers } from './referrers/copy-referrers.js';
export type {
  ImageDetails,
  IndexDetails,
  IndexEntry,
  InspectOptions,
} from './images/inspect-image.js';
export { REF_NAME_ANNOTATION } from './images/oci-layout.js';
export { DEFAULT_MAX_MANIFESTS, MAX_MANIFEST_DEPTH } from './images/manifest-graph.js';
export type {
  BlobProgress,
  ImageCallOptions,
  PlatformChoice,
  CopyPlatformChoice,
  ManifestWalkOptions,
  PullOptions,
  PushOptions,
  CopyOptions,
  ImageTransferResult,
  CopyRepositoryOptions,
  CopyRepositoryResult,
  CopyRepositoryEvent,
  TagCopyResult,
  PlannedBlob,
} from './images/types.js';
export {
  parseSyncConfig,
  loadSyncFile,
  type SyncConfig,
  type SyncEntry,
  type SyncSettings,
} from './images/sync/sync-config.js';
export type {
  SyncOptions,
  SyncEvent,
  SyncEntryResult,
  SyncResult,
} from './images/sync/run-sync.js';
export type { PullBudgetView, RateLimitPlanOptions } from './images/rate-plan.js';
export * from './hub/index.js';
export * from './vulnerabilities/index.js';
export * from './rate-limit/index.js';
