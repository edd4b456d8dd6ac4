import {
  ATTESTATION_REFERENCE_TYPE,
  ImageConfigSchema,
  MediaType,
  NotFoundError,
  Platform,
  PlatformNotFoundError,
  ValidationError,
  isAttestation,
  listPlatforms,
  type Descriptor,
  type ImageReference,
  type PlatformObject,
} from '@llmdevops/docker-hub-core';
import type { ClientContext } from '../client/context.js';
import { refAttributes } from '../client/telemetry.js';
import { toReference, type CallOptions, type ReferenceInput } from '../client/ref.js';
import type { BlobsService } from '../blobs/blobs-service.js';
import type { ManifestResult, ManifestsService } from '../manifests/manifests-service.js';
import { executeCopy, type BlobTransfers, type CopyPlan } from './copy-image.js';
import { walkManifestGraph } from './manifest-graph.js';
import type { ImageDeps } from './types.js';

/** The annotation BuildKit puts on an attestation entry naming the image it describes. */
const ATTESTATION_SUBJECT = 'vnd.docker.reference.digest';
/** Image configs read to learn a platform are capped. */
const CONFIG_MAX_BYTES = 4 * 1024 * 1024;
const IMAGE_CONFIG_TYPES: ReadonlySet<string> = new Set([MediaType.OciConfig, 'application/vnd.docker.container.image.v1+json']);

/** Options of the index edits. @public */
export interface IndexEditOptions extends CallOptions {
  /** Cap on the manifests walked per image brought from another repository (default 10,000). */
  readonly maxManifests?: number;
}

/** What an index edit pushed. @public */
export interface IndexEditResult {
  /** The new index's digest. */
  readonly digest: string;
  readonly mediaType: string;
  /** Size of the new index in bytes. */
  readonly size: number;
  /** Every entry of the new index, in order (exactly as written). */
  readonly manifests: readonly Descriptor[];
  /** Digests of the entries added (for create and add), or kept (for filter). */
  readonly added: readonly string[];
  /** Digests of the entries taken out (remove, or replaced by add). */
  readonly removed: readonly string[];
  /** Blobs moved into the target repository (mounted or streamed); 0 within one repository. */
  readonly blobsTransferred: number;
}

/** An index document as read: every field kept, entries as written. */
interface IndexDocument {
  readonly [key: string]: unknown;
  manifests: Descriptor[];
}

/** A source image's entries for a new index and where they live. */
interface SourceEntries {
  readonly ref: ImageReference;
  readonly entries: readonly Descriptor[];
}

function signalOf(options: CallOptions): { signal?: AbortSignal } {
  return options.signal === undefined ? {} : { signal: options.signal };
}

function sameRepository(ctx: ClientContext, a: ImageReference, b: ImageReference): boolean {
  return ctx.sameRegistry(a, b) && a.repository === b.repository;
}

function documentOf(m: ManifestResult & { kind: 'index' }): IndexDocument {
  return JSON.parse(new TextDecoder().decode(m.bytes)) as IndexDocument;
}

function platformText(p: PlatformObject | undefined): string {
  return p === undefined ? 'no platform' : [p.os, p.architecture, p.variant].filter((x) => x !== undefined).join('/');
}

function requireTag(ref: ImageReference, what: string): void {
  if (ref.digest !== undefined || ref.tag === undefined) {
    throw new ValidationError('INVALID_ARGUMENT', `${what} ${ref.toString()} must name a tag (the new index gets a new digest)`, ref.toString());
  }
}

/** Reads a manifest, turning a 404 into an error that names the missing input. */
async function load(deps: ImageDeps, ref: ImageReference, what: string, options: CallOptions): Promise<ManifestResult> {
  try {
    return await deps.manifests.get(ref, signalOf(options));
  } catch (err) {
    if (err instanceof NotFoundError) {
      throw new NotFoundError(`${what} ${ref.toString()} does not exist`, { status: 404, registryErrors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] });
    }
    throw err;
  }
}

async function loadIndex(deps: ImageDeps, ref: ImageReference, options: CallOptions): Promise<ManifestResult & { kind: 'index' }> {
  const m = await load(deps, ref, 'index', options);
  if (m.kind !== 'index') throw new ValidationError('INVALID_ARGUMENT', `${ref.toString()} is a single image (${m.mediaType}), not an index`, ref.toString());
  return m;
}

