import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import {
  MANIFEST_MAX_BYTES,
  PayloadTooLargeError,
  SizeMismatchError,
  ValidationError,
  parseManifest,
  verifyBytes,
  type Descriptor,
  type ImageReference,
} from '@llmdevops/docker-hub-core';
import { mapLimit } from '../internal/map-limit.js';
import type { ManifestResult } from '../manifests/manifests-service.js';
import { walkManifestGraph } from './manifest-graph.js';
import { blobPath, findLayoutEntry, readLayoutIndex } from './oci-layout.js';
import type { ImageDeps, ImageTransferResult, PushOptions } from './types.js';

/**
 * Reads one manifest of a layout, refusing an oversized file before reading it, and verifies it
 * against its descriptor.
 */
async function readLayoutManifest(dir: string, desc: Descriptor, signal: AbortSignal | undefined): Promise<ManifestResult> {
  const path = blobPath(dir, desc.digest);
  if (desc.size > MANIFEST_MAX_BYTES) throw new PayloadTooLargeError(`manifest ${desc.digest}`, MANIFEST_MAX_BYTES);
  const size = await stat(path).then(
    (st) => st.size,
    (err: unknown) => {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      throw new ValidationError('INVALID_ARGUMENT', `${dir} has no blob for manifest ${desc.digest}`, desc.digest);
    },
  );
  if (size !== desc.size) throw new SizeMismatchError(desc.size, size, `manifest ${path}`);
  const bytes = await readFile(path, signal === undefined ? {} : { signal });
  verifyBytes(bytes, desc.digest, desc.size);
  const parsed = parseManifest(bytes, desc.mediaType);
  const common = { digest: parsed.digest.toString(), mediaType: parsed.mediaType, bytes, size: bytes.byteLength };
  return parsed.kind === 'image' ? { ...common, kind: 'image', manifest: parsed.manifest } : { ...common, kind: 'index', manifest: parsed.manifest };
}

/**
 * Pushes an image from an OCI image layout to a registry: the manifest graph is walked first
 * (each digest once, capped), then every distinct blob (concurrently, existing ones skipped),
 * then every manifest once, children before the indexes listing them.
 * @param deps - client services
 * @param dir - the layout directory
 * @param target - where to push (its tag names the image; digest references push by digest)
 * @param options - which image of the layout, concurrency, manifest cap, signal
 * @returns what was pushed
 * @internal
 */
export async function pushImage(deps: ImageDeps, dir: string, target: ImageReference, options: PushOptions): Promise<ImageTransferResult> {
  const index = await readLayoutIndex(dir, options.signal);
  if (index === undefined) {
    throw new ValidationError('INVALID_ARGUMENT', `${dir} is not an OCI image layout (no index.json)`, dir);
  }
  const entry = findLayoutEntry(index, options.refName ?? target.tag, dir);
  const signal = options.signal === undefined ? {} : { signal: options.signal };
  const top = await readLayoutManifest(dir, entry, options.signal);
  const graph = await walkManifestGraph(top, (d, s) => readLayoutManifest(dir, d, s), {
    what: dir, maxManifests: options.maxManifests, signal: options.signal,
  });
  const moved = await mapLimit(graph.blobs, options.concurrency ?? deps.ctx.config.upload.maxConcurrentUploads, async (d) => {
    const present = await deps.blobs.exists(target, d.digest, signal);
    if (!present) {
      const path = blobPath(dir, d.digest);
      await deps.blobs.upload(target, () => createReadStream(path), { digest: d.digest, size: d.size, ...signal });
    }
    options.onBlob?.({ digest: d.digest, size: d.size, state: present ? 'skipped' : 'transferred' });
    return !present;
  });
  let digest = top.digest;
  for (const m of graph.manifests) {
    const where = m === top && target.digest === undefined ? target : target.withDigest(m.digest);
    digest = await deps.manifests.put(where, m.bytes, { mediaType: m.mediaType, ...signal });
  }
  const transferred = moved.filter(Boolean).length;
  return { digest, mediaType: entry.mediaType, manifests: graph.manifests.length, blobsTransferred: transferred, blobsSkipped: moved.length - transferred };
}
