import { LimitExceededError, MediaType, type Descriptor, type ImageReference } from '@llmdevops/docker-hub-core';
import type { CallOptions } from '../client/ref.js';
import { executeCopy, planCopy, type BlobTransfers } from '../images/copy-image.js';
import { walkManifestGraph } from '../images/manifest-graph.js';
import type { CopyOptions, ImageDeps, ImageTransferResult } from '../images/types.js';
import { listReferrers } from '../vulnerabilities/referrers.js';
import { addToFallbackIndex } from './attach-artifact.js';

/** Levels of referrers of referrers followed by a copy (a signature of an SBOM is level 2). */
export const MAX_REFERRER_DEPTH = 8;
/** Referrers one copy moves at most. */
export const MAX_COPIED_REFERRERS = 1000;

/** Options of {@link copyReferrers}. @internal */
export interface CopyReferrersOptions extends CallOptions {
  /** Blob transfers shared with the image copy of the same run (each digest moves once). */
  readonly transfers?: BlobTransfers;
  /** Called after each referrer is copied. */
  readonly onReferrer?: (descriptor: Descriptor) => void;
}

/** What a copy of referrers moved (`client.referrers.copy`, copies with `referrers: true`). @public */
export interface CopiedReferrers {
  /** Digests of the referrers copied (each once), subjects before their referrers. */
  readonly digests: readonly string[];
  /** How the destination makes them findable: its referrers API, or the `sha256-<hex>` fallback tags it was given. */
  readonly via: 'referrers' | 'referrers-tag' | 'none';
  /** Blobs the referrers brought (mounted or streamed). */
  readonly blobsTransferred: number;
}

/**
 * Copies every referrer of the given subjects from `src`'s repository to `dst`'s, recursively
 * (referrers of referrers, down to {@link MAX_REFERRER_DEPTH} levels), each digest once. Each
 * referrer is copied with its exact bytes (so its digest, and the subject digest it names, are
 * unchanged and signatures still verify), its own graph walked with `walkManifestGraph` and its
 * blobs moved as an image copy moves them. Referrers are found with the source's referrers API or
 * its fallback tag; where the destination has no referrers API, its `sha256-<hex>` fallback index
 * is updated for each one (read, modified, written).
 * @param deps - client services
 * @param route - the source and destination repositories (tags or digests in them are ignored)
 * @param subjects - the digests whose referrers travel (the copied manifests)
 * @param options - shared blob transfers, progress, signal
 * @returns the referrers copied and the destination's mechanism
 * @throws {@link @llmdevops/docker-hub-core!LimitExceededError | LimitExceededError} past {@link MAX_REFERRER_DEPTH} levels or {@link MAX_COPIED_REFERRERS} referrers
 * @internal
 */
export async function copyReferrers(
  deps: ImageDeps,
  route: { readonly src: ImageReference; readonly dst: ImageReference },
  subjects: readonly string[],
  options: CopyReferrersOptions = {},
): Promise<CopiedReferrers> {
  const { src, dst } = route;
  const { signal } = options;
  const call = signal === undefined ? {} : { signal };
  const transfers = options.transfers ?? new Map<string, Promise<boolean>>();
  const seen = new Set<string>(subjects);
  const digests: string[] = [];
  let via: CopiedReferrers['via'] = 'none';
  let blobsTransferred = 0;
  let level = [...new Set(subjects)];
  for (let depth = 1; level.length > 0; depth++) {
    const next: string[] = [];
    for (const subject of level) {
      const found = await listReferrers(deps.ctx, src, subject, signal);
      const fresh = found.descriptors.filter((d) => !seen.has(d.digest));
      if (fresh.length === 0) continue;
      if (depth > MAX_REFERRER_DEPTH) throw new LimitExceededError('maxDepth', MAX_REFERRER_DEPTH, `referrers of ${src.name}@${subject} nest deeper`);
      if (via === 'none') via = (await listReferrers(deps.ctx, dst, subject, signal)).via;
      for (const d of fresh) {
        seen.add(d.digest);
        if (digests.length >= MAX_COPIED_REFERRERS) throw new LimitExceededError('maxReferrers', MAX_COPIED_REFERRERS, `referrers copied from ${src.name}`);
        const from = src.withDigest(d.digest);
        const top = await deps.manifests.get(from, call);
        const graph = await walkManifestGraph(top, (c, s) => deps.manifests.get(src.withDigest(c.digest), s === undefined ? {} : { signal: s }), { what: from.toString(), signal });
        const result = await executeCopy(deps, { src: from, dst: dst.withDigest(d.digest) }, { top, graph, rewritten: false, manifestGets: 0 }, { ...call, transfers });
        blobsTransferred += result.blobsTransferred;
        if (via === 'referrers-tag') {
          const entry: Descriptor = { ...d, mediaType: d.mediaType === '' ? MediaType.OciManifest : d.mediaType, size: top.size };
          await addToFallbackIndex(deps.ctx, dst, { subject, entry, signal });
        }
        digests.push(d.digest);
        options.onReferrer?.(d);
        next.push(d.digest);
      }
    }
    level = next;
  }
  return { digests, via, blobsTransferred };
}

/**
 * An image copy (as `images.copy` does it) followed by the referrers of every manifest it copied,
 * sharing its blob transfers.
 * @param deps - client services
 * @param src - the source image
 * @param dst - the destination
 * @param options - the copy's options
 * @returns what was copied, with `referrers` the number of referrers and their blobs counted in `blobsTransferred`
 * @internal
 */
export async function copyImageWithReferrers(deps: ImageDeps, src: ImageReference, dst: ImageReference, options: CopyOptions): Promise<ImageTransferResult> {
  const transfers: BlobTransfers = new Map();
  const plan = await planCopy(deps, src, options);
  const result = await executeCopy(deps, { src, dst }, plan, { ...options, transfers });
  const call = options.signal === undefined ? {} : { signal: options.signal };
  const referrers = await copyReferrers(deps, { src, dst }, plan.graph.manifests.map((m) => m.digest), { ...call, transfers });
  return {
    ...result,
    blobsTransferred: result.blobsTransferred + referrers.blobsTransferred,
    ...(plan.rewritten ? { indexRewritten: true } : {}),
    referrers: referrers.digests.length,
  };
}