/** The platform of an image manifest, from its config blob. */
async function platformOf(deps: ImageDeps, ref: ImageReference, m: ManifestResult & { kind: 'image' }, options: CallOptions): Promise<PlatformObject> {
  const config = m.manifest.config;
  if (!IMAGE_CONFIG_TYPES.has(config.mediaType)) {
    throw new ValidationError('INVALID_ARGUMENT', `${ref.toString()} is not an image (its config is ${config.mediaType}): it has no platform to list in an index`, ref.toString());
  }
  if (config.size > CONFIG_MAX_BYTES) throw new ValidationError('INVALID_ARGUMENT', `the config of ${ref.toString()} is ${config.size} bytes, more than ${CONFIG_MAX_BYTES}`, config.digest);
  const chunks: Buffer[] = [];
  for await (const chunk of deps.blobs.get(ref, config.digest, { size: config.size, ...signalOf(options) })) chunks.push(chunk as Buffer);
  const parsed = ImageConfigSchema.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
  return {
    os: parsed.os,
    architecture: parsed.architecture,
    ...(typeof parsed.variant === 'string' ? { variant: parsed.variant } : {}),
    ...(typeof parsed['os.version'] === 'string' ? { 'os.version': parsed['os.version'] } : {}),
    ...(Array.isArray(parsed['os.features']) && parsed['os.features'].length > 0 ? { 'os.features': parsed['os.features'] } : {}),
  };
}

/**
 * The entries a source adds to an index: an image becomes one entry with the platform of its
 * config; an index contributes its entries exactly as written (attestations included).
 */
async function entriesOf(deps: ImageDeps, ref: ImageReference, options: CallOptions): Promise<SourceEntries> {
  const m = await load(deps, ref, 'SRC', options);
  if (m.kind === 'index') return { ref, entries: documentOf(m).manifests };
  const platform = await platformOf(deps, ref, m, options);
  return { ref, entries: [{ mediaType: m.mediaType, digest: m.digest, size: m.size, platform }] };
}

/** Entries that run somewhere (not attestations) with their platform. */
function runnable(entries: readonly Descriptor[]): Descriptor[] {
  return entries.filter((d) => !isAttestation(d));
}

/** The attestation entries describing one of `digests`. */
function attestationsOf(entries: readonly Descriptor[], digests: ReadonlySet<string>): Descriptor[] {
  return entries.filter((d) => isAttestation(d) && d.annotations?.[ATTESTATION_REFERENCE_TYPE] === 'attestation-manifest' && digests.has(d.annotations[ATTESTATION_SUBJECT] ?? ''));
}

function samePlatform(a: Descriptor, b: Descriptor): boolean {
  if (a.platform === undefined || b.platform === undefined) return false;
  const x = Platform.fromObject(a.platform);
  return x.equals(Platform.fromObject(b.platform)) && (a.platform['os.version'] ?? '') === (b.platform['os.version'] ?? '');
}

/**
 * Plans bringing index entries from another repository: each entry's manifest graph is walked
 * (so a missing child or blob reference fails here, before anything is written). Within the
 * target repository, each entry is only checked to exist (HEAD).
 */
async function planEntries(deps: ImageDeps, route: { readonly from: ImageReference; readonly to: ImageReference }, entries: readonly Descriptor[], options: IndexEditOptions): Promise<{ readonly src: ImageReference; readonly plan: CopyPlan }[]> {
  const { from, to } = route;
  const plans: { src: ImageReference; plan: CopyPlan }[] = [];
  for (const d of entries) {
    const child = from.withDigest(d.digest);
    if (sameRepository(deps.ctx, from, to)) {
      try {
        await deps.manifests.head(child, signalOf(options));
      } catch (err) {
        if (err instanceof NotFoundError) {
          throw new NotFoundError(`index child ${d.digest} (${platformText(d.platform)}) does not exist in ${from.name}`, { status: 404, registryErrors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] });
        }
        throw err;
      }
      continue;
    }
    const top = await load(deps, child, `index child (${platformText(d.platform)})`, options);
    let gets = 1;
    const graph = await walkManifestGraph(
      top,
      (desc, s) => {
        gets++;
        return deps.manifests.get(from.withDigest(desc.digest), s === undefined ? {} : { signal: s });
      },
      { what: child.toString(), maxManifests: options.maxManifests, signal: options.signal },
    );
    plans.push({ src: child, plan: { top, graph, rewritten: false, manifestGets: gets } });
  }
  return plans;
}

