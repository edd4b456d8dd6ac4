import type { Platform } from '@llmdevops/docker-hub-core';
import type { ImageCallOptions, ManifestWalkOptions } from '../images/types.js';
import type { ArchiveLimits } from './tar-reader.js';

/**
 * Archive formats: `docker-archive` is what `docker save` writes and `docker load` reads
 * (`manifest.json`, the config, layer tars); `oci-archive` is an OCI image layout in a tar (what
 * skopeo's `oci-archive:` reads and writes).
 * @public
 */
export type ArchiveFormat = 'docker-archive' | 'oci-archive';

/** Options of {@link ImagesService.export}. @public */
export interface ExportOptions extends ManifestWalkOptions, ImageCallOptions {
  /** Default `docker-archive`. */
  readonly format?: ArchiveFormat;
  /**
   * The platforms to take from a multi-platform image (default `linux/amd64`). A
   * `docker-archive` holds one; an `oci-archive` with several holds a new index listing just
   * them (its digest differs from the source's).
   */
  readonly platforms?: readonly (Platform | string)[];
  /** `oci-archive` only: the whole index and every manifest it lists, digests unchanged. */
  readonly allPlatforms?: boolean;
  /**
   * The name the archive gives the image: `RepoTags` of `manifest.json` for `docker-archive`,
   * `org.opencontainers.image.ref.name` for `oci-archive` (default: the reference with its tag,
   * or the tag alone in an OCI archive; none for a digest-only reference).
   */
  readonly name?: string;
  /** Whether to end the writable when the archive is complete (default true). */
  readonly end?: boolean;
}

/** What an export wrote. @public */
export interface ExportResult {
  readonly format: ArchiveFormat;
  /** Digest of the top manifest in the archive (the index with `allPlatforms`). */
  readonly digest: string;
  /** Its media type. */
  readonly mediaType: string;
  /** Manifests in the archive. */
  readonly manifests: number;
  /** Blobs (configs and layers) in the archive. */
  readonly blobs: number;
  /** Bytes written. */
  readonly bytes: number;
}

/** Options of {@link ImagesService.import}. @public */
export interface ImportOptions extends ArchiveLimits, ManifestWalkOptions, ImageCallOptions {
  /**
   * Which image of an archive holding several: a repo tag of `manifest.json` (`alpine:3.19`,
   * `docker.io/library/alpine:3.19`) or an `index.json` name (`io.containerd.image.name` or
   * `org.opencontainers.image.ref.name`). Not needed when the archive holds one image.
   */
  readonly image?: string;
  /**
   * Gzip the uncompressed layers of a `docker save` archive before pushing them. The layers'
   * digests then change (the config and its `diff_ids` do not, so the image id stays).
   */
  readonly compress?: boolean;
  /** Concurrent blob uploads (default `upload.maxConcurrentUploads`, 5). */
  readonly concurrency?: number;
  /** Directory for temporary files (default the system's); everything written there is removed. */
  readonly tempDir?: string;
}

/** What an import pushed. @public */
export interface ImportResult {
  /** Which kind of archive it was: `docker-archive` (classic `docker save`) or `oci-archive` (an OCI layout, also Docker 25+). */
  readonly format: ArchiveFormat;
  /** Digest of the manifest pushed to the reference. */
  readonly digest: string;
  /** Its media type. */
  readonly mediaType: string;
  /** Manifests pushed. */
  readonly manifests: number;
  /** Blobs uploaded. */
  readonly blobsTransferred: number;
  /** Blobs the registry had already. */
  readonly blobsSkipped: number;
}
