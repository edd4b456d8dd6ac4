import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DigestMismatchError, MediaType, parseManifest, type Descriptor } from '@llmdevops/docker-hub-core';
import type { ManifestResult } from '../manifests/manifests-service.js';
import { ArchiveInvalidError } from './archive-error.js';
import type { ArchiveCatalog, ArchiveFile } from './archive-catalog.js';
import { MAX_INDEX_BYTES, chooseImage, parseJsonFile, type ImportPlan, type ImportBlob } from './import-plan.js';

/** Most bytes of an image config read (a config with a long history can pass 4 MiB). */
const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

/** One image of `manifest.json`. */
interface DockerArchiveImage {
  readonly config: string;
  readonly repoTags: readonly string[];
  readonly layers: readonly string[];
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

/**
 * Reads `manifest.json`: a list of `{ Config, RepoTags, Layers }`.
 * @param catalog - the archive
 * @returns its images
 * @throws {@link ArchiveInvalidError} (`layout`) when malformed
 * @internal
 */
export async function readDockerManifest(catalog: ArchiveCatalog): Promise<DockerArchiveImage[]> {
  const file = catalog.file('manifest.json', 'the docker-archive index');
  const value = parseJsonFile(await catalog.read(file, MAX_INDEX_BYTES, 'maxIndexBytes'), 'manifest.json');
  const bad = (why: string): ArchiveInvalidError => new ArchiveInvalidError('layout', `manifest.json ${why}`, 'manifest.json');
  if (!Array.isArray(value)) throw bad('is not a list of images');
  return value.map((item: unknown, i) => {
    const o = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    if (typeof o['Config'] !== 'string') throw bad(`entry ${i} has no Config path`);
    if (!isStringArray(o['Layers'])) throw bad(`entry ${i} has no Layers list`);
    const tags = o['RepoTags'] ?? [];
    if (!isStringArray(tags)) throw bad(`entry ${i} has a RepoTags that is not a list of names`);
    return { config: o['Config'], repoTags: tags, layers: o['Layers'] };
  });
}

/** The digest a config's file name states (`<hex>.json`, `blobs/sha256/<hex>`), if any. */
function digestInName(path: string): string | undefined {
  const m = /(?:^|\/)(?:sha256[:/])?([a-f0-9]{64})(?:\.json)?$/.exec(path);
  return m?.[1] === undefined ? undefined : `sha256:${m[1]}`;
}

function diffIdsOf(config: Uint8Array, path: string): string[] {
  const value = parseJsonFile(config, path) as { rootfs?: { diff_ids?: unknown } } | null;
  const ids = value?.rootfs?.diff_ids;
  if (!isStringArray(ids)) throw new ArchiveInvalidError('layout', `config ${path} has no rootfs.diff_ids list`, path);
  return ids;
}

/** Gzips a file of the archive into the spool directory, hashing the result. */
async function gzipToSpool(catalog: ArchiveCatalog, file: ArchiveFile, spoolDir: string, signal: AbortSignal | undefined): Promise<ImportBlob> {
  const path = join(spoolDir, `layer-${file.digest.slice(7, 23)}-${file.offset}.tar.gz`);
  const hash = createHash('sha256');
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  await pipeline(catalog.open(file), process.getBuiltinModule('node:zlib').createGzip(), tap, createWriteStream(path, { flags: 'wx', mode: 0o600 }), signal === undefined ? {} : { signal });
  const { size } = await stat(path);
  return { descriptor: { mediaType: MediaType.OciLayerGzip, digest: `sha256:${hash.digest('hex')}`, size }, open: () => createReadStream(path) };
}

/** A layer checked against its diff id, as it will be pushed. */
async function planLayer(catalog: ArchiveCatalog, path: string, diffId: string, ctx: { compress: boolean; spoolDir: string; signal: AbortSignal | undefined }): Promise<ImportBlob> {
  const file = catalog.file(path, `layer ${path}`);
  const actual = file.gzip ? await catalog.gunzipDigest(file) : file.digest;
  if (actual !== diffId) throw new DigestMismatchError(diffId, actual, `layer ${path} (its diff id in the config)`);
  if (!file.gzip && ctx.compress) return gzipToSpool(catalog, file, ctx.spoolDir, ctx.signal);
  const descriptor: Descriptor = { mediaType: file.gzip ? MediaType.OciLayerGzip : MediaType.OciLayer, digest: file.digest, size: file.size };
  return { descriptor, open: () => catalog.open(file) };
}

/**
 * Plans the import of a `docker save` archive (`manifest.json` with `Config`, `RepoTags`,
 * `Layers`): picks the image, checks the config against the digest its name states and every
 * layer against the config's `diff_ids` (uncompressed layers by their own digest, gzip ones
 * after decompressing), and builds an OCI image manifest for them. With `compress`, uncompressed
 * layers are gzipped into the spool directory first (their digests change; the config does not).
 * @param catalog - the checked archive
 * @param options - image choice, compression, spool directory, signal
 * @returns the plan
 * @internal
 */
export async function planDockerArchive(
  catalog: ArchiveCatalog,
  options: { readonly image?: string | undefined; readonly compress: boolean; readonly spoolDir: string; readonly signal?: AbortSignal | undefined },
): Promise<ImportPlan> {
  const images = await readDockerManifest(catalog);
  const image = chooseImage(images.map((item) => ({ item, names: item.repoTags })), options.image);
  const configFile = catalog.file(image.config, 'image config');
  const configBytes = await catalog.read(configFile, MAX_CONFIG_BYTES, 'maxConfigBytes');
  const stated = digestInName(image.config);
  if (stated !== undefined && stated !== configFile.digest) throw new DigestMismatchError(stated, configFile.digest, `config ${image.config}`);
  const diffIds = diffIdsOf(configBytes, image.config);
  if (diffIds.length !== image.layers.length) {
    throw new ArchiveInvalidError('layout', `config ${image.config} lists ${diffIds.length} diff_ids but manifest.json lists ${image.layers.length} layers`, image.config);
  }
  const ctx = { compress: options.compress, spoolDir: options.spoolDir, signal: options.signal };
  const layers: ImportBlob[] = [];
  for (const [i, path] of image.layers.entries()) layers.push(await planLayer(catalog, path, diffIds[i] ?? '', ctx));
  const config: ImportBlob = {
    descriptor: { mediaType: MediaType.OciConfig, digest: configFile.digest, size: configFile.size },
    open: () => catalog.open(configFile),
  };
  const bytes = new TextEncoder().encode(JSON.stringify({
    schemaVersion: 2, mediaType: MediaType.OciManifest, config: config.descriptor, layers: layers.map((l) => l.descriptor),
  }));
  const parsed = parseManifest(bytes, MediaType.OciManifest);
  const top = { kind: 'image', manifest: parsed.manifest, digest: parsed.digest.toString(), mediaType: parsed.mediaType, bytes, size: bytes.byteLength } as ManifestResult;
  const blobs = [...new Map([config, ...layers].map((b) => [b.descriptor.digest, b])).values()];
  return { format: 'docker-archive', top, manifests: [top], blobs };
}
