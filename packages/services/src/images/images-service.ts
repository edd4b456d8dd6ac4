import type { OtelAttributes } from '@llmdevops/docker-hub-transport';
import type { BlobsService } from '../blobs/blobs-service.js';
import type { ClientContext } from '../client/context.js';
import { refAttributes } from '../client/telemetry.js';
import { toReference, type ReferenceInput } from '../client/ref.js';
import type { ManifestsService } from '../manifests/manifests-service.js';
import { copyImage } from './copy-image.js';
import { copyImageWithReferrers } from '../referrers/copy-referrers.js';
import { copyRepository } from './copy-repository.js';
import { runSync, type SyncOptions, type SyncResult } from './sync/run-sync.js';
import type { SyncConfig } from './sync/sync-config.js';
import { inspectImage, type ImageDetails, type IndexDetails, type InspectOptions } from './inspect-image.js';
import { pullImage } from './pull-image.js';
import { pushImage } from './push-image.js';
import type { Writable } from 'node:stream';
import type { ArchiveSource } from '../archives/archive-catalog.js';
import { exportArchive } from '../archives/export-archive.js';
import { importArchive } from '../archives/import-archive.js';
import type { ExportOptions, ExportResult, ImportOptions, ImportResult } from '../archives/types.js';
import type { CopyOptions, CopyRepositoryOptions, CopyRepositoryResult, ImageDeps, ImageTransferResult, PullOptions, PushOptions } from './types.js';

/**
 * Whole images: pull into and push from OCI image layouts (what skopeo's `oci:` reads and
 * writes), and copy between registries.
 * @public
 */
export class ImagesService {
  readonly #deps: ImageDeps;

  /**
   * @param ctx - the client context
   * @param services - the manifests and blobs services
   */
  constructor(ctx: ClientContext, services: { readonly manifests: ManifestsService; readonly blobs: BlobsService }) {
    this.#deps = { ctx, ...services };
  }

  /**
   * Pulls an image into an OCI image layout (`oci-layout`, `index.json` naming it with
   * `org.opencontainers.image.ref.name`, `blobs/sha256/...`). Blobs are downloaded concurrently
   * (default 10), verified, and moved into place only when complete; `index.json` is written
   * last. Pulls resume across runs: a failed or interrupted pull leaves only complete, verified
   * blobs (no partial file, no `index.json` entry whose content is missing), and the next pull
   * into the directory verifies what is there by digest and downloads only what is missing.
   * The manifest graph is read once per digest, up to 8 levels deep and `maxManifests`
   * manifests (default 10,000).
   * @param input - the image
   * @param dir - the layout directory
   * @param options - `platform` (default `linux/amd64`) or `allPlatforms`, ref name, concurrency, signal
   * @returns digest, media type and counts
   * @throws {@link @llmdevops/docker-hub-core!PlatformNotFoundError | PlatformNotFoundError}, {@link @llmdevops/docker-hub-core!DigestMismatchError | DigestMismatchError}, {@link @llmdevops/docker-hub-core!NotFoundError | NotFoundError}, ...
   * @throws {@link @llmdevops/docker-hub-core!LimitExceededError | LimitExceededError} (`limit` `maxDepth` or `maxManifests`) for a manifest graph past a cap, before any blob moves
   * @example
   * ```ts
   * await client.images.pull('alpine:3.19', './alpine', { allPlatforms: true });
   * ```
   */
  async pull(input: ReferenceInput, dir: string, options: PullOptions = {}): Promise<ImageTransferResult> {
    const ref = toReference(input);
    return this.#traced('images.pull', refAttributes(ref), () => pullImage(this.#deps, ref, dir, options));
  }

  /**
   * Pushes an image from an OCI image layout: blobs concurrently (default 5), skipping those the
   * registry has, then each manifest once, children first. The layout's manifest graph is read
   * first, once per digest, up to 8 levels deep and `maxManifests` manifests (default 10,000).
   * @param dir - the layout directory
   * @param input - the destination (its tag selects the image in the layout unless `refName` is given)
   * @param options - ref name, concurrency, signal
   * @returns digest, media type and counts
   * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} when the layout has no such image; {@link @llmdevops/docker-hub-core!DigestMismatchError | DigestMismatchError} for damaged blobs
   * @throws {@link @llmdevops/docker-hub-core!LimitExceededError | LimitExceededError} (`limit` `maxDepth` or `maxManifests`) for a manifest graph past a cap, before anything is sent
   */
  async push(dir: string, input: ReferenceInput, options: PushOptions = {}): Promise<ImageTransferResult> {
    const ref = toReference(input);
    return this.#traced('images.push', refAttributes(ref), () => pushImage(this.#deps, dir, ref, options));
  }

