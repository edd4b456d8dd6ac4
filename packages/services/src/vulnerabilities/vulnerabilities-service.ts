import { Digest, ImageReference } from '@llmdevops/docker-hub-core';
import type { ClientContext } from '../client/context.js';
import { refAttributes, ServiceTelemetry } from '../client/telemetry.js';
import type { BlobsService } from '../blobs/blobs-service.js';
import type { ManifestsService } from '../manifests/manifests-service.js';
import { toReference, type ReferenceInput } from '../client/ref.js';
import { checkNames } from '../hub/repositories-service.js';
import { attachReport, type AttachOptions, type AttachResult } from './attach-report.js';
import { findReports, type ReportDeps } from './find-reports.js';
import { listReferrers, type ReferrerList } from './referrers.js';
import { compareFindings, countBySeverity, counts } from './severity.js';
import type {
  FoundReport,
  ScanOverview,
  ScanOverviewOptions,
  VulnerabilityProvider,
} from './types.js';

const newestFirst = (a: FoundReport, b: FoundReport): number =>
  (b.scannedAt?.getTime() ?? -Infinity) - (a.scannedAt?.getTime() ?? -Infinity);

/**
 * Builds the overview from the reports found: the newest scan counts, VEX statements from any
 * report suppress the findings they mark `not_affected` or `fixed`.
 * @param digest - the image digest
 * @param found - reports and problems
 * @param top - size of `topFindings`
 * @returns the overview, or undefined without any scan report
 * @internal
 */
export function buildOverview(
  digest: string,
  found: { reports: readonly FoundReport[]; problems: readonly string[] },
  top: number,
): ScanOverview | undefined {
  const reports = [...found.reports].sort(newestFirst);
  const primary = reports.find((r) => r.format !== 'cyclonedx-vex');
  if (primary === undefined) return undefined;
  const vex = new Set(
    reports
      .filter((r) => r.format === 'cyclonedx-vex')
      .flatMap((r) => r.findings.filter((f) => !counts(f)).map((f) => f.id)),
  );
  const effective = primary.findings.filter((f) => counts(f) && !vex.has(f.id));
  const c = countBySeverity(effective);
  return {
    digest,
    counts: c,
    total: effective.length,
    suppressed: primary.findings.length - effective.length,
    scanner: primary.scanner,
    scannedAt: primary.scannedAt,
    topFindings: [...effective].sort(compareFindings).slice(0, Math.max(0, top)),
    reports,
    problems: found.problems,
  };
}

/**
 * Vulnerability scan results for images (seed F-22). Docker Hub publishes no REST API for scan
 * results, so this reads the reports attached to the image in the registry itself: OCI referrers
 * (the referrers API, or the `sha256-<hex>` tag fallback) and BuildKit attestation manifests,
 * in SARIF, CycloneDX (vulnerabilities or VEX) and Trivy JSON; and it attaches reports the same way.
 * @example
 * ```ts
 * const o = await client.vulnerabilities.getScanOverview('myuser', 'myapp', digest);
 * if (o !== undefined) console.log(o.counts.critical, o.scanner?.name, o.scannedAt);
 * ```
 * @public
 */
export class VulnerabilitiesService implements VulnerabilityProvider {
  /** Provider name. */
  readonly name = 'registry-referrers';
  readonly #deps: ReportDeps;
  readonly #telemetry: ServiceTelemetry;

  /**
   * @param ctx - the client context (registry requests; its telemetry, when given, gets a span
   *   per call and the `dockerhub.vulnerabilities` counts of every overview)
   * @param services - the manifests and blobs services
   */
  constructor(
    ctx: Pick<ClientContext, 'send' | 'expect'> & Partial<Pick<ClientContext, 'telemetry'>>,
    services: {
      readonly manifests: Pick<ManifestsService, 'get' | 'head'>;
      readonly blobs: Pick<BlobsService, 'get' | 'upload'>;
    },
  ) {
    this.#deps = { ctx, ...services };
    this.#telemetry = ctx.telemetry ?? ServiceTelemetry.off;
  }

