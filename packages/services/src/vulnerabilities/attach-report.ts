import { ValidationError, type ImageReference } from '@llmdevops/docker-hub-core';
import { attachArtifact } from '../referrers/attach-artifact.js';
import type { CallOptions } from '../client/ref.js';
import type { ReportDeps } from './find-reports.js';
import { REPORT_MEDIA_TYPES, parseVulnerabilityReport } from './parse-report.js';

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
  const attached = await attachArtifact(deps, ref, {
    artifactType,
    files: [{ bytes, mediaType, title: options.title ?? 'report.json' }],
    ...(options.annotations === undefined ? {} : { annotations: options.annotations }),
    ...(options.created === undefined ? {} : { created: options.created }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  return { digest: attached.digest, blobDigest: attached.blobs[0] ?? '', artifactType, subject: attached.subject, via: attached.via };
}
