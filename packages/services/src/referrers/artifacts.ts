import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  Digest,
  EMPTY_JSON_DIGEST,
  MediaType,
  MediaTypeStringSchema,
  ValidationError,
  buildManifest,
  type Descriptor,
  type ImageReference,
  type OciManifest,
} from '@llmdevops/docker-hub-core';
import type { BlobsService } from '../blobs/blobs-service.js';
import type { CallOptions } from '../client/ref.js';
import type { ManifestsService } from '../manifests/manifests-service.js';
import type { ArtifactFile } from './attach-artifact.js';

/** The annotation naming a layer's file. @public */
export const TITLE_ANNOTATION = 'org.opencontainers.image.title';

/** Layers of one pulled artifact, at most. */
const MAX_PULL_LAYERS = 1000;

/**
 * Checks an artifact type (or a layer media type): an RFC 6838 `type/subtype` without
 * parameters, as OCI requires of `artifactType`.
 * @param value - e.g. `application/spdx+json`
 * @param what - what the value is, for the message (default `artifact type`)
 * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} (`INVALID_MEDIA_TYPE`) naming the value
 * @public
 */
export function checkArtifactType(value: string, what = 'artifact type'): void {
  if (!MediaTypeStringSchema.safeParse(value).success) {
    throw new ValidationError(
      'INVALID_MEDIA_TYPE',
      `${what} ${JSON.stringify(value)} is not a media type of the form type/subtype (e.g. application/spdx+json)`,
      value,
    );
  }
}

/**
 * Checks an artifact file title: a plain file name (no directory part, not `.` or `..`, no
 * absolute path, no NUL), so that a pull can write it inside its directory and nowhere else.
 * @param title - the `org.opencontainers.image.title` value
 * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} (`INVALID_ARGUMENT`) naming the title
 * @public
 */
export function checkArtifactTitle(title: string): void {
  if (title === '' || title === '.' || title === '..' || /[/\\\0]/.test(title) || /^[A-Za-z]:/.test(title)) {
    throw new ValidationError('INVALID_ARGUMENT', `artifact file title ${JSON.stringify(title)} must be a plain file name (no directories, no ..)`, title);
  }
}

/** Options of {@link ArtifactsService.push}. @public */
export interface PushArtifactOptions extends CallOptions {
  /** The artifact type, e.g. `application/vnd.example.config.v1+json`. */
  readonly artifactType: string;
  /** The files, one layer each, in order. */
  readonly files: readonly ArtifactFile[];
  /** Manifest annotations (`org.opencontainers.image.created` is added unless given). */
  readonly annotations?: Readonly<Record<string, string>>;
  /** `org.opencontainers.image.created` (default now). */
  readonly created?: Date;
}

/** What {@link ArtifactsService.push} pushed. @public */
export interface PushedArtifact {
  /** Digest of the artifact manifest. */
  readonly digest: string;
  /** Size of the artifact manifest in bytes. */
  readonly size: number;
  readonly artifactType: string;
  /** The layers, in order (digest, size, media type, title). */
  readonly layers: readonly Descriptor[];
}

/** Options of {@link ArtifactsService.pull}. @public */
export type PullArtifactOptions = CallOptions;

/** One file written by {@link ArtifactsService.pull}. @public */
export interface PulledFile {
  /** The file name in the directory (the layer's title). */
  readonly title: string;
  readonly digest: string;
  readonly size: number;
  readonly mediaType: string;
}

/** What {@link ArtifactsService.pull} wrote. @public */
export interface PulledArtifact {
  /** Digest of the artifact manifest. */
  readonly digest: string;
  /** `artifactType`, else the config media type. */
  readonly artifactType: string;
  /** The artifact's subject, when it refers to an image. */
  readonly subject?: string;
  readonly files: readonly PulledFile[];
}

/** What pushing and pulling artifacts need from the client. @internal */
export interface ArtifactDeps {
  readonly manifests: Pick<ManifestsService, 'get' | 'put'>;
  readonly blobs: Pick<BlobsService, 'upload' | 'get'>;
}

const EMPTY = new TextEncoder().encode('{}');

/**
 * Checks an artifact's type, files and titles before anything is sent.
 * @param artifactType - the artifact type
 * @param files - the files
 * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} for no files, a bad type, a bad or repeated title, a bad layer media type
 * @internal
 */
export function checkArtifactInput(artifactType: string, files: readonly ArtifactFile[]): void {
  checkArtifactType(artifactType);
  if (files.length === 0) throw new ValidationError('INVALID_ARGUMENT', 'an artifact needs at least one file', '');
  const titles = new Set<string>();
  for (const f of files) {
    checkArtifactTitle(f.title);
    if (f.mediaType !== undefined) checkArtifactType(f.mediaType, `media type of ${f.title}`);
    if (titles.has(f.title)) throw new ValidationError('INVALID_ARGUMENT', `two artifact files are titled ${JSON.stringify(f.title)}`, f.title);
    titles.add(f.title);
  }
}

/**
 * Uploads the empty config and one blob per file; returns the layer descriptors.
 * @param deps - the blobs service
 * @param ref - the repository
 * @param files - the files
 * @param signal - cancels
 * @returns the layers, titled
 * @internal
 */