/** Carries out the plans: blobs mounted (same registry) or streamed, manifests pushed by digest. */
async function bring(deps: ImageDeps, to: ImageReference, plans: readonly { readonly src: ImageReference; readonly plan: CopyPlan }[], options: IndexEditOptions): Promise<number> {
  const transfers: BlobTransfers = new Map();
  let moved = 0;
  for (const { src, plan } of plans) {
    const result = await executeCopy(deps, { src, dst: to.withDigest(plan.top.digest) }, plan, { ...signalOf(options), transfers });
    moved += result.blobsTransferred;
  }
  return moved;
}

async function putIndex(deps: ImageDeps, target: ImageReference, document: IndexDocument, options: CallOptions): Promise<{ digest: string; size: number; mediaType: string }> {
  const mediaType = typeof document['mediaType'] === 'string' ? document['mediaType'] : MediaType.OciIndex;
  const bytes = new TextEncoder().encode(JSON.stringify(document));
  const digest = await deps.manifests.put(target, bytes, { mediaType, ...signalOf(options) });
  return { digest, size: bytes.byteLength, mediaType };
}

function checkNoDuplicates(entries: readonly Descriptor[]): void {
  const run = runnable(entries);
  for (const [i, a] of run.entries()) {
    const twin = run.slice(i + 1).find((b) => samePlatform(a, b) && b.digest !== a.digest);
    if (twin !== undefined) {
      throw new ValidationError('INVALID_ARGUMENT', `two images for ${platformText(a.platform)}: ${a.digest} and ${twin.digest}`, platformText(a.platform));
    }
  }
}

function unique(entries: readonly Descriptor[]): Descriptor[] {
  const seen = new Set<string>();
  return entries.filter((d) => !seen.has(d.digest) && seen.add(d.digest));
}

/**
 * Creates an index at `target` from existing images: an image source becomes one entry whose
 * platform is read from its config; an index source contributes its entries as written. Sources
 * in other repositories (or registries) are brought over first: blobs mounted or streamed,
 * manifests pushed by digest with their exact bytes. Every source is read and checked before
 * anything is written.
 * @param deps - client services
 * @param target - the index's tag
 * @param sources - the images, at least one
 * @param options - manifest cap, signal
 * @returns the new index
 * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} for no sources, a target without tag, an artifact source, two images of one platform
 * @throws {@link @llmdevops/docker-hub-core!NotFoundError | NotFoundError} naming a source or index child that does not exist
 * @internal
 */
export async function createIndex(deps: ImageDeps, target: ImageReference, sources: readonly ImageReference[], options: IndexEditOptions = {}): Promise<IndexEditResult> {
  requireTag(target, 'REF');
  if (sources.length === 0) throw new ValidationError('INVALID_ARGUMENT', 'an index needs at least one SRC image', '');
  const found: SourceEntries[] = [];
  for (const src of sources) found.push(await entriesOf(deps, src, options));
  const entries = unique(found.flatMap((s) => s.entries));
  checkNoDuplicates(entries);
  const plans = (await Promise.all(found.map((s) => planEntries(deps, { from: s.ref, to: target }, s.entries, options)))).flat();
  const blobsTransferred = await bring(deps, target, plans, options);
  const document: IndexDocument = { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: entries };
  const put = await putIndex(deps, target, document, options);
  return { ...put, manifests: entries, added: entries.map((d) => d.digest), removed: [], blobsTransferred };
}

/**
 * Adds images to an existing index (its entries and other fields kept as written). An added
 * image whose platform the index already lists replaces that entry (and the attestations
 * describing it). Sources from other repositories are brought over first.
 * @param deps - client services
 * @param target - the index's tag
 * @param sources - the images to add
 * @param options - manifest cap, signal
 * @returns the new index
 * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} when `target` is not an index or names no tag, or two added images share a platform
 * @throws {@link @llmdevops/docker-hub-core!NotFoundError | NotFoundError} naming a source that does not exist
 * @internal
 */
export async function addToIndex(deps: ImageDeps, target: ImageReference, sources: readonly ImageReference[], options: IndexEditOptions = {}): Promise<IndexEditResult> {
  requireTag(target, 'REF');
  if (sources.length === 0) throw new ValidationError('INVALID_ARGUMENT', 'name at least one SRC image to add', '');
  const index = await loadIndex(deps, target, options);
  const document = documentOf(index);
  const found: SourceEntries[] = [];
  for (const src of sources) found.push(await entriesOf(deps, src, options));
  const added = unique(found.flatMap((s) => s.entries)).filter((d) => !document.manifests.some((e) => e.digest === d.digest));
  checkNoDuplicates(added);
  const replaced = runnable(document.manifests).filter((e) => runnable(added).some((a) => samePlatform(a, e)));
  const replacedDigests = new Set(replaced.map((d) => d.digest));
  const gone = new Set([...replaced, ...attestationsOf(document.manifests, replacedDigests)].map((d) => d.digest));
  const plans = (await Promise.all(found.map((s) => planEntries(deps, { from: s.ref, to: target }, s.entries.filter((d) => added.includes(d)), options)))).flat();
  const blobsTransferred = await bring(deps, target, plans, options);
  document.manifests = [...document.manifests.filter((d) => !gone.has(d.digest)), ...added];
  const put = await putIndex(deps, target, document, options);
  return { ...put, manifests: document.manifests, added: added.map((d) => d.digest), removed: [...gone], blobsTransferred };
}