  /**
   * The scan overview of a Docker Hub image (the client's `registryUrl` applies): counts by
   * severity, scanner, scan time and the worst findings of the newest report.
   * @param namespace - user or organization (`library` for official images)
   * @param repository - repository name
   * @param digest - the image (index or manifest) digest
   * @param options - top count, report size limit, signal
   * @returns the overview, or undefined when no scan report is attached
   * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError}, {@link @llmdevops/docker-hub-core!InvalidDigestError | InvalidDigestError}; {@link @llmdevops/docker-hub-core!NotFoundError | NotFoundError} when the image does not exist
   */
  async getScanOverview(
    namespace: string,
    repository: string,
    digest: string,
    options: ScanOverviewOptions = {},
  ): Promise<ScanOverview | undefined> {
    checkNames(namespace, repository);
    Digest.parse(digest);
    return this.getScanOverviewFor(
      ImageReference.parse(`${namespace}/${repository}@${digest}`),
      options,
    );
  }

  /**
   * The scan overview of an image on any registry.
   * @param input - the image (`registry/repo@digest`, or a tag, resolved first)
   * @param options - top count, report size limit, signal
   * @returns the overview, or undefined when no scan report is attached
   * @throws {@link @llmdevops/docker-hub-core!NotFoundError | NotFoundError} when the image does not exist
   */
  async getScanOverviewFor(
    input: ReferenceInput,
    options: ScanOverviewOptions = {},
  ): Promise<ScanOverview | undefined> {
    const ref = toReference(input);
    return this.#telemetry.run('vulnerabilities.getScanOverview', refAttributes(ref), async (span) => {
      const digest =
        ref.digest ??
        (
          await this.#deps.manifests.head(
            ref,
            options.signal === undefined ? {} : { signal: options.signal },
          )
        ).digest;
      span.setAttribute('docker_hub.digest', digest);
      const byDigest = ref.withDigest(digest) as ImageReference & { digest: string };
      const found = await findReports(this.#deps, byDigest, {
        maxBytes: options.maxReportBytes ?? 32 * 1024 * 1024,
        signal: options.signal,
      });
      const overview = buildOverview(digest, found, options.top ?? 10);
      span.setAttribute('docker_hub.reports', found.reports.length);
      if (overview !== undefined) {
        span.setAttribute('docker_hub.vulnerabilities.total', overview.total);
        this.#telemetry.vulnerabilities(ref, overview.counts);
      }
      return overview;
    });
  }

  /**
   * The referrers of an image (referrers API, else the tag fallback).
   * @param input - the image by digest (or tag, resolved first)
   * @param options - signal
   * @returns the referrer descriptors and how they were found
   */
  async referrers(
    input: ReferenceInput,
    options: { readonly signal?: AbortSignal } = {},
  ): Promise<ReferrerList> {
    const ref = toReference(input);
    return this.#telemetry.run('vulnerabilities.referrers', refAttributes(ref), async (span) => {
      const digest = ref.digest ?? (await this.#deps.manifests.head(ref, options)).digest;
      span.setAttribute('docker_hub.digest', digest);
      return listReferrers(this.#deps.ctx, ref, digest, options.signal);
    });
  }

  /**
   * Publishes a vulnerability report as a referrer of an image: an OCI artifact manifest with
   * `subject`, plus the `sha256-<hex>` fallback index where the registry has no referrers API.
   * @param input - the image (tag or digest)
   * @param report - SARIF, CycloneDX or Trivy JSON (text, bytes or object)
   * @param options - `mediaType`, `artifactType`, annotations, signal
   * @returns the artifact digest and how it is indexed
   * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} for an unknown format without `mediaType`; registry errors
   */
  async attach(
    input: ReferenceInput,
    report: string | Uint8Array | object,
    options: AttachOptions = {},
  ): Promise<AttachResult> {
    const ref = toReference(input);
    return this.#telemetry.run('vulnerabilities.attach', refAttributes(ref), () =>
      attachReport(this.#deps, ref, report, options),
    );
  }
}
