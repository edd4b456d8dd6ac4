import type { Descriptor, ImageReference } from '@llmdevops/docker-hub-core';
import { mapLimit } from '../internal/map-limit.js';
import type { ManifestResult } from '../manifests/manifests-service.js';
import type { CopyOptions, ImageDeps, ImageTransferResult } from './types.js';

interface Counters {
  manifests: number;
  transferred: number;
  skipped: number;
}

interface CopyRun {
  readonly deps: ImageDeps;
  readonly src: ImageReference;
  readonly dst: ImageReference;
  readonly options: CopyOptions;
  readonly counters: Counters;
  readonly done: Map<string, Promise<void>>;
}

function report(run: CopyRun, d: Descriptor, moved: boolean): void {
  if (moved) run.counters.transferred++;
  else run.counters.skipped++;
  run.options.onBlob?.({ digest: d.digest, size: d.size, state: moved ? 'transferred' : 'skipped' });
}

/** One blob: mounted within a registry, else streamed from source to destination (no temp files). */
async function copyBlob(run: CopyRun, d: Descriptor): Promise<void> {
  const { deps, src, dst, options } = run;
  const signal = options.signal === undefined ? {} : { signal: options.signal };
  if (deps.ctx.sameRegistry(src, dst)) {
    const how = await deps.blobs.mount(dst, d.digest, src.repository, signal);
    report(run, d, how === 'uploaded');
    return;
  }
  if (await deps.blobs.exists(dst, d.digest, signal)) {
    report(run, d, false);
    return;
  }
  await deps.blobs.upload(dst, () => deps.blobs.get(src, d.digest, { size: d.size, ...signal }), { digest: d.digest, size: d.size, ...signal });
  report(run, d, true);
}

async function copyTree(run: CopyRun, m: ManifestResult, top: boolean): Promise<string> {
  const { deps, src, dst, options } = run;
  const signal = options.signal === undefined ? {} : { signal: options.signal };
  if (m.kind === 'index') {
    for (const child of m.manifest.manifests) {
      await copyTree(run, await deps.manifests.get(src.withDigest(child.digest), signal), false);
    }
  } else {
    const blobs = [m.manifest.config, ...m.manifest.layers].filter((d) => d.urls === undefined);
    await mapLimit(blobs, options.concurrency ?? deps.ctx.config.upload.maxConcurrentUploads, (d) => {
      // The same blob in two manifests (a shared config or layer) moves once.
      let pending = run.done.get(d.digest);
      if (pending === undefined) {
        pending = copyBlob(run, d);
        run.done.set(d.digest, pending);
      }
      return pending;
    });
  }
  run.counters.manifests++;
  const where = top && dst.digest === undefined ? dst : dst.withDigest(m.digest);
  return deps.manifests.put(where, m.bytes, { mediaType: m.mediaType, ...signal });
}

/**
 * Copies an image between repositories or registries, streaming blobs without temporary files
 * and mounting them within one registry; manifests are pushed children first.
 * @param deps - client services
 * @param src - the source image
 * @param dst - the destination (tag or digest)
 * @param options - platform choice, concurrency, signal
 * @returns what was copied
 * @internal
 */
export async function copyImage(deps: ImageDeps, src: ImageReference, dst: ImageReference, options: CopyOptions): Promise<ImageTransferResult> {
  const signal = options.signal === undefined ? {} : { signal: options.signal };
  const first = await deps.manifests.get(src, signal);
  const top = first.kind === 'index' && options.allPlatforms !== true
    ? await deps.manifests.getForPlatform(src, options.platform ?? 'linux/amd64', signal)
    : first;
  const counters: Counters = { manifests: 0, transferred: 0, skipped: 0 };
  const digest = await copyTree({ deps, src, dst, options, counters, done: new Map() }, top, true);
  return { digest, mediaType: top.mediaType, manifests: counters.manifests, blobsTransferred: counters.transferred, blobsSkipped: counters.skipped };
}