  /**
   * Copies an image registry to registry, streaming blobs (no temporary files) and mounting them
   * within one registry; blobs the destination has are skipped (HEAD). By default the whole image
   * moves (the index and every platform), so the destination digest equals the source's. With
   * `platform`, only that platform's image manifest; with several `platforms`, an index rewritten
   * to those platforms (`indexRewritten` in the result: its digest differs from the source's).
   * The source's manifest graph is read once per digest, up to 8 levels deep and `maxManifests`
   * manifests (default 10,000), before anything is sent. With `referrers`, every referrer of every
   * copied manifest follows, recursively, with its exact bytes (`referrers` in the result counts them).
   * @param src - the source image
   * @param dst - the destination
   * @param options - `platform` or `platforms` (default: every platform), referrers, concurrency, manifest cap, signal
   * @returns digest, media type and counts
   * @throws {@link @llmdevops/docker-hub-core!LimitExceededError | LimitExceededError} (`limit` `maxDepth` or `maxManifests`) for a manifest graph past a cap
   */
  async copy(src: ReferenceInput, dst: ReferenceInput, options: CopyOptions = {}): Promise<ImageTransferResult> {
    const from = toReference(src);
    const to = toReference(dst);
    const attributes = { ...refAttributes(from, 'docker_hub.source'), ...refAttributes(to) };
    return this.#traced('images.copy', attributes, () => (options.referrers === true ? copyImageWithReferrers(this.#deps, from, to, options) : copyImage(this.#deps, from, to, options)));
  }

