import type { Descriptor, ImageReference } from '@llmdevops/docker-hub-core';
import { mapLimit } from '../internal/map-limit.js';
import { walkManifestGraph, type LoadManifest } from './manifest-graph.js';
import type { CopyOptions, ImageDeps, ImageTransferResult } from './types.js';

interface Counters {
  transferred: number;
  skipped: number;
}

interface CopyRun {
  readonly deps: ImageDeps;
  readonly src: ImageReference;
  readonly dst: ImageReference;
  readonly options: CopyOptions;
  readonly counters: Counters;
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

/**
 * Copies an image between repositories or registries, streaming blobs without temporary files
 * and mounting them within one registry. The source's manifest graph is walked first (each
 * digest once, capped), then every distinct blob moves, then every manifest is pushed once,
 * children before the indexes listing them.
 * @param deps - client services
 * @param src - the source image
 * @param dst - the destination (tag or digest)
 * @param options - platform choice, concurrency, manifest cap, signal
 * @returns what was copied
 * @internal
 */
export async function copyImage(deps: ImageDeps, src: ImageReference, dst: ImageReference, options: CopyOptions): Promise<ImageTransferResult> {
  const signal = options.signal === undefined ? {} : { signal: options.signal };
  const first = await deps.manifests.get(src, signal);
  const top = first.kind === 'index' && options.allPlatforms !== true
    ? await deps.manifests.getForPlatform(src, options.platform ?? 'linux/amd64', signal)
    : first;
  const load: LoadManifest = (d, s) => deps.manifests.get(src.withDigest(d.digest), s === undefined ? {} : { signal: s });
  const graph = await walkManifestGraph(top, load, { what: src.toString(), maxManifests: options.maxManifests, signal: options.signal });
  const run: CopyRun = { deps, src, dst, options, counters: { transferred: 0, skipped: 0 } };
  await mapLimit(graph.blobs, options.concurrency ?? deps.ctx.config.upload.maxConcurrentUploads, (d) => copyBlob(run, d));
  let digest = top.digest;
  for (const m of graph.manifests) {
    const where = m === top && dst.digest === undefined ? dst : dst.withDigest(m.digest);
    digest = await deps.manifests.put(where, m.bytes, { mediaType: m.mediaType, ...signal });
  }
  const { transferred, skipped } = run.counters;
  return { digest, mediaType: top.mediaType, manifests: graph.manifests.length, blobsTransferred: transferred, blobsSkipped: skipped };
}
