import {
  ATTESTATION_REFERENCE_TYPE,
  ValidationError,
  isAttestation,
  parseManifest,
  selectManifest,
  type Descriptor,
  type ImageReference,
  type Platform,
} from '@llmdevops/docker-hub-core';
import { errorFromResponse } from '@llmdevops/docker-hub-transport';
import { mapLimit } from '../internal/map-limit.js';
import type { ManifestResult } from '../manifests/manifests-service.js';
import { walkManifestGraph, type LoadManifest, type ManifestGraph } from './manifest-graph.js';
import type { BlobProgress, CopyOptions, ImageDeps, ImageTransferResult } from './types.js';

/** The annotation BuildKit puts on an attestation entry naming the image it describes. */
const ATTESTATION_SUBJECT = 'vnd.docker.reference.digest';

/** What a copy will move: its top manifest, the walked graph, and the manifest GETs spent. @internal */
export interface CopyPlan {
  /** What the destination tag will point at (the source's top manifest, or a rewritten index). */
  readonly top: ManifestResult;
  /** Manifests (children first) and distinct blobs. */
  readonly graph: ManifestGraph;
  /** True when `top` is an index rewritten to fewer platforms (its digest differs from the source's). */
  readonly rewritten: boolean;
  /** Manifest GETs the plan made at the source (what Docker Hub counts as pulls). */
  readonly manifestGets: number;
}

/**
 * Blob transfers shared by the copies of one run (one destination repository): each digest moves
 * once however many images list it. A failed transfer is forgotten, so a later image retries it.
 * @internal
 */
export type BlobTransfers = Map<string, Promise<boolean>>;

function wantedPlatforms(options: CopyOptions): readonly (Platform | string)[] {
  const list = [...(options.platforms ?? []), ...(options.platform === undefined ? [] : [options.platform])];
  if (list.length > 0 && options.allPlatforms === true) {
    throw new ValidationError('INVALID_ARGUMENT', 'choose platforms or allPlatforms, not both', list.map(String).join(','));
  }
  return list;
}

function toResult(bytes: Uint8Array, mediaType: string): ManifestResult {
  const parsed = parseManifest(bytes, mediaType);
  const common = { digest: parsed.digest.toString(), mediaType: parsed.mediaType, bytes, size: bytes.byteLength };
  return parsed.kind === 'image' ? { ...common, kind: 'image', manifest: parsed.manifest } : { ...common, kind: 'index', manifest: parsed.manifest };
}

/**
 * An index narrowed to some platforms: the matching entries (the first per platform, as the
 * spec's first-match rule picks) and the attestations describing them, in the index's order; every
 * other field of the document is kept as it was.
 */
function rewriteIndex(first: ManifestResult & { kind: 'index' }, wanted: readonly (Platform | string)[]): ManifestResult {
  const keep = new Set(wanted.map((p) => selectManifest(first.manifest, p).digest));
  const document = JSON.parse(new TextDecoder().decode(first.bytes)) as { manifests: Descriptor[] };
  document.manifests = document.manifests.filter((d) =>
    isAttestation(d) ? d.annotations?.[ATTESTATION_REFERENCE_TYPE] === 'attestation-manifest' && keep.has(d.annotations[ATTESTATION_SUBJECT] ?? '') : keep.has(d.digest),
  );
  return toResult(new TextEncoder().encode(JSON.stringify(document)), first.mediaType);
}

/**
 * Plans a copy: picks the top manifest (the whole image by default; one platform's image
 * manifest; or an index rewritten to several platforms) and walks its graph.
 * @param deps - client services
 * @param src - the source image
 * @param options - platform choice, manifest cap, signal
 * @param first - the source's top manifest when already read
 * @returns the plan
 * @internal
 */
export async function planCopy(deps: ImageDeps, src: ImageReference, options: CopyOptions, first?: ManifestResult): Promise<CopyPlan> {
  const signal = options.signal === undefined ? {} : { signal: options.signal };
  const wanted = wantedPlatforms(options);
  let gets = 0;
  const get = (ref: ImageReference): Promise<ManifestResult> => {
    gets++;
    return deps.manifests.get(ref, signal);
  };
  const source = first ?? (await get(src));
  let top = source;
  let rewritten = false;
  const [only] = wanted;
  if (source.kind === 'index' && wanted.length > 1) {
    top = rewriteIndex(source, wanted);
    // Choosing every platform of a compact index gives back the same bytes: nothing was rewritten.
    rewritten = top.digest !== source.digest;
  } else if (source.kind === 'index' && only !== undefined) {
    top = await get(src.withDigest(selectManifest(source.manifest, only).digest));
  } else if (only !== undefined) {
    // A single-platform image: checked against the wanted platform (its config is read).
    top = await deps.manifests.getForPlatform(src, only, signal);
    gets++;
  }
  const load: LoadManifest = (d, s) => {
    gets++;
    return deps.manifests.get(src.withDigest(d.digest), s === undefined ? {} : { signal: s });
  };
  const graph = await walkManifestGraph(top, load, { what: src.toString(), maxManifests: options.maxManifests, signal: options.signal });
  return { top, graph, rewritten, manifestGets: gets };
}

