import {
  EMPTY_JSON_DIGEST,
  LimitExceededError,
  MediaType,
  buildManifest,
  type Descriptor,
  type ImageReference,
  type OciManifest,
} from '@llmdevops/docker-hub-core';
import type { BlobsService } from '../blobs/blobs-service.js';
import type { CallOptions } from '../client/ref.js';
import type { ManifestsService } from '../manifests/manifests-service.js';
import { checkArtifactInput, uploadArtifactFiles } from './artifacts.js';
import { readReferrersIndex, referrersTag, type RegistryContext } from '../vulnerabilities/referrers.js';

/** One file of an artifact: a layer with a title. @public */
export interface ArtifactFile {
  /** The content. */
  readonly bytes: Uint8Array;
  /** `org.opencontainers.image.title`: the file's name (no directories). */
  readonly title: string;
  /** Layer media type (default `application/octet-stream`). */
  readonly mediaType?: string;
}

/** Options of {@link ReferrersService.attach}. @public */
export interface AttachArtifactOptions extends CallOptions {
  /** The artifact type, e.g. `application/spdx+json` or `application/vnd.dev.cosign.artifact.sig.v1+json`. */
  readonly artifactType: string;
  /** The files, one layer each. */
  readonly files: readonly ArtifactFile[];
  /** Manifest annotations (`org.opencontainers.image.created` is added unless given). */
  readonly annotations?: Readonly<Record<string, string>>;
  /** `org.opencontainers.image.created` (default now). */
  readonly created?: Date;
}

/** What {@link ReferrersService.attach} pushed. @public */
export interface AttachedArtifact {
  /** Digest of the artifact manifest. */
  readonly digest: string;
  readonly artifactType: string;
  /** The image it refers to. */
  readonly subject: string;
  /** Digests of the files, in order. */
  readonly blobs: readonly string[];
  /** `referrers` when the registry indexed it (`OCI-Subject`), else `referrers-tag` (the fallback index was updated). */
  readonly via: 'referrers' | 'referrers-tag';
}

/** What attaching needs from the client. @internal */
export interface AttachDeps {
  readonly ctx: RegistryContext;
  readonly manifests: Pick<ManifestsService, 'get'>;
  readonly blobs: Pick<BlobsService, 'upload'>;
}

/**
 * Pushes an OCI 1.1 artifact manifest whose `subject` is the image: the empty config, one layer
 * per file titled with `org.opencontainers.image.title`. Where the registry does not answer
 * `OCI-Subject` (no referrers API), the artifact is added to the `sha256-<hex>` fallback index
 * (read, modified, written; a tag holding something other than an index is left alone).
 * @param deps - context, manifests and blobs services
 * @param ref - the image (tag or digest)
 * @param options - artifact type, files, annotations, signal
 * @returns the artifact's digest and how it can be found
 * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} for no files, an artifact type that is not type/subtype (`INVALID_MEDIA_TYPE`), a repeated title or one that is not a plain file name
 * @internal
 */
export async function attachArtifact(deps: AttachDeps, ref: ImageReference, options: AttachArtifactOptions): Promise<AttachedArtifact> {
  checkArtifactInput(options.artifactType, options.files);
  const call = options.signal === undefined ? {} : { signal: options.signal };
  const subject = await deps.manifests.get(ref, call);
  const layers = await uploadArtifactFiles(deps, ref, options.files, options.signal);
  const annotations = { 'org.opencontainers.image.created': (options.created ?? new Date()).toISOString(), ...options.annotations };
  const manifest: OciManifest = {
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    artifactType: options.artifactType,
    config: { mediaType: MediaType.OciEmpty, digest: EMPTY_JSON_DIGEST, size: 2 },
    layers,
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations,
  };
  const built = buildManifest(manifest);
  const digest = built.digest.toString();
  const res = await deps.ctx.expect(
    { method: 'PUT', ref, path: `manifests/${digest}`, headers: { 'content-type': MediaType.OciManifest }, body: built.bytes, signal: options.signal, operation: 'manifests' },
    [200, 201, 202],
    `PUT artifact for ${ref.name}@${subject.digest}`,
  );
  await res.dump();
  const result = { digest, artifactType: options.artifactType, subject: subject.digest, blobs: layers.map((l) => l.digest) };
  if (res.header('oci-subject') !== undefined) return { ...result, via: 'referrers' };
  const entry: Descriptor = { mediaType: MediaType.OciManifest, digest, size: built.bytes.byteLength, artifactType: options.artifactType, annotations };
  await addToFallbackIndex(deps.ctx, ref, { subject: subject.digest, entry, signal: options.signal });
  return { ...result, via: 'referrers-tag' };
}

/** Writes of one fallback index update before giving up on a tag that keeps changing. */
const MAX_FALLBACK_WRITES = 16;

/**
 * Adds a descriptor to a subject's `sha256-<hex>` fallback index: read, modified, written, then
 * read again; when a concurrent writer replaced the index in between (the entry is missing), the
 * update is made again on top of theirs, up to 16 writes. An entry already listed costs no write;
 * a tag holding something other than an index is left alone, as OCI distribution 1.1 says.
 * Registries offer no conditional manifest PUT, so a writer that reads before this write and
 * writes after the check can still drop the entry; the check narrows that window.
 * @param ctx - the client context
 * @param ref - the repository
 * @param at - the subject digest, the descriptor to add, signal
 * @throws {@link @llmdevops/docker-hub-core!LimitExceededError | LimitExceededError} when the index changed under every one of 16 writes
 * @internal
 */
export async function addToFallbackIndex(
  ctx: RegistryContext,
  ref: ImageReference,
  at: { readonly subject: string; readonly entry: Descriptor; readonly signal: AbortSignal | undefined },
): Promise<void> {
  const { subject, entry, signal } = at;
  const tag = referrersTag(subject);
  for (let writes = 0; ; writes++) {
    const existing = await readReferrersIndex(ctx, ref, tag, signal);
    if (existing === undefined) return; // the tag holds something else: leave it (OCI distribution 1.1)
    if (existing.some((d) => d.digest === entry.digest)) return;
    if (writes === MAX_FALLBACK_WRITES) throw new LimitExceededError('fallbackIndexWrites', MAX_FALLBACK_WRITES, `referrers tag ${ref.name}:${tag} changed under every update`);
    const bytes = new TextEncoder().encode(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [...existing, entry] }));
    const res = await ctx.expect(
      { method: 'PUT', ref, path: `manifests/${tag}`, headers: { 'content-type': MediaType.OciIndex }, body: bytes, signal, operation: 'manifests' },
      [200, 201, 202],
      `PUT referrers tag ${ref.name}:${tag}`,
    );
    await res.dump();
  }
}
