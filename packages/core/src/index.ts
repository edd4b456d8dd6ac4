/**
 * `@llmdevops/docker-hub-core`: image references, digests, validation, media types, manifests,
 * platforms, the toolkit's error hierarchy, the `Secret` type, and the pieces every package
 * shares: the `Clock`, the loopback and private-host policy, the registry `errors[]` parser, token
 * scopes and options validation. No I/O.
 * @packageDocumentation
 * @module @llmdevops/docker-hub-core
 */
export * from './errors/index.js';
export { Secret } from './secret/secret.js';
export {
  validateTag,
  validateRepositoryName,
  validateNamespace,
  isValidTag,
  isValidRepositoryName,
  isValidNamespace,
  NAMESPACE_MIN_LENGTH,
  NAMESPACE_MAX_LENGTH,
} from './validation/validate.js';
export { REPOSITORY_MAX_LENGTH, TAG_MAX_LENGTH } from './validation/patterns.js';
export { lazySchema } from './validation/lazy-schema.js';
export {
  ImageReference,
  DOCKER_HUB_REGISTRY_HOST,
  DOCKER_HUB_REGISTRY,
  type ImageReferenceInit,
} from './reference/image-reference.js';
export { Digest, digestEquals, DIGEST_HEX_LENGTH, type DigestAlgorithm } from './digest/digest.js';
export { createHasher, type Hasher } from './digest/hasher.js';
export {
  verifyBytes,
  createVerifyingTransform,
  createVerifyingStream,
  type VerifyOptions,
} from './digest/verify.js';
export {
  MediaType,
  MANIFEST_MEDIA_TYPES,
  ACCEPT_MANIFEST_HEADER,
  EMPTY_DESCRIPTOR,
  EMPTY_JSON_DIGEST,
  normalizeMediaType,
  isIndexMediaType,
  isImageManifestMediaType,
  isManifestMediaType,
  type MediaTypeValue,
  type ImageManifestMediaType,
  type IndexMediaType,
  type ManifestMediaType,
} from './media-type/media-type.js';
export {
  DigestStringSchema,
  MediaTypeStringSchema,
  PlatformObjectSchema,
  DescriptorSchema,
  DockerManifestSchema,
  DockerManifestListSchema,
  OciManifestSchema,
  OciIndexSchema,
  ImageConfigSchema,
  type Descriptor,
  type PlatformObject,
  type DockerManifest,
  type DockerManifestList,
  type OciManifest,
  type OciIndex,
  type ImageConfig,
  type ImageManifest,
  type ImageIndex,
  type Manifest,
} from './manifest/schemas.js';
export {
  parseManifest,
  isParsableManifestType,
  MANIFEST_MAX_BYTES,
  type ParsedManifest,
  type ParsedImageManifest,
  type ParsedImageIndex,
} from './manifest/parse-manifest.js';
export {
  serializeManifest,
  buildManifest,
  createDescriptor,
} from './manifest/serialize-manifest.js';
export { Platform, type PlatformInit } from './platform/platform.js';
export {
  listPlatforms,
  selectManifest,
  isAttestation,
  ATTESTATION_REFERENCE_TYPE,
} from './platform/select-manifest.js';
export { systemClock, type Clock } from './clock/clock.js';
export { toDisposer, type Disposer } from './disposer/disposer.js';
export {
  isLoopbackHost,
  isNonPublicHost,
  isSecureEnough,
  parseIp,
  addToBlockList,
  type IpFamily,
  type ParsedIp,
} from './host/host.js';
export {
  parseRegistryErrors,
  parseErrorBody,
  type ParsedErrorBody,
} from './registry-errors/parse-error-body.js';
export {
  type Scope,
  makeScope,
  pullScope,
  pushScope,
  deleteScope,
  catalogScope,
  mountScopes,
  formatScope,
  parseScopes,
  tryParseScopes,
  mergeScopes,
  scopesCover,
  scopeSetKey,
} from './scope/scope.js';
export {
  validateOptions,
  optionCheck,
  type OptionCheck,
  type OptionRules,
  type NumberBounds,
} from './options/validate-options.js';
