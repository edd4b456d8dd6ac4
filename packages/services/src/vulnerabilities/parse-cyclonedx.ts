import { lazySchema } from '@llmdevops/docker-hub-core';
import * as z from 'zod';
import { compareFindings, normalizeSeverity, severityFromScore } from './severity.js';
import type {
  Finding,
  FindingStatus,
  ScannerInfo,
  Severity,
  VulnerabilityReport,
} from './types.js';

// CycloneDX JSON 1.4-1.6: `vulnerabilities[]` {id, ratings[]{severity,score,method,source},
// affects[]{ref}, analysis{state,justification}}; `metadata.tools` is an array (1.4) or
// `{components[]}` (1.5+); `metadata.timestamp`. A BOM whose vulnerabilities all carry an
// `analysis.state` and no ratings is a VEX document: it says what applies, not what was found.

const ToolSchema = lazySchema(() =>
  z.looseObject({
    name: z.string().nullish(),
    version: z.string().nullish(),
    vendor: z.string().nullish(),
    group: z.string().nullish(),
  }),
);
const VulnSchema = lazySchema(() =>
  z.looseObject({
    id: z.string(),
    'bom-ref': z.string().nullish(),
    ratings: z
      .array(
        z.looseObject({
          severity: z.string().nullish(),
          score: z.number().nullish(),
          method: z.string().nullish(),
        }),
      )
      .nullish(),
    description: z.string().nullish(),
    detail: z.string().nullish(),
    affects: z.array(z.looseObject({ ref: z.string() })).nullish(),
    analysis: z.looseObject({ state: z.string().nullish() }).nullish(),
  }),
);
/** A CycloneDX BOM (only the parts used). @internal */
export const CycloneDxSchema = lazySchema(() =>
  z.looseObject({
    bomFormat: z.literal('CycloneDX'),
    specVersion: z.string().nullish(),
    metadata: z
      .looseObject({
        timestamp: z.string().nullish(),
        tools: z
          .union([
            z.array(ToolSchema),
            z.looseObject({ components: z.array(ToolSchema).nullish() }),
          ])
          .nullish(),
      })
      .nullish(),
    components: z
      .array(
        z.looseObject({
          'bom-ref': z.string().nullish(),
          name: z.string().nullish(),
          version: z.string().nullish(),
        }),
      )
      .nullish(),
    vulnerabilities: z.array(VulnSchema).nullish(),
  }),
);

type Bom = z.infer<typeof CycloneDxSchema>;
type Vuln = z.infer<typeof VulnSchema>;

const STATES: Readonly<Record<string, FindingStatus>> = {
  not_affected: 'not_affected',
  false_positive: 'not_affected',
  resolved: 'fixed',
  resolved_with_pedigree: 'fixed',
  in_triage: 'under_investigation',
  exploitable: 'affected',
};

function scanner(bom: Bom): ScannerInfo | undefined {
  const tools = bom.metadata?.tools;
  const list =
    tools === undefined || tools === null
      ? []
      : Array.isArray(tools)
        ? tools
        : (tools.components ?? []);
  const tool = list.find((t) => typeof t.name === 'string' && t.name !== '');
  if (tool?.name === undefined || tool.name === null) return undefined;
  return {
    name: tool.name,
    ...(tool.version === undefined || tool.version === null ? {} : { version: tool.version }),
  };
}

/** The worst rating wins: ratings from several sources (NVD, vendor, GHSA) often disagree. */
function rating(v: Vuln): { severity: Severity; score?: number } {
  let best: { severity: Severity; score?: number } = { severity: 'unknown' };
  for (const r of v.ratings ?? []) {
    const score = r.score ?? undefined;
    let severity = normalizeSeverity(r.severity);
    if (severity === 'unknown' && score !== undefined) severity = severityFromScore(score);
    const candidate = { severity, ...(score === undefined ? {} : { score }) };
    if (compareFindings({ id: '', ...candidate }, { id: '', ...best }) < 0) best = candidate;
  }
  return best;
}

function isVex(vulns: readonly Vuln[]): boolean {
  return (
    vulns.length > 0 &&
    vulns.every(
      (v) =>
        typeof v.analysis?.state === 'string' &&
        (v.ratings ?? []).every((r) => r.severity == null && r.score == null),
    )
  );
}

/**
 * Reads a CycloneDX BOM with `vulnerabilities` (a scan result) or VEX statements.
 * @param doc - the parsed JSON
 * @returns the report (format `cyclonedx` or `cyclonedx-vex`), or undefined when it is not
 *   CycloneDX or has no `vulnerabilities` (a plain SBOM is not a scan)
 * @public
 */
export function parseCycloneDx(doc: unknown): VulnerabilityReport | undefined {
  const parsed = CycloneDxSchema.safeParse(doc);
  if (!parsed.success) return undefined;
  const bom = parsed.data;
  const vulns = bom.vulnerabilities;
  if (vulns === undefined || vulns === null) return undefined;
  const components = new Map(
    (bom.components ?? []).flatMap((c) =>
      typeof c['bom-ref'] === 'string' ? [[c['bom-ref'], c] as const] : [],
    ),
  );
  const findings: Finding[] = [];
  for (const v of vulns) {
    const { severity, score } = rating(v);
    const state = v.analysis?.state;
    const status = typeof state === 'string' ? STATES[state] : undefined;
    const refs = v.affects?.map((a) => a.ref) ?? [];
    for (const ref of refs.length === 0 ? [undefined] : refs) {
      const c = ref === undefined ? undefined : components.get(ref);
      const pkg = c?.name ?? ref ?? undefined;
      const title = v.description ?? undefined;
      findings.push({
        id: v.id,
        severity,
        ...(score === undefined ? {} : { score }),
        ...(pkg === undefined ? {} : { package: pkg }),
        ...(c?.version === undefined || c.version === null ? {} : { installedVersion: c.version }),
        ...(title === undefined ? {} : { title: title.replace(/\n[\s\S]*$/, '') }),
        ...(status === undefined ? {} : { status }),
      });
    }
  }
  const at =
    typeof bom.metadata?.timestamp === 'string' ? Date.parse(bom.metadata.timestamp) : Number.NaN;
  return {
    format: isVex(vulns) ? 'cyclonedx-vex' : 'cyclonedx',
    scanner: scanner(bom),
    scannedAt: Number.isFinite(at) ? new Date(at) : undefined,
    findings,
  };
}
