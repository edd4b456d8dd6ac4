import type { CallOptions } from '../client/ref.js';

/** Severity buckets of an overview (scanner-specific levels are mapped onto these). @public */
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'unknown';

/** Severities from worst to mildest. @public */
export const SEVERITIES: readonly Severity[] = Object.freeze([
  'critical',
  'high',
  'medium',
  'low',
  'unknown',
]);

/** Report formats the parsers understand. @public */
export type ReportFormat = 'sarif' | 'cyclonedx' | 'cyclonedx-vex' | 'trivy';

/** VEX-style status of a finding (CycloneDX `analysis.state`, mapped). @public */
export type FindingStatus = 'affected' | 'not_affected' | 'fixed' | 'under_investigation';

/** One vulnerability found in an image. @public */
export interface Finding {
  /** CVE, GHSA or scanner rule id. */
  readonly id: string;
  readonly severity: Severity;
  /** CVSS base score, when the report gives one. */
  readonly score?: number;
  /** Affected package (name, or purl when that is all there is). */
  readonly package?: string;
  readonly installedVersion?: string;
  readonly fixedVersion?: string;
  readonly title?: string;
  /** VEX status when the report states one; findings marked `not_affected` or `fixed` are not counted. */
  readonly status?: FindingStatus;
}

/** The scanner that wrote a report. @public */
export interface ScannerInfo {
  readonly name: string;
  readonly version?: string;
}

/** A parsed vulnerability report. @public */
export interface VulnerabilityReport {
  readonly format: ReportFormat;
  readonly scanner: ScannerInfo | undefined;
  /** When the scan ran (report timestamp, invocation end, or the artifact's creation annotation). */
  readonly scannedAt: Date | undefined;
  readonly findings: readonly Finding[];
}

/** Counts per severity. @public */
export type SeverityCounts = Readonly<Record<Severity, number>>;

/** Where a report was found. @public */
export interface ReportSource {
  /** `referrers` (referrers API), `referrers-tag` (the `sha256-<hex>` tag fallback) or `attestation` (BuildKit attestation manifest in the index). */
  readonly via: 'referrers' | 'referrers-tag' | 'attestation';
  /** Digest of the manifest that carried the report. */
  readonly manifestDigest: string;
  /** Digest of the report blob. */
  readonly blobDigest: string;
  /** Artifact type or in-toto predicate type, when known. */
  readonly artifactType?: string;
}

/** A report with its origin and its own counts. @public */
export interface FoundReport extends VulnerabilityReport {
  readonly source: ReportSource;
  readonly counts: SeverityCounts;
}

/** What {@link VulnerabilityProvider.getScanOverview} returns. @public */
export interface ScanOverview {
  /** The image digest asked about. */
  readonly digest: string;
  /** Counts of the newest scan report, VEX statements applied (not_affected/fixed are left out). */
  readonly counts: SeverityCounts;
  /** Sum of {@link ScanOverview.counts}. */
  readonly total: number;
  /** Findings left out because a VEX statement says they do not apply. */
  readonly suppressed: number;
  /** Scanner of the newest report. */
  readonly scanner: ScannerInfo | undefined;
  readonly scannedAt: Date | undefined;
  /** Worst findings first (severity, then score, then id). */
  readonly topFindings: readonly Finding[];
  /** Every report found, newest first (including VEX-only documents). */
  readonly reports: readonly FoundReport[];
  /** Reports that were found but could not be read (the reason; never report contents). */
  readonly problems: readonly string[];
}

/** Options of {@link VulnerabilityProvider.getScanOverview}. @public */
export interface ScanOverviewOptions extends CallOptions {
  /** How many findings {@link ScanOverview.topFindings} holds (default 10). */
  readonly top?: number;
  /** Largest report blob read, in bytes (default 32 MiB); bigger ones are listed in `problems`. */
  readonly maxReportBytes?: number;
}

/**
 * Where scan results come from. The built-in provider reads reports attached in the registry;
 * a vendor API (Docker Scout, a scanner's SaaS) can implement the same interface later.
 * @public
 */
export interface VulnerabilityProvider {
  /** A short name, e.g. `registry-referrers`. */
  readonly name: string;
  /**
   * The scan overview of an image.
   * @param namespace - Docker Hub user or organization
   * @param repository - repository name
   * @param digest - the image (index or manifest) digest
   * @param options - signal, top count, size limit
   * @returns the overview, or undefined when no scan report exists
   */
  getScanOverview(
    namespace: string,
    repository: string,
    digest: string,
    options?: ScanOverviewOptions,
  ): Promise<ScanOverview | undefined>;
}
