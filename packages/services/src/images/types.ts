import type { Clock, Platform } from '@llmdevops/docker-hub-core';
import type { BlobsService } from '../blobs/blobs-service.js';
import type { ClientContext } from '../client/context.js';
import type { CallOptions } from '../client/ref.js';
import type { ManifestsService } from '../manifests/manifests-service.js';
import type { HubTagsService } from '../hub/hub-tags-service.js';
import type { TagFilterOptions } from '../tags/tag-filter.js';
import type { TagsService } from '../tags/tags-service.js';
import type { RateLimitPlanOptions } from './rate-plan.js';

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

/**
 * Which platforms of a multi-platform image a copy takes. By default the whole image: the index
 * and every platform, so the destination digest equals the source's.
 * @public
 */
export interface CopyPlatformChoice {
  /**
   * One platform: the destination tag then points at that platform's image manifest (the
   * source's own bytes and digest for that platform, not the index's).
   */
  readonly platform?: Platform | string;
  /**
   * Several platforms: with one, as `platform`; with more, the index is rewritten to list only
   * those platforms (and the attestations describing them), so its digest differs from the
   * source's.
   */
  readonly platforms?: readonly (Platform | string)[];
  /** Every platform and the index itself: the default, kept for compatibility. */
  readonly allPlatforms?: boolean;
}

/** Options of {@link ImagesService.copy}. @public */
export interface CopyOptions extends CopyPlatformChoice, ManifestWalkOptions, ImageCallOptions {
  /** Concurrent blob transfers (default `upload.maxConcurrentUploads`, 5). */
  readonly concurrency?: number;
  /**
   * Copy the referrers of every copied manifest too (signatures, SBOMs, attestations, and their
   * referrers), with their exact bytes, found by the source's referrers API or fallback tag and
   * made findable at the destination by its API or its fallback tag.
   */
  readonly referrers?: boolean;
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
  /** A copy with `referrers`: how many referrers were copied. */
  readonly referrers?: number;
  /** Set on a copy whose index was rewritten to the chosen platforms (so its digest is new). */
  readonly indexRewritten?: boolean;
}

/** What the image operations need from the client. @internal */
export interface ImageDeps {
  readonly ctx: ClientContext;
  readonly manifests: ManifestsService;
  readonly blobs: BlobsService;
  /** Tag lists (created from `ctx` and `manifests` when absent). */
  readonly tags?: TagsService | undefined;
  /** Docker Hub tag metadata, for `last` N by push time (created from `ctx` when absent). */
  readonly hubTags?: HubTagsService | undefined;
}

/** A blob a dry run would move: the destination lacks it. @public */
export interface PlannedBlob {
  readonly digest: string;
  readonly size: number;
}

/** Options of {@link ImagesService.copyRepository}. @public */
export interface CopyRepositoryOptions extends CopyPlatformChoice, ManifestWalkOptions, ImageCallOptions {
  /** Which tags (default every tag): include/exclude patterns, semver range, last N. */
  readonly tags?: TagFilterOptions;
  /** Tags copied at once (default 4). */
  readonly jobs?: number;
  /** Concurrent blob transfers per tag (default `upload.maxConcurrentUploads`, 5). */
  readonly concurrency?: number;
  /** Try every tag even after a failure (default: the first failure stops new tags; those in flight finish). */
  readonly keepGoing?: boolean;
  /**
   * Plan only: tags, digests, the blobs the destination lacks with their sizes, and the manifest
   * GETs the copy spends. Reads (HEADs, manifest GETs) but writes nothing.
   */
  readonly dryRun?: boolean;
  /**
   * Copy each tag's referrers too (signatures, SBOMs, attestations, and their referrers), with
   * their exact bytes, found by the source's referrers API or fallback tag and made findable at
   * the destination the same way; for unchanged tags, the referrers of the top manifest (new
   * ones are copied). Not done by a dry run.
   */
  readonly referrers?: boolean;
  /** When aborted, no new tag starts and the tags in flight finish (a graceful stop, unlike `signal`). */
  readonly drain?: AbortSignal;
  /**
   * When the source reports a pull budget (Docker Hub's rate-limit headers, which HEADs carry):
   * before the manifest GETs the run checks that the budget covers them (one per changed tag
   * before any GET, then the first changed image's count for each); short, it stops with
   * `RateLimitError` naming needed, remaining and the reset, or with `waitForReset` waits. A 429
   * during the run pauses every tag until the reset instead of failing tag after tag.
   */
  readonly rateLimit?: RateLimitPlanOptions;
  /** Time source for rate-limit waits (default the system clock). */
  readonly clock?: Clock;
  /**
   * Called as the run progresses.
   * @param event - what happened
   */
  readonly onEvent?: (event: CopyRepositoryEvent) => void;
}

