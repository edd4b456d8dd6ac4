import {
  ImageConfigSchema,
  Platform,
  ValidationError,
  selectManifest,
  verifyBytes,
  type ImageReference,
} from '@llmdevops/docker-hub-core';
import type { BlobsService } from '../blobs/blobs-service.js';
import type { CallOptions } from '../client/ref.js';
import type { ManifestResult, ManifestsService } from '../manifests/manifests-service.js';

/** Options of {@link ImagesService.inspect}. @public */
export interface InspectOptions extends CallOptions {
  /** For an index: inspect this platform's image instead of listing the platforms. */
  readonly platform?: Platform | string;
}

/** One entry of an index, as {@link ImagesService.inspect} lists it. @public */
export interface IndexEntry {
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  /** `os/architecture[/variant]`, or undefined when the entry has no platform. */
  readonly platform: string | undefined;
  /** What the entry is for: an image, or an attestation manifest (build provenance, SBOM) for `attests`. */
  readonly kind: 'image' | 'attestation';
  /** For an attestation: the digest of the image it is about. */
  readonly attests?: string;
}

/** What an image's config says, as {@link ImagesService.inspect} reports it. @public */
export interface ImageDetails {
  readonly kind: 'image';
  readonly reference: string;
  readonly digest: string;
  readonly mediaType: string;
  /** `os/architecture[/variant]` from the config. */
  readonly platform: string;
  readonly created: string | undefined;
  readonly author: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly env: readonly string[];
  readonly entrypoint: readonly string[] | undefined;
  readonly cmd: readonly string[] | undefined;
  readonly workingDir: string | undefined;
  readonly user: string | undefined;
  readonly exposedPorts: readonly string[];
  /** The build steps (`created_by`), oldest first; empty-layer steps included. */
  readonly history: readonly string[];
  readonly layers: number;
  /** Sum of the layers' compressed sizes, in bytes. */
  readonly compressedSize: number;
}

/** What an index lists, as {@link ImagesService.inspect} reports it. @public */
export interface IndexDetails {
  readonly kind: 'index';
  readonly reference: string;
  readonly digest: string;
  readonly mediaType: string;
  /** The platforms' images, in the index's order. */
  readonly platforms: readonly IndexEntry[];
  /** Attestation manifests (not platforms), in the index's order. */
  readonly attestations: readonly IndexEntry[];
}

/** Config blobs are small documents; a larger one is refused unread. */
const CONFIG_MAX_BYTES = 4 * 1024 * 1024;

function platformText(p: { os?: string | null | undefined; architecture?: string | null | undefined; variant?: string | null | undefined } | undefined | null): string | undefined {
  if (p?.os === undefined || p.os === null || p.architecture === undefined || p.architecture === null) return undefined;
  return [p.os, p.architecture, p.variant ?? undefined].filter((x): x is string => x !== undefined && x !== '').join('/');
}

function indexEntries(top: Extract<ManifestResult, { kind: 'index' }>): { platforms: IndexEntry[]; attestations: IndexEntry[] } {
  const platforms: IndexEntry[] = [];
  const attestations: IndexEntry[] = [];
  for (const d of top.manifest.manifests) {
    const annotations = (d as { annotations?: Record<string, string> | null }).annotations ?? {};
    const base = { digest: d.digest, mediaType: d.mediaType, size: d.size, platform: platformText(d.platform) };
    // BuildKit marks its provenance/SBOM manifests so (with platform unknown/unknown).
    if (annotations['vnd.docker.reference.type'] === 'attestation-manifest') {
      const attests = annotations['vnd.docker.reference.digest'];
      attestations.push({ ...base, kind: 'attestation', ...(attests === undefined ? {} : { attests }) });
    } else {
      platforms.push({ ...base, kind: 'image' });
    }
  }
  return { platforms, attestations };
}

async function imageDetails(
  ref: ImageReference,
  image: Extract<ManifestResult, { kind: 'image' }>,
  deps: { readonly blobs: BlobsService },
  options: CallOptions,
): Promise<ImageDetails> {
  const { config: descriptor, layers } = image.manifest;
  if (descriptor.size > CONFIG_MAX_BYTES) {
    throw new ValidationError('INVALID_ARGUMENT', `the config of ${ref.toString()} is ${descriptor.size} bytes, more than ${CONFIG_MAX_BYTES}`, descriptor.digest);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of deps.blobs.get(ref, descriptor.digest, { size: descriptor.size, ...(options.signal === undefined ? {} : { signal: options.signal }) })) {
    chunks.push(chunk as Buffer);
  }
  const bytes = Buffer.concat(chunks);
  verifyBytes(bytes, descriptor.digest, descriptor.size);
  const config = ImageConfigSchema.parse(JSON.parse(bytes.toString('utf8')));
  const c = config.config ?? {};
  return {
    kind: 'image',
    reference: ref.toString(),
    digest: image.digest,
    mediaType: image.mediaType,
    platform: platformText(config) ?? 'unknown',
    created: config.created ?? undefined,
    author: config.author ?? undefined,
    labels: c.Labels ?? {},
    env: c.Env ?? [],
    entrypoint: c.Entrypoint ?? undefined,
    cmd: c.Cmd ?? undefined,
    workingDir: c.WorkingDir === '' ? undefined : (c.WorkingDir ?? undefined),
    user: c.User === '' ? undefined : (c.User ?? undefined),
    exposedPorts: Object.keys(c.ExposedPorts ?? {}),
    history: (config.history ?? []).map((h) => h.created_by ?? h.comment ?? ''),
    layers: layers.length,
    compressedSize: layers.reduce((sum, l) => sum + l.size, 0),
  };
}

/**
 * Reads what an image is without pulling its layers: for an image, its config (platform,
 * created, author, labels, environment, entrypoint and command, working directory, exposed ports,
 * history) and layer count and compressed size; for an index, each platform's digest and size,
 * with attestation manifests listed apart (not as platforms). With `platform`, an index is
 * resolved to that platform's image first.
 * @param ref - the image
 * @param deps - the manifests and blobs services
 * @param options - platform, signal
 * @returns the details
 * @throws {@link @llmdevops/docker-hub-core!PlatformNotFoundError | PlatformNotFoundError} when the index has no such platform
 * @internal
 */
export async function inspectImage(
  ref: ImageReference,
  deps: { readonly manifests: ManifestsService; readonly blobs: BlobsService },
  options: InspectOptions = {},
): Promise<ImageDetails | IndexDetails> {
  const call = options.signal === undefined ? {} : { signal: options.signal };
  const top = await deps.manifests.get(ref, call);
  if (top.kind === 'index') {
    if (options.platform === undefined) {
      return { kind: 'index', reference: ref.toString(), digest: top.digest, mediaType: top.mediaType, ...indexEntries(top) };
    }
    const wanted = typeof options.platform === 'string' ? Platform.parse(options.platform) : options.platform;
    const entry = selectManifest(top.manifest, wanted);
    const image = await deps.manifests.get(ref.withDigest(entry.digest), call);
    if (image.kind !== 'image') throw new ValidationError('INVALID_ARGUMENT', `${ref.toString()}: the ${wanted.toString()} entry is not an image manifest`, entry.digest);
    return imageDetails(ref.withDigest(entry.digest), image, deps, call);
  }
  return imageDetails(ref, top, deps, call);
}
