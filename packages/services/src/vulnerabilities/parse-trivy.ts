import { lazySchema } from '@llmdevops/docker-hub-core';
import * as z from 'zod';
import { normalizeSeverity } from './severity.js';
import type { Finding, VulnerabilityReport } from './types.js';

// Trivy's JSON report (`trivy image -f json`, SchemaVersion 2): Results[].Vulnerabilities[] with
// VulnerabilityID, PkgName, InstalledVersion, FixedVersion, Severity, Title and CVSS per source;
// `CreatedAt` and `Trivy.Version` in newer releases.

const VulnSchema = lazySchema(() =>
  z.looseObject({
    VulnerabilityID: z.string(),
    PkgName: z.string().nullish(),
    PkgID: z.string().nullish(),
    InstalledVersion: z.string().nullish(),
    FixedVersion: z.string().nullish(),
    Severity: z.string().nullish(),
    Title: z.string().nullish(),
    CVSS: z
      .record(
        z.string(),
        z.looseObject({ V3Score: z.number().nullish(), V2Score: z.number().nullish() }),
      )
      .nullish(),
    Status: z.string().nullish(),
  }),
);
/** A Trivy JSON report (only the parts used). @internal */
export const TrivySchema = lazySchema(() =>
  z.looseObject({
    SchemaVersion: z.number(),
    CreatedAt: z.string().nullish(),
    ArtifactName: z.string().nullish(),
    Trivy: z.looseObject({ Version: z.string().nullish() }).nullish(),
    Results: z
      .array(
        z.looseObject({
          Target: z.string().nullish(),
          Vulnerabilities: z.array(VulnSchema).nullish(),
        }),
      )
      .nullish(),
  }),
);

type Vuln = z.infer<typeof VulnSchema>;

function bestScore(v: Vuln): number | undefined {
  const scores = Object.values(v.CVSS ?? {})
    .map((c) => c.V3Score ?? c.V2Score ?? Number.NaN)
    .filter(Number.isFinite);
  return scores.length === 0 ? undefined : Math.max(...scores);
}

function toFinding(v: Vuln): Finding {
  const score = bestScore(v);
  const pkg = v.PkgName ?? v.PkgID ?? undefined;
  const status =
    v.Status === 'fixed'
      ? 'affected'
      : v.Status === 'not_affected'
        ? 'not_affected'
        : v.Status === 'under_investigation'
          ? 'under_investigation'
          : undefined;
  return {
    id: v.VulnerabilityID,
    severity: normalizeSeverity(v.Severity),
    ...(score === undefined ? {} : { score }),
    ...(pkg === undefined ? {} : { package: pkg }),
    ...(v.InstalledVersion === undefined || v.InstalledVersion === null
      ? {}
      : { installedVersion: v.InstalledVersion }),
    ...(v.FixedVersion === undefined || v.FixedVersion === null || v.FixedVersion === ''
      ? {}
      : { fixedVersion: v.FixedVersion }),
    ...(v.Title === undefined || v.Title === null ? {} : { title: v.Title }),
    ...(status === undefined ? {} : { status }),
  };
}

/**
 * Reads a Trivy JSON report (`SchemaVersion` 2).
 * @param doc - the parsed JSON
 * @returns the report, or undefined when it is not a Trivy report
 * @public
 */
export function parseTrivy(doc: unknown): VulnerabilityReport | undefined {
  const parsed = TrivySchema.safeParse(doc);
  if (!parsed.success) return undefined;
  const r = parsed.data;
  const at = typeof r.CreatedAt === 'string' ? Date.parse(r.CreatedAt) : Number.NaN;
  const version = r.Trivy?.Version ?? undefined;
  return {
    format: 'trivy',
    scanner: { name: 'Trivy', ...(version === undefined ? {} : { version }) },
    scannedAt: Number.isFinite(at) ? new Date(at) : undefined,
    findings: (r.Results ?? []).flatMap((res) => (res.Vulnerabilities ?? []).map(toFinding)),
  };
}
