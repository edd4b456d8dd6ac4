/**
 * Media types of OCI and Docker manifests, configs and layers.
 * @example
 * ```ts
 * if (descriptor.mediaType === MediaType.OciIndex) { ... }
 * ```
 * @public
 */
export const MediaType = {
  /** OCI image manifest. */
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  /** OCI image index (multi-platform). */
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  /** OCI image config. */
  OciConfig: 'application/vnd.oci.image.config.v1+json',
  /** OCI layer, uncompressed tar. */
  OciLayer: 'application/vnd.oci.image.layer.v1.tar',
  /** OCI layer, gzip. */
  OciLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  /** OCI layer, zstd. */
  OciLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  /** OCI non-distributable layer (deprecated). */
  OciLayerNondistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  /** OCI non-distributable layer, gzip (deprecated). */
  OciLayerNondistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  /** OCI non-distributable layer, zstd (deprecated). */
  OciLayerNondistributableZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  /** The empty JSON object `{}`, used as config or layer of artifacts. */
  OciEmpty: 'application/vnd.oci.empty.v1+json',
  /** An OCI descriptor document. */
  OciDescriptor: 'application/vnd.oci.descriptor.v1+json',
  /** The `oci-layout` file of an image layout. */
  OciLayoutHeader: 'application/vnd.oci.layout.header.v1+json',
  /** Docker image manifest, schema 2. */
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  /** Docker manifest list ("fat manifest"). */
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  /** Docker image config. */
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  /** Docker layer, gzip. */
  DockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  /** Docker layer, uncompressed. */
  DockerLayerUncompressed: 'application/vnd.docker.image.rootfs.diff.tar',
  /** Docker foreign layer (has `urls`; never pushed). */
  DockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  /** Docker plugin config. */
  DockerPluginConfig: 'application/vnd.docker.plugin.v1+json',
  /** Docker schema 1 manifest, unsigned (deprecated). */
  DockerSchema1Manifest: 'application/vnd.docker.distribution.manifest.v1+json',
  /** Docker schema 1 manifest, signed JWS (deprecated). */
  DockerSchema1SignedManifest: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  /** in-toto attestation statement (BuildKit attestation layers). */
  InToto: 'application/vnd.in-toto+json',
  /** BuildKit attestation config, as BuildKit's documentation names it. */
  DockerAttestationConfig: 'application/vnd.docker.attestation.config.v1+json',
} as const;

/** Any value of {@link MediaType}. @public */
export type MediaTypeValue = (typeof MediaType)[keyof typeof MediaType];

/** Media types of image manifests (one platform). @public */
export type ImageManifestMediaType = typeof MediaType.OciManifest | typeof MediaType.DockerManifest;
/** Media types of indexes (several manifests). @public */
export type IndexMediaType = typeof MediaType.OciIndex | typeof MediaType.DockerManifestList;
/** Media types {@link parseManifest} understands. @public */
export type ManifestMediaType = ImageManifestMediaType | IndexMediaType;

/**
 * Every manifest media type a registry may answer with, most preferred first: the four current
 * ones, then the deprecated schema 1 types (so old images are reported rather than 404).
 * @public
 */
export const MANIFEST_MEDIA_TYPES: readonly string[] = Object.freeze([
  MediaType.OciIndex,
  MediaType.OciManifest,
  MediaType.DockerManifestList,
  MediaType.DockerManifest,
  MediaType.DockerSchema1SignedManifest,
  MediaType.DockerSchema1Manifest,
]);

/** The `Accept` header value for manifest requests: every type of {@link MANIFEST_MEDIA_TYPES}. @public */
export const ACCEPT_MANIFEST_HEADER: string = MANIFEST_MEDIA_TYPES.join(', ');

/** Digest of the empty JSON object `{}`. @public */
export const EMPTY_JSON_DIGEST =
  'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';

/** The OCI empty descriptor (`{}`, size 2, data inlined), for artifacts without config or layers. @public */
export const EMPTY_DESCRIPTOR: {
  readonly mediaType: typeof MediaType.OciEmpty;
  readonly digest: string;
  readonly size: 2;
  readonly data: 'e30=';
} = Object.freeze({
  mediaType: MediaType.OciEmpty,
  digest: EMPTY_JSON_DIGEST,
  size: 2,
  data: 'e30=',
});

/**
 * The bare media type of a `Content-Type` value: parameters dropped, lower-cased.
 * @param contentType - e.g. `application/vnd.oci.image.index.v1+json; charset=utf-8`
 * @returns e.g. `application/vnd.oci.image.index.v1+json`
 * @public
 */
export function normalizeMediaType(contentType: string): string {
  const semicolon = contentType.indexOf(';');
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

/**
 * Whether a media type is an index (OCI image index or Docker manifest list).
 * @param mediaType - a media type or `Content-Type` value
 * @returns true for index types
 * @public
 */
export function isIndexMediaType(mediaType: string | undefined): boolean {
  if (mediaType === undefined) return false;
  const type = normalizeMediaType(mediaType);
  return type === MediaType.OciIndex || type === MediaType.DockerManifestList;
}

/**
 * Whether a media type is a single-platform image manifest (OCI or Docker schema 2).
 * @param mediaType - a media type or `Content-Type` value
 * @returns true for image manifest types
 * @public
 */
export function isImageManifestMediaType(mediaType: string | undefined): boolean {
  if (mediaType === undefined) return false;
  const type = normalizeMediaType(mediaType);
  return type === MediaType.OciManifest || type === MediaType.DockerManifest;
}

/**
 * Whether a media type is any manifest type a registry serves on `/manifests/` (image manifest,
 * index or deprecated schema 1).
 * @param mediaType - a media type or `Content-Type` value
 * @returns true for manifest types
 * @public
 */
export function isManifestMediaType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && MANIFEST_MEDIA_TYPES.includes(normalizeMediaType(mediaType));
}