/** What happened to one tag of a repository copy. @public */
export interface TagCopyResult {
  readonly tag: string;
  /**
   * `copied`; `unchanged` (the destination already had this digest); `planned` (dry run: would
   * be copied); `failed` (see `message`).
   */
  readonly state: 'copied' | 'unchanged' | 'planned' | 'failed';
  /** The source tag's digest (HEAD). */
  readonly sourceDigest?: string;
  /** The digest the destination tag points at (or would, for a dry run). */
  readonly digest?: string;
  /** Why it failed: `CODE: message`. */
  readonly message?: string;
  /** The failure itself. */
  readonly error?: Error;
  /** Manifests of the image (index and images). */
  readonly manifests?: number;
  /** Dry run: the blobs the destination lacks, each listed once per run (under the first tag needing it). */
  readonly blobs?: readonly PlannedBlob[];
  /** Manifest GETs spent at the source (Docker Hub counts these as pulls; HEADs are free). */
  readonly manifestGets: number;
  readonly blobsTransferred: number;
  readonly blobsSkipped: number;
  /** Bytes of the blobs this tag moved (for a dry run: would move). */
  readonly bytesTransferred: number;
  /** Set when the index was rewritten to the chosen platforms (its digest differs from the source's). */
  readonly indexRewritten?: boolean;
  /** With `referrers`: how many referrers were copied for this tag. */
  readonly referrers?: number;
}

/** What a repository copy did. @public */
export interface CopyRepositoryResult {
  /** Source repository (`registry/repository`). */
  readonly source: string;
  /** Destination repository. */
  readonly target: string;
  readonly dryRun: boolean;
  /** The tags tried, in selection order. */
  readonly tags: readonly TagCopyResult[];
  /** Selected tags never started (a failure without `keepGoing`, or a drain). */
  readonly notStarted: readonly string[];
  readonly copied: number;
  readonly unchanged: number;
  readonly failed: number;
  /** Dry run: tags that would be copied. */
  readonly planned: number;
  /** Manifest GETs spent at the source. */
  readonly manifestGets: number;
  readonly blobsTransferred: number;
  readonly bytesTransferred: number;
  /** The manifest GETs the run was estimated to need, when the source reports a pull budget. */
  readonly manifestGetsNeeded?: number;
}

/** A step of a repository copy. @public */
export type CopyRepositoryEvent =
  /** The tags selected, before any is copied. */
  | { readonly type: 'tags'; readonly tags: readonly string[] }
  /** A tag starts. */
  | { readonly type: 'tag-start'; readonly tag: string }
  /** A blob of a tag finished. */
  | { readonly type: 'blob'; readonly tag: string; readonly blob: BlobProgress }
  /** A tag finished (any state). */
  | { readonly type: 'tag'; readonly result: TagCopyResult }
  /**
   * The run waits for the pull budget: `budget` (too few pulls left for the plan, `waitForReset`)
   * or `too-many-requests` (a 429 during the run).
   */
  | {
      readonly type: 'rate-limit-wait';
      readonly reason: 'budget' | 'too-many-requests';
      readonly until: Date;
      readonly needed?: number;
      readonly remaining?: number;
    };
