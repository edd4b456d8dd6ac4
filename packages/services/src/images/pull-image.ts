import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AbortedError, Digest, MediaType, createHasher, digestEquals, isDockerHubError, type Descriptor, type ImageReference } from '@llmdevops/docker-hub-core';
import { mapLimit } from '../internal/map-limit.js';
import { walkManifestGraph, type LoadManifest, type ManifestGraph } from './manifest-graph.js';
import { REF_NAME_ANNOTATION, blobPath, readLayoutIndex, type LayoutIndex } from './oci-layout.js';
import type { ImageDeps, ImageTransferResult, PullOptions } from './types.js';

/**
 * Bytes a blob file's write stream buffers before it pushes back on the download. With Node's
 * 16 KiB default each read waits for its own disk write, so receiving, hashing and writing take
 * turns; a buffer several reads deep lets them overlap (one `writev` per batch), while eight
 * parallel layer downloads keep their peak memory bounded.
 */
const FILE_WRITE_BUFFER = 512 * 1024;

/** Collects the manifests and blobs of the selection, each once. */
async function plan(deps: ImageDeps, ref: ImageReference, options: PullOptions): Promise<ManifestGraph> {
  const signal = options.signal === undefined ? {} : { signal: options.signal };
  const first = await deps.manifests.get(ref, signal);
  const top = first.kind === 'index' && options.allPlatforms !== true
    ? await deps.manifests.getForPlatform(ref, options.platform ?? 'linux/amd64', signal)
    : first;
  const load: LoadManifest = (d, s) => deps.manifests.get(ref.withDigest(d.digest), s === undefined ? {} : { signal: s });
  return walkManifestGraph(top, load, { what: ref.toString(), maxManifests: options.maxManifests, signal: options.signal });
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a layout already holds a blob with the right content: the size matches and the bytes
 * hash to the digest. A file that does not is removed (it is damaged), so it is downloaded again.
 */
async function verifiedOnDisk(path: string, d: Pick<Descriptor, 'digest' | 'size'>, signal: AbortSignal): Promise<boolean> {
  const size = await stat(path).then((st) => (st.isFile() ? st.size : -1), () => undefined);
  if (size === undefined) return false;
  if (size === d.size) {
    const hasher = createHasher(Digest.parse(d.digest).algorithm);
    for await (const chunk of createReadStream(path, { signal })) hasher.update(chunk as Buffer);
    if (digestEquals(hasher.digest(), d.digest)) return true;
  }
  await rm(path, { force: true });
  return false;
}

/** Creates a directory chain, remembering the directories it created (for clean-up). */
async function ensureDir(path: string, created: string[]): Promise<void> {
  if (await exists(path)) return;
  await ensureDir(dirname(path), created);
  await mkdir(path).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  });
  created.push(path);
}

/**
 * Pulls an image into an OCI image layout: blobs concurrently, each verified while it streams
 * into a temporary file in the layout and renamed into place only when complete, so only
 * complete, verified blobs ever carry a blob's name. Blobs already in the layout are verified by
 * digest and kept; damaged ones are downloaded again. `index.json` is written last, so it never
 * names an image whose content is missing. On failure or abort the temporary files go, the
 * verified blobs stay (a second pull into the same directory downloads only what is missing),
 * and directories the pull created that are still empty are removed.
 * @param deps - client services
 * @param ref - the image
 * @param dir - the layout directory (created when missing; existing layouts are added to)
 * @param options - platform choice, ref name, concurrency, signal
 * @returns what was pulled
 * @internal
 */
export async function pullImage(deps: ImageDeps, ref: ImageReference, dir: string, options: PullOptions): Promise<ImageTransferResult> {
  const { top, manifests, blobs } = await plan(deps, ref, options);
  const createdDirs: string[] = [];
  const temps = new Set<string>();
  const abort = new AbortController();
  const signal = options.signal === undefined ? abort.signal : AbortSignal.any([options.signal, abort.signal]);
  // Every concurrent download listens on it.
  setMaxListeners(0, signal);
  let skipped = 0;
  /** Writes a blob unless a verified copy is there; only a complete temporary file is renamed. */
  const place = async (d: Pick<Descriptor, 'digest' | 'size'>, write: (tmp: string) => Promise<void>): Promise<boolean> => {
    const final = blobPath(dir, d.digest);
    if (await verifiedOnDisk(final, d, signal)) return false;
    const tmp = `${join(dirname(final), '.tmp-')}${randomBytes(8).toString('hex')}`;
    temps.add(tmp);
    await write(tmp);
    await rename(tmp, final);
    temps.delete(tmp);
    return true;
  };
  try {
    await ensureDir(dir, createdDirs);
    await ensureDir(join(dir, 'blobs', 'sha256'), createdDirs);
    const previous = await readLayoutIndex(dir, signal);
    const moved = await mapLimit(blobs, options.concurrency ?? deps.ctx.config.upload.maxConcurrentDownloads, async (d) => {
      try {
        await ensureDir(dirname(blobPath(dir, d.digest)), createdDirs);
        const moved = await place(d, (tmp) =>
          pipeline(deps.blobs.get(ref, d.digest, { size: d.size, signal }), createWriteStream(tmp, { flags: 'wx', highWaterMark: FILE_WRITE_BUFFER }), { signal }),
        );
        options.onBlob?.({ digest: d.digest, size: d.size, state: moved ? 'transferred' : 'skipped' });
        return moved;
      } catch (err) {
        abort.abort(); // stop the other downloads at once
        throw err;
      }
    });
    skipped = moved.filter((m) => !m).length;
    for (const m of manifests) await place(m, (tmp) => writeFile(tmp, m.bytes, { flag: 'wx', signal }));
    if (!(await exists(join(dir, 'oci-layout')))) {
      const tmp = `${join(dir, '.tmp-layout-')}${randomBytes(8).toString('hex')}`;
      temps.add(tmp);
      await writeFile(tmp, '{"imageLayoutVersion":"1.0.0"}', { flag: 'wx', signal });
      await rename(tmp, join(dir, 'oci-layout'));
      temps.delete(tmp);
    }
    const name = options.refName ?? ref.tag;
    const entry: Descriptor = {
      mediaType: top.mediaType, digest: top.digest, size: top.size,
      ...(name === undefined ? {} : { annotations: { [REF_NAME_ANNOTATION]: name } }),
    };
    const kept = (previous?.manifests ?? []).filter((m) => name === undefined ? m.digest !== top.digest : m.annotations?.[REF_NAME_ANNOTATION] !== name);
    const index: LayoutIndex = { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [...kept, entry] };
    const indexPath = join(dir, 'index.json');
    const tmp = `${join(dir, '.tmp-index-')}${randomBytes(8).toString('hex')}`;
    temps.add(tmp);
    await writeFile(tmp, JSON.stringify(index), { flag: 'wx', signal });
    await rename(tmp, indexPath);
    temps.delete(tmp);
  } catch (err) {
    abort.abort();
    // Partial files go; complete, verified blobs stay for the next pull; empty new directories go.
    await Promise.all([...temps].map((f) => rm(f, { force: true })));
    for (const d of createdDirs.reverse()) await rmdir(d).catch(() => undefined);
    if (options.signal?.aborted === true && !isDockerHubError(err)) throw new AbortedError(`pull of ${ref.toString()}`, options.signal.reason);
    throw err;
  }
  return { digest: top.digest, mediaType: top.mediaType, manifests: manifests.length, blobsTransferred: blobs.length - skipped, blobsSkipped: skipped };
}
