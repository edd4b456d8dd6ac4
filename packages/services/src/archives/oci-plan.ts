import {
  DigestMismatchError,
  MANIFEST_MAX_BYTES,
  ManifestInvalidError,
  MediaType,
  SizeMismatchError,
  ValidationError,
  parseManifest,
  type Descriptor,
} from '@llmdevops/docker-hub-core';
import type { ManifestResult } from '../manifests/manifests-service.js';
import { walkManifestGraph } from '../images/manifest-graph.js';
import { REF_NAME_ANNOTATION } from '../images/oci-layout.js';
import { ArchiveInvalidError } from './archive-error.js';
import type { ArchiveCatalog, ArchiveFile } from './archive-catalog.js';
import { readDockerManifest } from './docker-plan.js';
import { MAX_INDEX_BYTES, chooseImage, parseJsonFile, sameImageName, type ImportPlan, type ImportBlob } from './import-plan.js';

/** The annotation containerd and Docker 25+ put on `index.json` entries: the full image name. */
const CONTAINERD_NAME_ANNOTATION = 'io.containerd.image.name';

/** The blob file of a descriptor, checked against its size and digest. */
function blobFile(catalog: ArchiveCatalog, d: Descriptor, what: string): ArchiveFile {
  const colon = d.digest.indexOf(':');
  const algorithm = d.digest.slice(0, colon);
  if (algorithm !== 'sha256') throw new ValidationError('INVALID_DIGEST', `${what} ${d.digest}: only sha256 blobs can be imported`, d.digest);
  const file = catalog.file(`blobs/${algorithm}/${d.digest.slice(colon + 1)}`, `${what} ${d.digest}`);
  if (file.size !== d.size) throw new SizeMismatchError(d.size, file.size, `${what} ${file.name} in the archive`);
  if (file.digest !== d.digest) throw new DigestMismatchError(d.digest, file.digest, `${what} ${file.name} in the archive`);
  return file;
}

/** Loads a manifest of the layout, verified against its descriptor. */
async function loadManifest(catalog: ArchiveCatalog, d: Descriptor): Promise<ManifestResult> {
  const file = blobFile(catalog, d, 'manifest');
  const bytes = await catalog.read(file, MANIFEST_MAX_BYTES, 'maxManifestBytes');
  const parsed = parseManifest(bytes, d.mediaType);
  const common = { digest: d.digest, mediaType: parsed.mediaType, bytes, size: bytes.byteLength };
  return parsed.kind === 'image' ? { ...common, kind: 'image', manifest: parsed.manifest } : { ...common, kind: 'index', manifest: parsed.manifest };
}

/** `index.json`, read as an OCI index (its own `mediaType` may be absent). */
async function readIndex(catalog: ArchiveCatalog): Promise<Descriptor[]> {
  const file = catalog.file('index.json', 'the OCI layout index');
  const bytes = await catalog.read(file, MAX_INDEX_BYTES, 'maxIndexBytes');
  parseJsonFile(bytes, 'index.json');
  try {
    const parsed = parseManifest(bytes, MediaType.OciIndex);
    if (parsed.kind !== 'index') throw new ArchiveInvalidError('layout', 'index.json is not an image index', 'index.json');
    return [...parsed.manifest.manifests];
  } catch (err) {
    if (err instanceof ManifestInvalidError) throw new ArchiveInvalidError('layout', `index.json: ${err.message}`, 'index.json');
    throw err;
  }
}

/**
 * Picks the `index.json` entry for `wanted`: by its name annotations, else (Docker 25+ archives)
 * through `manifest.json`'s `RepoTags` and the config that entry names.
 */
async function chooseEntry(catalog: ArchiveCatalog, entries: readonly Descriptor[], wanted: string | undefined): Promise<Descriptor> {
  const names = (d: Descriptor): string[] =>
    [d.annotations?.[CONTAINERD_NAME_ANNOTATION], d.annotations?.[REF_NAME_ANNOTATION]].filter((n): n is string => n !== undefined);
  const byName = entries.find((d) => wanted !== undefined && names(d).some((n) => sameImageName(n, wanted)));
  if (byName !== undefined || wanted === undefined || !catalog.has('manifest.json')) {
    return byName ?? chooseImage(entries.map((item) => ({ item, names: names(item) })), wanted);
  }
  const images = await readDockerManifest(catalog);
  const image = chooseImage(images.map((item) => ({ item, names: item.repoTags })), wanted);
  const config = catalog.file(image.config, 'image config').digest;
  for (const d of entries) {
    const m = await loadManifest(catalog, d);
    if (m.kind === 'image' && m.manifest.config.digest === config) return d;
  }
  throw new ArchiveInvalidError('layout', `no index.json entry has the config of ${wanted} (${config})`, 'index.json');
}

/**
 * Docker 25+ with the containerd image store saves an image's whole index but only the host
 * platform's manifest and blobs. When the index lists manifests the archive lacks and
 * `manifest.json` is there, the image it describes is taken instead: the listed manifest whose
 * config it names, pushed as it is (digest kept).
 */
async function presentImage(catalog: ArchiveCatalog, top: ManifestResult, wanted: string | undefined): Promise<ManifestResult | undefined> {
  if (top.kind !== 'index' || !catalog.has('manifest.json')) return undefined;
  const inArchive = (d: Descriptor): boolean => catalog.has(`blobs/${d.digest.replace(':', '/')}`);
  if (top.manifest.manifests.every(inArchive)) return undefined;
  const images = await readDockerManifest(catalog);
  const image = chooseImage(images.map((item) => ({ item, names: item.repoTags })), images.length === 1 ? undefined : wanted);
  const config = catalog.file(image.config, 'image config').digest;
  for (const d of top.manifest.manifests.filter(inArchive)) {
    const m = await loadManifest(catalog, d);
    if (m.kind === 'image' && m.manifest.config.digest === config) return m;
  }
  return undefined;
}

/**
 * Plans the import of an OCI image layout in a tar (skopeo's `oci-archive`, and Docker 25+'s
 * `docker save`): picks the `index.json` entry (or, when the archive holds only some of that
 * index's manifests, the one `manifest.json` describes), walks its manifest graph (each digest
 * once, capped) from the archive, and checks every manifest and blob file against its descriptor's
 * size and digest. Manifests are pushed as they are, so digests stay.
 * @param catalog - the checked archive
 * @param options - image choice, manifest cap, signal
 * @returns the plan
 * @internal
 */
export async function planOciArchive(
  catalog: ArchiveCatalog,
  options: { readonly image?: string | undefined; readonly maxManifests?: number | undefined; readonly signal?: AbortSignal | undefined },
): Promise<ImportPlan> {
  const entry = await chooseEntry(catalog, await readIndex(catalog), options.image);
  const listed = await loadManifest(catalog, entry);
  const top = (await presentImage(catalog, listed, options.image)) ?? listed;
  const graph = await walkManifestGraph(top, (d) => loadManifest(catalog, d), { what: 'the archive', maxManifests: options.maxManifests, signal: options.signal });
  const blobs = graph.blobs.map((d): ImportBlob => {
    const file = blobFile(catalog, d, 'blob');
    return { descriptor: d, open: () => catalog.open(file) };
  });
  return { format: 'oci-archive', top, manifests: graph.manifests, blobs };
}
