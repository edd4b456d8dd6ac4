import type { Writable } from 'node:stream';
import {
  AbortedError,
  ImageReference,
  MediaType,
  Platform,
  ValidationError,
  isDockerHubError,
  parseManifest,
  selectManifest,
  type Descriptor,
} from '@llmdevops/docker-hub-core';
import type { ManifestResult } from '../manifests/manifests-service.js';
import { walkManifestGraph, type LoadManifest, type ManifestGraph } from '../images/manifest-graph.js';
import { REF_NAME_ANNOTATION } from '../images/oci-layout.js';
import type { ImageDeps } from '../images/types.js';
import { tarChunks, writeChunks, type TarSourceEntry } from './tar-writer.js';
import type { ArchiveFormat, ExportOptions, ExportResult } from './types.js';

/** An export in progress: what it reads from and how. */
interface ExportRun {
  readonly deps: ImageDeps;
  readonly ref: ImageReference;
  readonly options: ExportOptions;
}

const hexOf = (digest: string): string => digest.slice(digest.indexOf(':') + 1);

function checkFormat(format: ArchiveFormat, options: ExportOptions): void {
  if (!(['docker-archive', 'oci-archive'] as readonly string[]).includes(format)) {
    throw new ValidationError('INVALID_ARGUMENT', `unknown archive format ${format}; use docker-archive or oci-archive`, format);
  }
  const platforms = options.platforms ?? [];
  if (options.allPlatforms === true && platforms.length > 0) {
    throw new ValidationError('INVALID_ARGUMENT', 'platforms and allPlatforms exclude each other', platforms.join(','));
  }
  if (format === 'docker-archive' && (options.allPlatforms === true || platforms.length > 1)) {
    throw new ValidationError('INVALID_ARGUMENT', 'a docker-archive holds one platform of an image; use the oci-archive format for several', platforms.join(','));
  }
}

/** A new OCI index listing only the chosen manifests of `index` (their descriptors as listed). */
function subIndex(index: ManifestResult & { kind: 'index' }, chosen: readonly Descriptor[]): ManifestResult {
  const bytes = new TextEncoder().encode(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: chosen }));
  const parsed = parseManifest(bytes, MediaType.OciIndex);
  if (parsed.kind !== 'index') throw new ValidationError('INVALID_ARGUMENT', `could not build an index from ${index.digest}`, index.digest);
  return { kind: 'index', manifest: parsed.manifest, digest: parsed.digest.toString(), mediaType: parsed.mediaType, bytes, size: bytes.byteLength };
}

/** The top manifest of the archive: the image, the whole index, or a sub-index of the platforms. */
async function chooseTop(run: ExportRun): Promise<ManifestResult> {
  const { deps, ref, options } = run;
  const signal = options.signal === undefined ? {} : { signal: options.signal };
  const first = await deps.manifests.get(ref, signal);
  if (first.kind === 'image' || options.allPlatforms === true) return first;
  const wanted = (options.platforms ?? []).length === 0 ? ['linux/amd64'] : (options.platforms ?? []);
  const chosen = wanted.map((p) => selectManifest(first.manifest, typeof p === 'string' ? Platform.parse(p) : p));
  const unique = [...new Map(chosen.map((d) => [d.digest, d])).values()];
  const only = unique.length === 1 ? unique[0] : undefined;
  if (only !== undefined) return deps.manifests.get(ref.withDigest(only.digest), signal);
  return subIndex(first, unique);
}

async function plan(run: ExportRun): Promise<ManifestGraph> {
  const { deps, ref, options } = run;
  const top = await chooseTop(run);
  const load: LoadManifest = (d, s) => deps.manifests.get(ref.withDigest(d.digest), s === undefined ? {} : { signal: s });
  return walkManifestGraph(top, load, { what: ref.toString(), maxManifests: options.maxManifests, signal: options.signal });
}

/** A blob of the image as a tar entry: streamed from the registry and verified on the way. */
function blobEntry(run: ExportRun, d: Descriptor, name: string): TarSourceEntry {
  const { deps, ref, options } = run;
  return {
    name, type: 'file', size: d.size,
    open: async function* () {
      yield* deps.blobs.get(ref, d.digest, { size: d.size, ...(options.signal === undefined ? {} : { signal: options.signal }) }) as AsyncIterable<Buffer>;
      options.onBlob?.({ digest: d.digest, size: d.size, state: 'transferred' });
    },
  };
}

function bytesEntry(name: string, bytes: Uint8Array): TarSourceEntry {
  return {
    name, type: 'file', size: bytes.byteLength,
    open: () => [bytes],
  };
}

function jsonEntry(name: string, value: unknown): TarSourceEntry {
  return bytesEntry(name, new TextEncoder().encode(JSON.stringify(value)));
}

/** The name `docker load` tags the image with: the reference without its digest. */
function repoTagOf(run: ExportRun): string | undefined {
  if (run.options.name !== undefined) return run.options.name;
  const { ref } = run;
  return ref.tag === undefined ? undefined : ImageReference.from({ registry: ref.registry, repository: ref.repository, tag: ref.tag }).familiar();
}