/** Where a copy goes from and to. @internal */
export interface CopyRoute {
  /** The source image (pinned to a digest or not). */
  readonly src: ImageReference;
  /** The destination (tag or digest). */
  readonly dst: ImageReference;
}

/**
 * The source's bytes of a blob, as an upload reads them. Not verified here: the upload hashes
 * what it sends and commits only when the digest matches (else it cancels the session), so every
 * byte is hashed once on its way, not twice (hashing was the largest cost of a copy in a profile).
 */
function sourceBytes(deps: ImageDeps, src: ImageReference, digest: string, signal: AbortSignal | undefined): AsyncIterable<Uint8Array> {
  return (async function* (): AsyncGenerator<Uint8Array> {
    // `resume`: a body cut in the middle is continued with Range under the transport's policy.
    const res = await deps.ctx.send({ method: 'GET', ref: src, path: `blobs/${digest}`, signal, operation: 'blobs', actions: ['pull'], resume: true });
    if (res.status !== 200) throw await errorFromResponse(res, `GET blob ${digest} from ${src.name}`);
    yield* res.body as AsyncIterable<Uint8Array>;
  })();
}

/**
 * Moves one blob to the destination unless it is there: mounted within a registry, else
 * streamed from source to destination (no temporary files). One HEAD first (the upload's own), so
 * a re-run moves only what is missing.
 * @returns true when bytes moved
 */
async function moveBlob(deps: ImageDeps, route: CopyRoute, d: Descriptor, signal: AbortSignal | undefined): Promise<boolean> {
  const { src, dst } = route;
  const s = signal === undefined ? {} : { signal };
  if (deps.ctx.sameRegistry(src, dst)) return (await deps.blobs.mount(dst, d.digest, src.repository, s)) === 'uploaded';
  // The upload HEADs the destination first and opens the source only when the blob is missing.
  let opened = false;
  const source = (): AsyncIterable<Uint8Array> => {
    opened = true;
    return sourceBytes(deps, src, d.digest, signal);
  };
  await deps.blobs.upload(dst, source, { digest: d.digest, size: d.size, ...s });
  return opened;
}

/**
 * Carries out a plan: every distinct blob (concurrently, shared transfers of the run joined), then
 * every manifest once, children before the indexes listing them.
 * @param deps - client services
 * @param route - source and destination
 * @param plan - from {@link planCopy}
 * @param options - concurrency, blob progress, signal, and the run's shared blob transfers
 * @returns what was copied
 * @internal
 */
export async function executeCopy(deps: ImageDeps, route: CopyRoute, plan: CopyPlan, options: CopyOptions & { readonly transfers?: BlobTransfers }): Promise<ImageTransferResult> {
  const { dst } = route;
  const transfers = options.transfers ?? new Map<string, Promise<boolean>>();
  const signal = options.signal === undefined ? {} : { signal: options.signal };
  const { top, graph } = plan;
  // Largest first: the last transfers to start are the short ones, so the slots finish together.
  const bySize = [...graph.blobs].sort((x, y) => y.size - x.size);
  const moved = await mapLimit(bySize, options.concurrency ?? deps.ctx.config.upload.maxConcurrentUploads, async (d) => {
    let transfer = transfers.get(d.digest);
    const mine = transfer === undefined;
    if (transfer === undefined) {
      transfer = moveBlob(deps, route, d, options.signal);
      transfers.set(d.digest, transfer);
      transfer.catch(() => transfers.delete(d.digest));
    }
    const bytesMoved = (await transfer) && mine;
    const progress: BlobProgress = { digest: d.digest, size: d.size, state: bytesMoved ? 'transferred' : 'skipped' };
    options.onBlob?.(progress);
    return bytesMoved;
  });
  let digest = top.digest;
  for (const m of graph.manifests) {
    const where = m === top && dst.digest === undefined ? dst : dst.withDigest(m.digest);
    digest = await deps.manifests.put(where, m.bytes, { mediaType: m.mediaType, ...signal });
  }
  const transferred = moved.filter(Boolean).length;
  return { digest, mediaType: top.mediaType, manifests: graph.manifests.length, blobsTransferred: transferred, blobsSkipped: moved.length - transferred };
}

/**
 * Copies an image between repositories or registries, streaming blobs without temporary files
 * and mounting them within one registry. By default the whole image moves (an index with every
 * platform), so the destination digest equals the source's; with platforms chosen, one platform's
 * image manifest or an index rewritten to the chosen platforms (a new digest). The source's
 * manifest graph is walked first (each digest once, capped), then every distinct blob the
 * destination lacks moves, then every manifest is pushed once, children before the indexes
 * listing them.
 * @param deps - client services
 * @param src - the source image
 * @param dst - the destination (tag or digest)
 * @param options - platform choice, concurrency, manifest cap, signal
 * @returns what was copied
 * @internal
 */
export async function copyImage(deps: ImageDeps, src: ImageReference, dst: ImageReference, options: CopyOptions): Promise<ImageTransferResult> {
  const plan = await planCopy(deps, src, options);
  const result = await executeCopy(deps, { src, dst }, plan, options);
  return { ...result, ...(plan.rewritten ? { indexRewritten: true } : {}) };
}