/** The entries matching the platforms (the first per platform, as the spec's rule picks), or an error naming the first missing one. */
function pick(index: ManifestResult & { kind: 'index' }, entries: readonly Descriptor[], platforms: readonly (Platform | string)[]): Descriptor[] {
  const picked: Descriptor[] = [];
  for (const p of platforms) {
    const wanted = typeof p === 'string' ? Platform.parse(p) : p;
    const matching = runnable(entries).filter((d) => wanted.matches(d.platform));
    if (matching.length === 0) throw new PlatformNotFoundError(wanted.toString(), listPlatforms(index.manifest).map(String));
    for (const d of matching) if (!picked.includes(d)) picked.push(d);
  }
  return picked;
}

/**
 * Removes platforms from an index at its tag: every entry of each platform goes, with the
 * attestations describing it; the other entries and fields stay exactly as written.
 * @param deps - client services
 * @param target - the index's tag
 * @param platforms - the platforms to remove, at least one
 * @param options - signal
 * @returns the new index
 * @throws {@link @llmdevops/docker-hub-core!PlatformNotFoundError | PlatformNotFoundError} for a platform the index does not list
 * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} when nothing would be left, or `target` is not an index
 * @internal
 */
export async function removeFromIndex(deps: ImageDeps, target: ImageReference, platforms: readonly (Platform | string)[], options: IndexEditOptions = {}): Promise<IndexEditResult> {
  requireTag(target, 'REF');
  if (platforms.length === 0) throw new ValidationError('INVALID_ARGUMENT', 'name at least one platform to remove', '');
  const index = await loadIndex(deps, target, options);
  const document = documentOf(index);
  const picked = pick(index, document.manifests, platforms);
  const digests = new Set(picked.map((d) => d.digest));
  const gone = new Set([...digests, ...attestationsOf(document.manifests, digests).map((d) => d.digest)]);
  const left = document.manifests.filter((d) => !gone.has(d.digest));
  if (runnable(left).length === 0) throw new ValidationError('INVALID_ARGUMENT', `removing ${platforms.map(String).join(', ')} would leave ${target.toString()} without any image`, platforms.map(String).join(','));
  document.manifests = left;
  const put = await putIndex(deps, target, document, options);
  return { ...put, manifests: left, added: [], removed: [...gone], blobsTransferred: 0 };
}

/**
 * Writes a new index with only some platforms of a source index (and the attestations
 * describing them) at `target`; every other field and each kept entry stays exactly as written,
 * so the kept children have the source's digests. When `target` is another repository, the kept
 * images are brought over first (blobs mounted within a registry, streamed across registries).
 * @param deps - client services
 * @param route - `src`, the source index, and `target`, where the new index goes (a tag)
 * @param platforms - the platforms to keep, at least one
 * @param options - manifest cap, signal
 * @returns the new index
 * @throws {@link @llmdevops/docker-hub-core!PlatformNotFoundError | PlatformNotFoundError} for a platform the source does not list
 * @internal
 */
export async function filterIndex(deps: ImageDeps, route: { readonly src: ImageReference; readonly target: ImageReference }, platforms: readonly (Platform | string)[], options: IndexEditOptions = {}): Promise<IndexEditResult> {
  const { src, target } = route;
  requireTag(target, '--tag');
  if (platforms.length === 0) throw new ValidationError('INVALID_ARGUMENT', 'name at least one platform to keep', '');
  const index = await loadIndex(deps, src, options);
  const document = documentOf(index);
  const picked = pick(index, document.manifests, platforms);
  const digests = new Set(picked.map((d) => d.digest));
  const keep = new Set([...digests, ...attestationsOf(document.manifests, digests).map((d) => d.digest)]);
  const kept = document.manifests.filter((d) => keep.has(d.digest));
  const plans = await planEntries(deps, { from: src, to: target }, kept, options);
  const blobsTransferred = await bring(deps, target, plans, options);
  document.manifests = kept;
  const put = await putIndex(deps, target, document, options);
  const removed = index.manifest.manifests.map((d) => d.digest).filter((d) => !keep.has(d));
  return { ...put, manifests: kept, added: kept.map((d) => d.digest), removed, blobsTransferred };
}