/** `repositories` (the pre-1.10 index `docker load` still honours): repo -> tag -> top layer id. */
function repositoriesOf(repoTag: string | undefined, topLayer: string | undefined): Record<string, Record<string, string>> {
  if (repoTag === undefined || topLayer === undefined) return {};
  const colon = repoTag.lastIndexOf(':');
  if (colon <= repoTag.lastIndexOf('/')) return {};
  return { [repoTag.slice(0, colon)]: { [repoTag.slice(colon + 1)]: topLayer } };
}

/**
 * `docker-archive` entries: `manifest.json` and `repositories` first (small, so a reader learns
 * the layout before the data), then the config as `<hex>.json` and each layer as
 * `<hex>/layer.tar`, as the registry stores it (gzip layers stay compressed; `docker load`
 * decompresses them).
 */
function dockerEntries(run: ExportRun, graph: ManifestGraph): TarSourceEntry[] {
  const image = graph.top;
  if (image.kind !== 'image') throw new ValidationError('INVALID_ARGUMENT', `${run.ref.toString()} is an index; a docker-archive holds one image`, run.ref.toString());
  const { config, layers } = image.manifest;
  if (config.mediaType !== MediaType.OciConfig && config.mediaType !== MediaType.DockerConfig) {
    throw new ValidationError('INVALID_ARGUMENT', `${run.ref.toString()} is not a container image (config type ${config.mediaType}); export it as an oci-archive`, run.ref.toString());
  }
  const foreign = layers.find((l) => l.urls !== undefined);
  if (foreign !== undefined) {
    throw new ValidationError('INVALID_ARGUMENT', `layer ${foreign.digest} of ${run.ref.toString()} is a foreign layer the registry does not serve`, foreign.digest);
  }
  const repoTag = repoTagOf(run);
  const layerNames = layers.map((l) => `${hexOf(l.digest)}/layer.tar`);
  const distinct = [...new Map(layers.map((l) => [l.digest, l])).values()];
  return [
    jsonEntry('manifest.json', [{ Config: `${hexOf(config.digest)}.json`, RepoTags: repoTag === undefined ? [] : [repoTag], Layers: layerNames }]),
    jsonEntry('repositories', repositoriesOf(repoTag, layers.length === 0 ? undefined : hexOf(layers[layers.length - 1]?.digest ?? ''))),
    blobEntry(run, config, `${hexOf(config.digest)}.json`),
    ...distinct.flatMap((l): TarSourceEntry[] => [
      { name: hexOf(l.digest), type: 'directory', size: 0 },
      blobEntry(run, l, `${hexOf(l.digest)}/layer.tar`),
    ]),
  ];
}

/** `oci-archive` entries: an OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/...`). */
function ociEntries(run: ExportRun, graph: ManifestGraph): TarSourceEntry[] {
  const { top } = graph;
  const name = run.options.name ?? run.ref.tag;
  const entry: Descriptor = {
    mediaType: top.mediaType, digest: top.digest, size: top.size,
    ...(name === undefined ? {} : { annotations: { [REF_NAME_ANNOTATION]: name } }),
  };
  const blobName = (digest: string): string => `blobs/${digest.slice(0, digest.indexOf(':'))}/${hexOf(digest)}`;
  const algorithms = [...new Set([...graph.manifests, ...graph.blobs].map((d) => d.digest.slice(0, d.digest.indexOf(':'))))];
  return [
    jsonEntry('oci-layout', { imageLayoutVersion: '1.0.0' }),
    jsonEntry('index.json', { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [entry] }),
    { name: 'blobs', type: 'directory', size: 0 },
    ...algorithms.map((a): TarSourceEntry => ({ name: `blobs/${a}`, type: 'directory', size: 0 })),
    ...graph.manifests.map((m) => bytesEntry(blobName(m.digest), m.bytes)),
    ...graph.blobs.map((d) => blobEntry(run, d, blobName(d.digest))),
  ];
}

/**
 * Exports an image from a registry into a tar archive written to `out`: the manifest graph is
 * walked first (each digest once, capped), then every blob streams from the registry into the
 * archive, verified against its digest and size on the way; nothing is held in memory or on disk
 * beyond the stream's buffers. A failure leaves `out` not ended (the archive then lacks its end
 * blocks, so readers see it as cut).
 * @param deps - client services
 * @param ref - the image
 * @param out - where the archive goes
 * @param options - format, platforms, name, signal, progress
 * @returns what was written
 * @internal
 */
export async function exportArchive(deps: ImageDeps, ref: ImageReference, out: Writable, options: ExportOptions): Promise<ExportResult> {
  const format = options.format ?? 'docker-archive';
  checkFormat(format, options);
  const run: ExportRun = { deps, ref, options };
  try {
    const graph = await plan(run);
    const entries = format === 'docker-archive' ? dockerEntries(run, graph) : ociEntries(run, graph);
    const bytes = await writeChunks(tarChunks(entries), out, { end: options.end ?? true, signal: options.signal });
    return { format, digest: graph.top.digest, mediaType: graph.top.mediaType, manifests: graph.manifests.length, blobs: graph.blobs.length, bytes };
  } catch (err) {
    if (options.signal?.aborted === true && !isDockerHubError(err)) throw new AbortedError(`export of ${ref.toString()}`, options.signal.reason);
    throw err;
  }
}
