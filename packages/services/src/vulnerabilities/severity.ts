import { SEVERITIES, type Finding, type Severity, type SeverityCounts } from './types.js';

/**
 * Maps a scanner's severity word onto the five buckets (Trivy `CRITICAL`, CycloneDX `info`/`none`,
 * Grype `Negligible`, SARIF-style words).
 * @param word - the scanner's level
 * @returns the bucket (`unknown` for anything unrecognised)
 * @public
 */
export function normalizeSeverity(word: unknown): Severity {
  if (typeof word !== 'string') return 'unknown';
  switch (word.trim().toLowerCase()) {
    case 'critical':
      return 'critical';
    case 'high':
    case 'important':
    case 'error':
      return 'high';
    case 'medium':
    case 'moderate':
    case 'warning':
      return 'medium';
    case 'low':
    case 'info':
    case 'informational':
    case 'negligible':
    case 'none':
    case 'note':
      return 'low';
    default:
      return 'unknown';
  }
}

/**
 * The CVSS v3 qualitative band of a base score (critical >= 9.0, high >= 7.0, medium >= 4.0, low > 0).
 * @param score - the score (0..10)
 * @returns the bucket (`unknown` for scores outside 0.1..10)
 * @public
 */
export function severityFromScore(score: number): Severity {
  if (!Number.isFinite(score) || score <= 0 || score > 10) return 'unknown';
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  return 'low';
}

/**
 * Rank of a severity, 0 for critical.
 * @param s - the severity
 * @returns its index in {@link SEVERITIES}
 * @internal
 */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/**
 * Whether a finding counts (VEX `not_affected` and `fixed` do not).
 * @param f - the finding
 * @returns true when it counts
 * @internal
 */
export function counts(f: Finding): boolean {
  return f.status !== 'not_affected' && f.status !== 'fixed';
}

/**
 * Counts findings per severity.
 * @param findings - the findings (those that count)
 * @returns the counts
 * @internal
 */
export function countBySeverity(findings: readonly Finding[]): SeverityCounts {
  const c: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 };
  for (const f of findings) c[f.severity] += 1;
  return c;
}

/**
 * Orders findings worst first: severity, then score (higher first), then id.
 * @param a - one finding
 * @param b - another
 * @returns the comparison
 * @internal
 */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(a.severity) - severityRank(b.severity) ||
    (b.score ?? -1) - (a.score ?? -1) ||
    a.id.localeCompare(b.id)
  );
}
