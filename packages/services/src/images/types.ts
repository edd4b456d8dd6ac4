import type { Platform } from '@llmdevops/docker-hub-core';
import type { BlobsService } from '../blobs/blobs-service.js';
import type { ClientContext } from '../client/context.js';
import type { CallOptions } from '../client/ref.js';
import type { ManifestsService } from '../manifests/manifests-service.js';

/** One blob finished during a pull, push or copy (for progress bars). @public */
export interface BlobProgress {
  readonly digest: string;
  readonly size: number;
  /** `transferred`: bytes moved; `skipped`: already there (or mounted). */
  readonly state: 'transferred' | 'skipped';
}

/** Options every image operation takes. @public */
export interface ImageCallOptions extends CallOptions {
  /**
   * Called as each blob finishes.
   * @param progress - the blob and what happened to it
   */
  readonly onBlob?: (progress: BlobProgress) => void;
}

/** Caps on the manifest graph of an image. @public */
export interface ManifestWalkOptions {
  /**
   * Most manifests one image may have, the top one included (default 10,000). Each distinct
   * digest counts once, however many indexes list it; past the cap the operation fails with
   * `LimitExceededError` (`limit` `maxManifests`) before loading more. Nesting is capped at 8
   * levels (`maxDepth`).
   */
  readonly maxManifests?: number;
}

/** Which platforms to take from a multi-platform image. @public */
export interface PlatformChoice {
  /** One platform (default `linux/amd64`); the layout then holds that image manifest only. */
  readonly platform?: Platform | string;
  /** Every manifest of the index, and the index itself. */
  readonly allPlatforms?: boolean;
}

/** Options of {@link ImagesService.pull}. @public */
export interface PullOptions extends PlatformChoice, ManifestWalkOptions, ImageCallOptions {
  /** `org.opencontainers.image.ref.name` in `index.json` (default the reference's tag). */
  readonly refName?: string;
  /** Concurrent blob downloads (default `upload.maxConcurrentDownloads`, 10). */
  readonly concurrency?: number;
}

/** Options of {@link ImagesService.push}. @public */
export interface PushOptions extends ManifestWalkOptions, ImageCallOptions {
  /** Which image of the layout (`org.opencontainers.image.ref.name`; default the reference's tag, or the only one). */
  readonly refName?: string;
  /** Concurrent blob uploads (default `upload.maxConcurrentUploads`, 5). */
  readonly concurrency?: number;
}

/** Options of {@link ImagesService.copy}. @public */
export interface CopyOptions extends PlatformChoice, ManifestWalkOptions, ImageCallOptions {
  /** Concurrent blob transfers (default `upload.maxConcurrentUploads`, 5). */
  readonly concurrency?: number;
}

/** What a pull, push or copy did. @public */
export interface ImageTransferResult {
  /** Digest of the top manifest (the index with `allPlatforms`, else the image manifest). */
  readonly digest: string;
  /** Its media type. */
  readonly mediaType: string;
  /** Manifests written (index and images). */
  readonly manifests: number;
  /** Blobs transferred (not counting ones already present). */
  readonly blobsTransferred: number;
  /** Blobs skipped because the destination had them (or mounted, for a copy). */
  readonly blobsSkipped: number;
}

/** What the image operations need from the client. @internal */
export interface ImageDeps {
  readonly ctx: ClientContext;
  readonly manifests: ManifestsService;
  readonly blobs: BlobsService;
}