  /**
   * Copies the tags of a repository (all, or those `tags` selects: include/exclude patterns
   * matched in full, a node-semver range, the last N pushed) to another repository or registry.
   * Each tag's digest is compared by HEAD at both sides, so unchanged tags cost no manifest GET
   * (HEADs are not counted as pulls on Docker Hub); changed tags are copied `jobs` at a time (4),
   * each as {@link ImagesService.copy} does, and a blob shared by several tags moves once.
   * A failing tag is reported in the result, not thrown; without `keepGoing` it stops new tags
   * from starting. With `dryRun` nothing is written: the result lists the tags, digests, blobs
   * the destination lacks with their sizes, and the manifest GETs spent.
   * @param src - the source repository (a tag or digest in it is ignored)
   * @param dst - the destination repository
   * @param options - tag filter, platforms, jobs, keep-going, dry run, events, signal
   * @returns one result per tag tried, and totals
   * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} for an invalid pattern, range, `last` or `jobs`, before any request
   * @throws {@link @llmdevops/docker-hub-core!AbortedError | AbortedError} when the signal is aborted
   * @example
   * ```ts
   * const r = await client.images.copyRepository('library/alpine', 'registry.internal/mirror/alpine', { tags: { semver: '>=3.19' } });
   * console.log(`${r.copied} copied, ${r.unchanged} unchanged, ${r.failed} failed`);
   * ```
   */
  async copyRepository(src: ReferenceInput, dst: ReferenceInput, options: CopyRepositoryOptions = {}): Promise<CopyRepositoryResult> {
    const from = toReference(src);
    const to = toReference(dst);
    const attributes = { ...refAttributes(from, 'docker_hub.source'), ...refAttributes(to) };
    return this.#deps.ctx.telemetry.run('images.copyRepository', attributes, async (span) => {
      const result = await copyRepository(this.#deps, from, to, options);
      span.setAttribute('docker_hub.tags_copied', result.copied);
      span.setAttribute('docker_hub.tags_failed', result.failed);
      return result;
    });
  }

  /**
   * Runs a sync configuration (as `dhub sync FILE.yaml` reads it with
   * {@link parseSyncConfig}): each entry is a {@link ImagesService.copyRepository} from `source` to
   * `target` with the `defaults` under its own settings, `parallel` entries at a time. An entry
   * that cannot run (an unknown repository, say) is reported in the result and the others go on.
   * @param config - entries, defaults, parallelism
   * @param options - dry run, keep-going, drain (graceful stop), events, signal
   * @returns per-entry results and totals over tags
   * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} for an invalid pattern, range or count in any entry, before any request
   * @throws {@link @llmdevops/docker-hub-core!AbortedError | AbortedError} when the signal is aborted
   * @example
   * ```ts
   * const result = await client.images.sync(await loadSyncFile('sync.yaml'), { dryRun: true });
   * ```
   */
  async sync(config: SyncConfig, options: SyncOptions = {}): Promise<SyncResult> {
    return this.#deps.ctx.telemetry.run('images.sync', {}, () => runSync(this.#deps, config, options));
  }

  /**
   * Reads what an image is without pulling its layers: an image's config (platform, created,
   * author, labels, environment, entrypoint, command, working directory, exposed ports, history)
   * with its layer count and compressed size, or an index's platforms with attestation manifests
   * listed apart. With `platform`, an index is resolved to that platform's image.
   * @param input - the image
   * @param options - platform, signal
   * @returns the details; narrow on `kind`
   * @throws {@link @llmdevops/docker-hub-core!PlatformNotFoundError | PlatformNotFoundError} when the index has no such platform
   * @example
   * ```ts
   * const details = await client.images.inspect('alpine:3.19', { platform: 'linux/arm64' });
   * if (details.kind === 'image') console.log(details.created, details.layers);
   * ```
   */
  async inspect(input: ReferenceInput, options: InspectOptions = {}): Promise<ImageDetails | IndexDetails> {
    const ref = toReference(input);
    return this.#deps.ctx.telemetry.run('images.inspect', refAttributes(ref), () => inspectImage(ref, this.#deps, options));
  }

  /**
   * Exports an image into a tar archive written to `out`: `docker-archive` (default; what
   * `docker load` reads: `manifest.json`, the config, one tar per layer, `repositories`) or
   * `oci-archive` (an OCI image layout, as skopeo's `oci-archive:` reads it; `allPlatforms`
   * keeps the index, so the digest is the source's). Blobs stream from the registry into the
   * archive one after the other, each verified against its digest and size on the way: no
   * temporary copy, memory flat in the image's size. A failure leaves `out` not ended.
   * @param input - the image
   * @param out - where the archive goes (ended when complete unless `end: false`)
   * @param options - format, platforms or `allPlatforms`, name, signal, progress
   * @returns the format, top digest, counts and bytes written
   * @throws {@link @llmdevops/docker-hub-core!DigestMismatchError | DigestMismatchError}, {@link @llmdevops/docker-hub-core!SizeMismatchError | SizeMismatchError} for a blob the registry served wrong
   * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} for a docker-archive of several platforms or of an artifact
   * @example
   * ```ts
   * await client.images.export('alpine:3.19', createWriteStream('alpine.tar'));
   * ```
   */
  async export(input: ReferenceInput, out: Writable, options: ExportOptions = {}): Promise<ExportResult> {
    const ref = toReference(input);
    return this.#deps.ctx.telemetry.run('images.export', refAttributes(ref), () => exportArchive(this.#deps, ref, out, options));
  }

  /**
   * Imports an image archive into a registry: `docker save` output (classic, and the OCI layout
   * Docker 25+ writes) or an `oci-archive`. The archive is read and checked completely before
   * anything is sent: entry names (no absolute paths, no `..`), links staying inside, no
   * duplicates, `maxSize` (default 64 GiB) and `maxEntries` (default 100,000), no truncation,
   * every blob against its descriptor's digest and size, every docker layer against the
   * config's diff ids. A refused archive pushes nothing. A stream is spooled once to a private
   * temporary directory (a path is read in place); it is removed afterwards.
   * @param source - the archive: a file path or a readable stream
   * @param input - where to push
   * @param options - `image` (which one of several), `compress`, caps, concurrency, signal, progress
   * @returns what was pushed
   * @throws {@link ArchiveInvalidError} for an unsafe or malformed archive
   * @throws {@link @llmdevops/docker-hub-core!LimitExceededError | LimitExceededError} (`maxSize`, `maxEntries`, ...) past a cap
   * @throws {@link @llmdevops/docker-hub-core!DigestMismatchError | DigestMismatchError}, {@link @llmdevops/docker-hub-core!SizeMismatchError | SizeMismatchError} for content that disagrees with its descriptor
   * @example
   * ```ts
   * await client.images.import('./app.tar', 'registry.example.com/team/app:v1');
   * ```
   */
  async import(source: ArchiveSource, input: ReferenceInput, options: ImportOptions = {}): Promise<ImportResult> {
    const ref = toReference(input);
    return this.#deps.ctx.telemetry.run('images.import', refAttributes(ref), () => importArchive(this.#deps, source, ref, options));
  }

  async #traced(operation: string, attributes: OtelAttributes, fn: () => Promise<ImageTransferResult>): Promise<ImageTransferResult> {
    return this.#deps.ctx.telemetry.run(operation, attributes, async (span) => {
      const result = await fn();
      span.setAttribute('docker_hub.digest', result.digest);
      span.setAttribute('docker_hub.blobs_transferred', result.blobsTransferred);
      span.setAttribute('docker_hub.blobs_skipped', result.blobsSkipped);
      return result;
    });
  }
}
