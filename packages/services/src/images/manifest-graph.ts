import { AbortedError, LimitExceededError, ValidationError, type Descriptor } from '@llmdevops/docker-hub-core';
import { mapLimit } from '../internal/map-limit.js';
import type { ManifestResult } from '../manifests/manifests-service.js';

/** Deepest nesting of manifests a walk accepts; the top manifest is level 1. @public */
export const MAX_MANIFEST_DEPTH = 8;

/** Default cap on the manifests of one image (the top manifest included). @public */
export const DEFAULT_MAX_MANIFESTS = 10_000;

/** Child manifests loaded at once. */
const LOAD_CONCURRENCY = 4;

/**
 * Loads the manifest a descriptor points at, verified against its digest.
 * @internal
 */
export type LoadManifest = (descriptor: Descriptor, signal: AbortSignal | undefined) => Promise<ManifestResult>;

/** Options of {@link walkManifestGraph}. @internal */
export interface WalkOptions {
  /** What is walked, for error messages (a reference or a layout directory). */
  readonly what: string;
  /** Cap on the manifests of the image (default {@link DEFAULT_MAX_MANIFESTS}). */
  readonly maxManifests?: number | undefined;
  /** Checked before every load. */
  readonly signal?: AbortSignal | undefined;
}

/** An image's manifests and blobs, each once. @internal */
export interface ManifestGraph {
  /** The manifest the walk started from. */
  readonly top: ManifestResult;
  /** Every manifest once, each after every manifest it lists (the order to push them in). */
  readonly manifests: readonly ManifestResult[];
  /** Config and layer blobs of the image manifests, once each (foreign layers with `urls` left out). */
  readonly blobs: readonly Descriptor[];
}

function checkAbort(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted === true) throw new AbortedError(what, signal.reason);
}

function maxManifestsOf(options: WalkOptions): number {
  const max = options.maxManifests ?? DEFAULT_MAX_MANIFESTS;
  if (!Number.isSafeInteger(max) || max < 1) {
    throw new ValidationError('INVALID_ARGUMENT', `maxManifests must be a whole number of at least 1, got ${String(max)}`, String(max));
  }
  return max;
}

/** The distinct child descriptors of a manifest, in listing order. */
function childrenOf(m: ManifestResult): Descriptor[] {
  if (m.kind === 'image') return [];
  const seen = new Set<string>();
  return m.manifest.manifests.filter((d) => !seen.has(d.digest) && seen.add(d.digest));
}

/**
 * Loads every manifest below `top` level by level, each digest once, refusing a level deeper than
 * {@link MAX_MANIFEST_DEPTH} or a manifest past the cap before loading it.
 */
async function loadAll(top: ManifestResult, load: LoadManifest, options: WalkOptions): Promise<Map<string, ManifestResult>> {
  const max = maxManifestsOf(options);
  const { signal, what } = options;
  const loaded = new Map<string, ManifestResult>([[top.digest, top]]);
  let level: ManifestResult[] = [top];
  for (let depth = 1; ; depth++) {
    const next = level.flatMap(childrenOf).filter((d) => !loaded.has(d.digest));
    const unique = [...new Map(next.map((d) => [d.digest, d])).values()];
    if (unique.length === 0) return loaded;
    if (depth + 1 > MAX_MANIFEST_DEPTH) throw new LimitExceededError('maxDepth', MAX_MANIFEST_DEPTH, `manifests of ${what} nest deeper`);
    if (loaded.size + unique.length > max) throw new LimitExceededError('maxManifests', max, `manifests of ${what}`);
    level = await mapLimit(unique, LOAD_CONCURRENCY, async (d) => {
      checkAbort(signal, `manifest walk of ${what}`);
      const m = await load(d, signal);
      loaded.set(d.digest, m);
      return m;
    });
  }
}

/**
 * Orders the loaded manifests children first, and checks the longest chain (a manifest listed by
 * indexes at different levels may sit deeper than the level it was loaded at).
 */
function order(top: ManifestResult, loaded: ReadonlyMap<string, ManifestResult>, what: string): ManifestResult[] {
  const heights = new Map<string, number>();
  const out: ManifestResult[] = [];
  const tooDeep = (): LimitExceededError => new LimitExceededError('maxDepth', MAX_MANIFEST_DEPTH, `manifests of ${what} nest deeper`);
  const visit = (m: ManifestResult, level: number): number => {
    const known = heights.get(m.digest);
    if (known !== undefined) {
      if (level + known - 1 > MAX_MANIFEST_DEPTH) throw tooDeep();
      return known;
    }
    if (level > MAX_MANIFEST_DEPTH) throw tooDeep();
    let below = 0;
    for (const d of childrenOf(m)) {
      const child = loaded.get(d.digest);
      if (child !== undefined) below = Math.max(below, visit(child, level + 1));
    }
    heights.set(m.digest, below + 1);
    out.push(m);
    return below + 1;
  };
  visit(top, 1);
  return out;
}

function blobsOf(manifests: readonly ManifestResult[]): Descriptor[] {
  const blobs = new Map<string, Descriptor>();
  for (const m of manifests) {
    if (m.kind !== 'image') continue;
    for (const d of [m.manifest.config, ...m.manifest.layers]) if (d.urls === undefined && !blobs.has(d.digest)) blobs.set(d.digest, d);
  }
  return [...blobs.values()];
}

/**
 * Walks the manifest graph of an image (index to image manifests, at any nesting): loads each
 * digest once however many indexes list it, up to {@link MAX_MANIFEST_DEPTH} levels and
 * `maxManifests` manifests, checking the signal before every load. Pull, push and copy all plan
 * with it, so a graph that lists one child many times costs one load per distinct manifest.
 * @param top - the manifest to start from (already loaded)
 * @param load - loads a child manifest, verified
 * @param options - what is walked (for messages), the manifest cap, the signal
 * @returns the manifests children first, and the distinct blobs
 * @throws {@link @llmdevops/docker-hub-core!LimitExceededError | LimitExceededError} (`limit` `maxDepth` or `maxManifests`) past a cap, before loading more
 * @throws {@link @llmdevops/docker-hub-core!AbortedError | AbortedError} when the signal is aborted
 * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} when `maxManifests` is not a whole number of at least 1
 * @internal
 */
export async function walkManifestGraph(top: ManifestResult, load: LoadManifest, options: WalkOptions): Promise<ManifestGraph> {
  checkAbort(options.signal, `manifest walk of ${options.what}`);
  const loaded = await loadAll(top, load, options);
  checkAbort(options.signal, `manifest walk of ${options.what}`);
  const manifests = order(top, loaded, options.what);
  return { top, manifests, blobs: blobsOf(manifests) };
}