export async function uploadArtifactFiles(deps: { readonly blobs: Pick<BlobsService, 'upload'> }, ref: ImageReference, files: readonly ArtifactFile[], signal: AbortSignal | undefined): Promise<Descriptor[]> {
  const call = signal === undefined ? {} : { signal };
  await deps.blobs.upload(ref, EMPTY, { ...call, digest: EMPTY_JSON_DIGEST, size: 2 });
  const layers: Descriptor[] = [];
  for (const file of files) {
    const digest = Digest.fromBytes(file.bytes).toString();
    await deps.blobs.upload(ref, file.bytes, { ...call, digest, size: file.bytes.byteLength });
    layers.push({ mediaType: file.mediaType ?? 'application/octet-stream', digest, size: file.bytes.byteLength, annotations: { [TITLE_ANNOTATION]: file.title } });
  }
  return layers;
}

/**
 * Pushes an OCI 1.1 artifact without subject under a tag (or by digest): the empty config, one
 * layer per file titled with `org.opencontainers.image.title`, `artifactType` set. Everything is
 * checked before the first request.
 * @param deps - manifests and blobs services
 * @param ref - where the artifact goes (`repo:tag`)
 * @param options - type, files, annotations, signal
 * @returns the manifest digest and layers
 * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} for a bad artifact type, no files, a title that is not a plain file name
 * @internal
 */
export async function pushArtifact(deps: ArtifactDeps, ref: ImageReference, options: PushArtifactOptions): Promise<PushedArtifact> {
  checkArtifactInput(options.artifactType, options.files);
  const layers = await uploadArtifactFiles(deps, ref, options.files, options.signal);
  const manifest: OciManifest = {
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    artifactType: options.artifactType,
    config: { mediaType: MediaType.OciEmpty, digest: EMPTY_JSON_DIGEST, size: 2 },
    layers,
    annotations: { 'org.opencontainers.image.created': (options.created ?? new Date()).toISOString(), ...options.annotations },
  };
  const built = buildManifest(manifest);
  const digest = await deps.manifests.put(ref, built.bytes, { mediaType: MediaType.OciManifest, ...(options.signal === undefined ? {} : { signal: options.signal }) });
  return { digest, size: built.bytes.byteLength, artifactType: options.artifactType, layers };
}

/**
 * Pulls an artifact's files into a directory, each layer under its title. Every title is checked
 * first (a plain file name, unique); blobs are downloaded into hidden temporary files in the
 * directory, verified against their digests and sizes, and renamed into place only when all are
 * complete, so a failure leaves no file behind. Existing files of the same names are replaced.
 * @param deps - manifests and blobs services
 * @param ref - the artifact (tag or digest)
 * @param dir - the directory (created when missing)
 * @param options - signal
 * @returns what was written
 * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} for an index, a layer without title, an unsafe or repeated title
 * @throws {@link @llmdevops/docker-hub-core!DigestMismatchError | DigestMismatchError} when a blob's bytes do not match its digest
 * @internal
 */
export async function pullArtifact(deps: ArtifactDeps, ref: ImageReference, dir: string, options: PullArtifactOptions = {}): Promise<PulledArtifact> {
  const call = options.signal === undefined ? {} : { signal: options.signal };
  const manifest = await deps.manifests.get(ref, call);
  if (manifest.kind !== 'image') {
    throw new ValidationError('INVALID_ARGUMENT', `${ref.toString()} is an index, not an artifact: pull one of its manifests by digest`, ref.toString());
  }
  const layers = manifest.manifest.layers;
  if (layers.length > MAX_PULL_LAYERS) throw new ValidationError('INVALID_ARGUMENT', `${ref.toString()} has ${layers.length} layers, more than ${MAX_PULL_LAYERS}`, ref.toString());
  const files: PulledFile[] = [];
  const titles = new Set<string>();
  for (const [i, layer] of layers.entries()) {
    const title = layer.annotations?.[TITLE_ANNOTATION];
    if (title === undefined) throw new ValidationError('INVALID_ARGUMENT', `layer ${i} (${layer.digest}) of ${ref.toString()} has no ${TITLE_ANNOTATION} annotation`, layer.digest);
    checkArtifactTitle(title);
    if (titles.has(title)) throw new ValidationError('INVALID_ARGUMENT', `two layers of ${ref.toString()} are titled ${JSON.stringify(title)}`, title);
    titles.add(title);
    files.push({ title, digest: layer.digest, size: layer.size, mediaType: layer.mediaType });
  }
  await mkdir(dir, { recursive: true });
  const suffix = randomBytes(6).toString('hex');
  const temps = files.map((f, i) => join(dir, `.dhub-pull-${suffix}-${i}`));
  try {
    for (const [i, f] of files.entries()) {
      await pipeline(deps.blobs.get(ref, f.digest, { size: f.size, ...call }), createWriteStream(temps[i] ?? '', { flags: 'wx', mode: 0o644 }));
    }
    for (const [i, f] of files.entries()) await rename(temps[i] ?? '', join(dir, f.title));
  } catch (err) {
    await Promise.all(temps.map((t) => rm(t, { force: true })));
    throw err;
  }
  const m = manifest.manifest as { readonly artifactType?: unknown; readonly subject?: { readonly digest?: unknown } | null; readonly config: Descriptor };
  const artifactType = typeof m.artifactType === 'string' ? m.artifactType : m.config.mediaType;
  const subject = typeof m.subject?.digest === 'string' ? m.subject.digest : undefined;
  return { digest: manifest.digest, artifactType, ...(subject === undefined ? {} : { subject }), files };
}