/**
 * Edits image indexes on the registry without pulling layers: create an index from existing
 * images, add images to it, remove platforms, or write a copy with only some platforms. Entries
 * that are not touched keep their exact descriptors (and so their digests); images from another
 * repository are brought over first (blobs mounted within a registry, streamed across).
 * @public
 */
export class IndexesService {
  readonly #deps: ImageDeps;

  /**
   * @param ctx - the client context
   * @param services - the manifests and blobs services
   */
  constructor(ctx: ClientContext, services: { readonly manifests: ManifestsService; readonly blobs: BlobsService }) {
    this.#deps = { ctx, ...services };
  }

  /**
   * Creates an index from existing images (each platform read from the image's config; an index
   * source contributes its entries as written) and tags it.
   * @param target - the new index's tag
   * @param sources - the images
   * @param options - manifest cap, signal
   * @returns the new index
   * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} for no sources, an artifact, two images of one platform, a target without tag
   * @throws {@link @llmdevops/docker-hub-core!NotFoundError | NotFoundError} naming a source or child that does not exist (nothing is written)
   * @example
   * ```ts
   * await client.indexes.create('registry.example/app:1.0', ['registry.example/app:1.0-amd64', 'registry.example/app:1.0-arm64']);
   * ```
   */
  async create(target: ReferenceInput, sources: readonly ReferenceInput[], options: IndexEditOptions = {}): Promise<IndexEditResult> {
    const ref = toReference(target);
    return this.#deps.ctx.telemetry.run('indexes.create', refAttributes(ref), () => createIndex(this.#deps, ref, sources.map(toReference), options));
  }

  /**
   * Adds images to an index; an image of a platform already listed replaces that entry.
   * @param target - the index's tag
   * @param sources - the images to add
   * @param options - manifest cap, signal
   * @returns the new index
   * @throws {@link @llmdevops/docker-hub-core!NotFoundError | NotFoundError} naming a source that does not exist (nothing is written)
   */
  async add(target: ReferenceInput, sources: readonly ReferenceInput[], options: IndexEditOptions = {}): Promise<IndexEditResult> {
    const ref = toReference(target);
    return this.#deps.ctx.telemetry.run('indexes.add', refAttributes(ref), () => addToIndex(this.#deps, ref, sources.map(toReference), options));
  }

  /**
   * Removes platforms (and their attestations) from an index.
   * @param target - the index's tag
   * @param platforms - e.g. `['linux/arm/v7']`
   * @param options - signal
   * @returns the new index
   * @throws {@link @llmdevops/docker-hub-core!PlatformNotFoundError | PlatformNotFoundError} for a platform the index does not list
   */
  async remove(target: ReferenceInput, platforms: readonly (Platform | string)[], options: IndexEditOptions = {}): Promise<IndexEditResult> {
    const ref = toReference(target);
    return this.#deps.ctx.telemetry.run('indexes.remove', refAttributes(ref), () => removeFromIndex(this.#deps, ref, platforms, options));
  }

  /**
   * Writes a new index with only some platforms of `src` at `target`; kept children keep the
   * source's digests.
   * @param src - the source index
   * @param platforms - the platforms to keep
   * @param target - where the new index goes (a tag; another repository or registry is fine)
   * @param options - manifest cap, signal
   * @returns the new index
   * @throws {@link @llmdevops/docker-hub-core!PlatformNotFoundError | PlatformNotFoundError} for a platform the source does not list
   * @example
   * ```ts
   * await client.indexes.filter('docker.io/library/alpine:3.19', ['linux/amd64', 'linux/arm64'], 'registry.example/mirror/alpine:3.19');
   * ```
   */
  async filter(src: ReferenceInput, platforms: readonly (Platform | string)[], target: ReferenceInput, options: IndexEditOptions = {}): Promise<IndexEditResult> {
    const from = toReference(src);
    const to = toReference(target);
    return this.#deps.ctx.telemetry.run('indexes.filter', { ...refAttributes(from, 'docker_hub.source'), ...refAttributes(to) }, () => filterIndex(this.#deps, { src: from, target: to }, platforms, options));
  }
}
