import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AbortedError, ValidationError, isDockerHubError, type ImageReference } from '@llmdevops/docker-hub-core';
import { mapLimit } from '../internal/map-limit.js';
import type { ImageDeps } from '../images/types.js';
import { ArchiveInvalidError } from './archive-error.js';
import { scanArchive, type ArchiveCatalog, type ArchiveSource } from './archive-catalog.js';
import { planDockerArchive } from './docker-plan.js';
import type { ImportPlan } from './import-plan.js';
import { planOciArchive } from './oci-plan.js';
import type { ImportOptions, ImportResult } from './types.js';

/**
 * Chooses how to read the archive: an OCI layout (`index.json`) keeps its manifests and digests;
 * `manifest.json` alone is a classic `docker save`. Docker 25+ writes both; `compress` needs the
 * `manifest.json` route, since it changes layer digests and so the manifest.
 */
async function plan(catalog: ArchiveCatalog, options: ImportOptions, spoolDir: string): Promise<ImportPlan> {
  const hasIndex = catalog.has('index.json');
  const hasManifest = catalog.has('manifest.json');
  const common = { image: options.image, signal: options.signal };
  if (options.compress === true) {
    if (!hasManifest) {
      throw new ValidationError('INVALID_ARGUMENT', 'compress applies to docker save archives (manifest.json); an OCI archive is imported as it is, digests unchanged', 'compress');
    }
    return planDockerArchive(catalog, { ...common, compress: true, spoolDir });
  }
  if (hasIndex) return planOciArchive(catalog, { ...common, maxManifests: options.maxManifests });
  if (hasManifest) return planDockerArchive(catalog, { ...common, compress: false, spoolDir });
  throw new ArchiveInvalidError('layout', 'the archive has neither manifest.json (docker save) nor index.json (OCI layout)');
}

/** Pushes a checked plan: blobs first (existing ones skipped), then manifests, children first. */
async function push(deps: ImageDeps, target: ImageReference, p: ImportPlan, options: ImportOptions): Promise<ImportResult> {
  const signal = options.signal === undefined ? {} : { signal: options.signal };
  const moved = await mapLimit(p.blobs, options.concurrency ?? deps.ctx.config.upload.maxConcurrentUploads, async (b) => {
    const d = b.descriptor;
    const present = await deps.blobs.exists(target, d.digest, signal);
    if (!present) await deps.blobs.upload(target, b.open, { digest: d.digest, size: d.size, ...signal });
    options.onBlob?.({ digest: d.digest, size: d.size, state: present ? 'skipped' : 'transferred' });
    return !present;
  });
  let digest = p.top.digest;
  for (const m of p.manifests) {
    const where = m === p.top && target.digest === undefined ? target : target.withDigest(m.digest);
    digest = await deps.manifests.put(where, m.bytes, { mediaType: m.mediaType, ...signal });
  }
  const transferred = moved.filter(Boolean).length;
  return { format: p.format, digest, mediaType: p.top.mediaType, manifests: p.manifests.length, blobsTransferred: transferred, blobsSkipped: moved.length - transferred };
}

/**
 * Imports an image archive into a registry. The whole archive is read and checked first (entry
 * names, links, duplicates, caps, truncation; every blob against its digest and size, every
 * docker layer against its diff id), and only then is anything sent; so a refused archive
 * pushes nothing. A stream is copied once to a private temporary directory while it is checked
 * (a file path is read in place); the directory is removed afterwards, whatever happened.
 * @param deps - client services
 * @param source - a file path or a stream of the archive
 * @param target - where to push
 * @param options - image choice, compression, caps, concurrency, signal, progress
 * @returns what was pushed
 * @internal
 */
export async function importArchive(deps: ImageDeps, source: ArchiveSource, target: ImageReference, options: ImportOptions): Promise<ImportResult> {
  const spoolDir = await mkdtemp(join(options.tempDir ?? tmpdir(), 'dhub-import-'));
  try {
    const catalog = await scanArchive(source, spoolDir, options);
    const checked = await plan(catalog, options, spoolDir);
    if (target.digest !== undefined && target.digest !== checked.top.digest) {
      throw new ValidationError('INVALID_ARGUMENT', `${target.toString()} names digest ${target.digest}, but the archive's image is ${checked.top.digest}`, target.toString());
    }
    return await push(deps, target, checked, options);
  } catch (err) {
    if (options.signal?.aborted === true && !isDockerHubError(err)) throw new AbortedError(`import into ${target.toString()}`, options.signal.reason);
    throw err;
  } finally {
    await rm(spoolDir, { recursive: true, force: true });
  }
}
