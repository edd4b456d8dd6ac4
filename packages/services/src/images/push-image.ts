import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { ValidationError, parseManifest, verifyBytes, type Descriptor, type ImageReference } from '@llmdevops/docker-hub-core';
import { mapLimit } from '../internal/map-limit.js';
import { blobPath, findLayoutEntry, readLayoutIndex } from './oci-layout.js';
import type { ImageDeps, ImageTransferResult, PushOptions } from './types.js';

interface Counters {
  manifests: number;
  transferred: number;
  skipped: number;
}

/**
 * Pushes one manifest of a layout and everything below it: blobs first (concurrently, existing
 * ones skipped), child manifests by digest, then this manifest.
 */
interface PushJob {
  readonly deps: ImageDeps;
  readonly dir: string;
  readonly target: ImageReference;
  readonly options: PushOptions;
  readonly counters: Counters;
}

async function pushTree(job: PushJob, desc: Descriptor, top: boolean): Promise<string> {
  const { deps, dir, target, options: o } = job;
  const signal = o.signal === undefined ? {} : { signal: o.signal };
  const bytes = await readFile(blobPath(dir, desc.digest), signal);
  verifyBytes(bytes, desc.digest, desc.size);
  const parsed = parseManifest(bytes, desc.mediaType);
  if (parsed.kind === 'index') {
    for (const child of parsed.manifest.manifests) await pushTree(job, child, false);
  } else {
    const blobs = [parsed.manifest.config, ...parsed.manifest.layers].filter((d) => d.urls === undefined);
    await mapLimit(blobs, o.concurrency ?? deps.ctx.config.upload.maxConcurrentUploads, async (d) => {
      if (await deps.blobs.exists(target, d.digest, signal)) {
        job.counters.skipped++;
        o.onBlob?.({ digest: d.digest, size: d.size, state: 'skipped' });
        return;
      }
      const path = blobPath(dir, d.digest);
      await deps.blobs.upload(target, () => createReadStream(path), { digest: d.digest, size: d.size, ...signal });
      job.counters.transferred++;
      o.onBlob?.({ digest: d.digest, size: d.size, state: 'transferred' });
    });
  }
  const where = top && target.digest === undefined ? target : target.withDigest(parsed.digest.toString());
  job.counters.manifests++;
  return deps.manifests.put(where, bytes, { mediaType: parsed.mediaType, ...signal });
}

/**
 * Pushes an image from an OCI image layout to a registry.
 * @param deps - client services
 * @param dir - the layout directory
 * @param target - where to push (its tag names the image; digest references push by digest)
 * @param options - which image of the layout, concurrency, signal
 * @returns what was pushed
 * @internal
 */
export async function pushImage(deps: ImageDeps, dir: string, target: ImageReference, options: PushOptions): Promise<ImageTransferResult> {
  const index = await readLayoutIndex(dir, options.signal);
  if (index === undefined) {
    throw new ValidationError('INVALID_ARGUMENT', `${dir} is not an OCI image layout (no index.json)`, dir);
  }
  const entry = findLayoutEntry(index, options.refName ?? target.tag, dir);
  const counters: Counters = { manifests: 0, transferred: 0, skipped: 0 };
  const digest = await pushTree({ deps, dir, target, options, counters }, entry, true);
  return { digest, mediaType: entry.mediaType, manifests: counters.manifests, blobsTransferred: counters.transferred, blobsSkipped: counters.skipped };
}
