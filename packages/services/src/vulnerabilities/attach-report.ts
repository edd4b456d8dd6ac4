import {
  Digest,
  EMPTY_JSON_DIGEST,
  MediaType,
  ValidationError,
  buildManifest,
  type Descriptor,
  type ImageReference,
  type OciManifest,
} from '@llmdevops/docker-hub-core';
import type { CallOptions } from '../internal/ref.js';
import type { ReportDeps } from './find-reports.js';
import { REPORT_MEDIA_TYPES, parseVulnerabilityReport } from './parse-report.js';
import { readReferrersIndex, referrersTag } from './referrers.js';

/** Options of {@link VulnerabilitiesService.attach}. @public */
export interface AttachOptions extends CallOptions {
  /** Layer media type (default by format: `application/sarif+json`, `application/vnd.cyclonedx+json`, ...). */
  readonly mediaType?: string;
  /** Manifest `artifactType` (default the layer media type). */
  readonly artifactType?: string;
  /** Extra manifest annotations. */
  readonly annotations?: Readonly<Record<string, string>>;
  /** `org.opencontainers.image.created` (default now). */
  readonly created?: Date;
  /** Layer title (`org.opencontainers.image.title`, default `report.json`). */
  readonly title?: string;
}

/** What {@link VulnerabilitiesService.attach} pushed. @public */
export interface AttachResult {
  /** Digest of the artifact manifest. */
  readonly digest: string;
  /** Digest of the report blob. */
  readonly blobDigest: string;
  readonly artifactType: string;
  /** The image the report is about. */
  readonly subject: string;
  /** `referrers` when the registry indexed it (`OCI-Subject`), else `referrers-tag` (fallback index updated). */
  readonly via: 'referrers' | 'referrers-tag';
}

const EMPTY = new TextEncoder().encode('{}');

function toBytes(report: string | Uint8Array | object): Uint8Array {
  if (report instanceof Uint8Array) return report;
  return new TextEncoder().encode(typeof report === 'string' ? report : JSON.stringify(report));
}

/**
 * Pushes a report as an OCI artifact whose `subject` is the image, and, where the registry does
 * not answer `OCI-Subject` (no referrers API), adds it to the `sha256-<hex>` fallback index.
 * @param deps - context, manifests and blobs services
 * @param ref - the image (tag or digest)
 * @param report - the report (JSON text, bytes or object)
 * @param options - media/artifact type, annotations, signal
 * @returns the artifact's digest and how it can be found
 * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} when the report is not a known format and no media type is given
 * @internal
 */
export async function attachReport(
  deps: ReportDeps,
  ref: ImageReference,
  report: string | Uint8Array | object,
  options: AttachOptions,
): Promise<AttachResult> {
  const call = options.signal === undefined ? {} : { signal: options.signal };
  const bytes = toBytes(report);
  let mediaType = options.mediaType;
  if (mediaType === undefined) {
    const parsed = parseVulnerabilityReport(bytes);
    if (parsed === undefined)
      throw new ValidationError(
        'INVALID_ARGUMENT',
        'report is not SARIF, CycloneDX or Trivy JSON; pass mediaType to attach it anyway',
        '',
      );
    mediaType = REPORT_MEDIA_TYPES[parsed.format === 'cyclonedx-vex' ? 'cyclonedx' : parsed.format];
  }
  const artifactType = options.artifactType ?? mediaType;
  const subject = await deps.manifests.get(ref, call);
  const blobDigest = Digest.fromBytes(bytes).toString();
  await deps.blobs.upload(ref, EMPTY, { ...call, digest: EMPTY_JSON_DIGEST, size: 2 });
  await deps.blobs.upload(ref, bytes, { ...call, digest: blobDigest, size: bytes.byteLength });
  const annotations = {
    'org.opencontainers.image.created': (options.created ?? new Date()).toISOString(),
    ...options.annotations,
  };
  const manifest: OciManifest = {
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    artifactType,
    config: { mediaType: MediaType.OciEmpty, digest: EMPTY_JSON_DIGEST, size: 2 },
    layers: [
      {
        mediaType,
        digest: blobDigest,
        size: bytes.byteLength,
        annotations: { 'org.opencontainers.image.title': options.title ?? 'report.json' },
      },
    ],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations,
  };
  const built = buildManifest(manifest);
  const digest = built.digest.toString();
  const res = await deps.ctx.expect(
    {
      method: 'PUT',
      ref,
      path: `manifests/${digest}`,
      headers: { 'content-type': MediaType.OciManifest },
      body: built.bytes,
      signal: options.signal,
      operation: 'manifests',
    },
    [200, 201, 202],
    `PUT report artifact for ${ref.name}@${subject.digest}`,
  );
  await res.dump();
  const result = { digest, blobDigest, artifactType, subject: subject.digest };
  if (res.header('oci-subject') !== undefined) return { ...result, via: 'referrers' };
  const entry: Descriptor = {
    mediaType: MediaType.OciManifest,
    digest,
    size: built.bytes.byteLength,
    artifactType,
    annotations,
  };
  await addToFallbackIndex(deps, ref, { subject: subject.digest, entry, signal: options.signal });
  return { ...result, via: 'referrers-tag' };
}

async function addToFallbackIndex(
  deps: ReportDeps,
  ref: ImageReference,
  {
    subject,
    entry,
    signal,
  }: {
    readonly subject: string;
    readonly entry: Descriptor;
    readonly signal: AbortSignal | undefined;
  },
): Promise<void> {
  const tag = referrersTag(subject);
  const existing = await readReferrersIndex(deps.ctx, ref, tag, signal);
  if (existing === undefined) return; // the tag holds something else: leave it (OCI distribution 1.1)
  const manifests = [...existing.filter((d) => d.digest !== entry.digest), entry];
  const bytes = new TextEncoder().encode(
    JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests }),
  );
  const res = await deps.ctx.expect(
    {
      method: 'PUT',
      ref,
      path: `manifests/${tag}`,
      headers: { 'content-type': MediaType.OciIndex },
      body: bytes,
      signal,
      operation: 'manifests',
    },
    [200, 201, 202],
    `PUT referrers tag ${ref.name}:${tag}`,
  );
  await res.dump();
}
