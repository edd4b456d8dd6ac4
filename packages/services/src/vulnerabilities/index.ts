export type { VulnerabilitiesService } from './vulnerabilities-service.js';
export type { AttachOptions, AttachResult } from './attach-report.js';
export {
  listReferrers,
  referrersTag,
  type ReferrerList,
  type RegistryContext,
} from './referrers.js';
export { parseVulnerabilityReport, REPORT_MEDIA_TYPES } from './parse-report.js';
export { parseSarif } from './parse-sarif.js';
export { parseCycloneDx } from './parse-cyclonedx.js';
export { parseTrivy } from './parse-trivy.js';
export { normalizeSeverity, severityFromScore } from './severity.js';
export type { ReportDeps } from './find-reports.js';
export {
  SEVERITIES,
  type Severity,
  type ReportFormat,
  type FindingStatus,
  type Finding,
  type ScannerInfo,
  type VulnerabilityReport,
  type SeverityCounts,
  type ReportSource,
  type FoundReport,
  type ScanOverview,
  type ScanOverviewOptions,
  type VulnerabilityProvider,
} from './types.js';
