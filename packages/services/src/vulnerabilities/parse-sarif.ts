import { lazySchema } from '@llmdevops/docker-hub-core';
import * as z from 'zod';
import { normalizeSeverity, severityFromScore } from './severity.js';
import type { Finding, Severity, VulnerabilityReport } from './types.js';

// SARIF 2.1.0 (OASIS): runs[].tool.driver{name,version,rules[]}, runs[].results[]{ruleId,
// ruleIndex,level,message.text}, runs[].invocations[].endTimeUtc. Severity follows GitHub's code
// scanning convention: rule `properties["security-severity"]` (a CVSS score) first, then a
// severity word among the rule's tags (Trivy writes CRITICAL/HIGH/...), then the result level.

const text = lazySchema(() => z.looseObject({ text: z.string().nullish() }).nullish());
const RuleSchema = lazySchema(() =>
  z.looseObject({
    id: z.string(),
    name: z.string().nullish(),
    shortDescription: text,
    properties: z
      .looseObject({
        'security-severity': z.union([z.string(), z.number()]).nullish(),
        tags: z.array(z.unknown()).nullish(),
      })
      .nullish(),
  }),
);
const ResultSchema = lazySchema(() =>
  z.looseObject({
    ruleId: z.string().nullish(),
    ruleIndex: z.number().int().nullish(),
    level: z.string().nullish(),
    message: text,
    properties: z.looseObject({}).nullish(),
  }),
);
const RunSchema = lazySchema(() =>
  z.looseObject({
    tool: z.looseObject({
      driver: z.looseObject({
        name: z.string(),
        version: z.string().nullish(),
        semanticVersion: z.string().nullish(),
        rules: z.array(RuleSchema).nullish(),
      }),
    }),
    results: z.array(ResultSchema).nullish(),
    invocations: z
      .array(
        z.looseObject({ endTimeUtc: z.string().nullish(), startTimeUtc: z.string().nullish() }),
      )
      .nullish(),
  }),
);
/** A SARIF log (only the parts used). @internal */
export const SarifSchema = lazySchema(() =>
  z.looseObject({
    version: z.string().nullish(),
    runs: z.array(RunSchema),
  }),
);

type Rule = z.infer<typeof RuleSchema>;

function ruleSeverity(
  rule: Rule | undefined,
  level: string | null | undefined,
): { severity: Severity; score?: number } {
  const raw = rule?.properties?.['security-severity'];
  const score = raw === undefined || raw === null ? Number.NaN : Number(raw);
  if (Number.isFinite(score) && severityFromScore(score) !== 'unknown')
    return { severity: severityFromScore(score), score };
  for (const tag of rule?.properties?.tags ?? []) {
    const s = normalizeSeverity(tag);
    if (s !== 'unknown' && typeof tag === 'string' && tag === tag.toUpperCase())
      return { severity: s };
  }
  if (level === 'error') return { severity: 'high' };
  if (level === 'warning') return { severity: 'medium' };
  if (level === 'note') return { severity: 'low' };
  return { severity: 'unknown' };
}

/** Trivy's SARIF message: `Package: x\nInstalled Version: y\n...\nFixed Version: z`. */
function messageField(message: string | undefined, label: string): string | undefined {
  if (message === undefined) return undefined;
  const m = new RegExp(`^${label}:\\s*(.+)$`, 'm').exec(message);
  const v = m?.[1]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

function latest(dates: readonly (string | null | undefined)[]): Date | undefined {
  const ms = dates
    .map((d) => (typeof d === 'string' ? Date.parse(d) : Number.NaN))
    .filter(Number.isFinite);
  return ms.length === 0 ? undefined : new Date(Math.max(...ms));
}

/**
 * Reads a SARIF 2.1.0 log as a vulnerability report (every result is a finding).
 * @param doc - the parsed JSON
 * @returns the report, or undefined when it is not SARIF
 * @public
 */
export function parseSarif(doc: unknown): VulnerabilityReport | undefined {
  const parsed = SarifSchema.safeParse(doc);
  if (!parsed.success) return undefined;
  const findings: Finding[] = [];
  const first = parsed.data.runs[0];
  for (const run of parsed.data.runs) {
    const rules = run.tool.driver.rules ?? [];
    const byId = new Map(rules.map((r) => [r.id, r]));
    for (const result of run.results ?? []) {
      const rule =
        (result.ruleIndex === undefined || result.ruleIndex === null
          ? undefined
          : rules[result.ruleIndex]) ?? byId.get(result.ruleId ?? '');
      const id = result.ruleId ?? rule?.id ?? 'unknown';
      const message = result.message?.text ?? undefined;
      const { severity, score } = ruleSeverity(rule, result.level);
      const pkg = messageField(message, 'Package');
      const installed = messageField(message, 'Installed Version');
      const fixed = messageField(message, 'Fixed Version');
      const title = rule?.shortDescription?.text ?? undefined;
      findings.push({
        id,
        severity,
        ...(score === undefined ? {} : { score }),
        ...(pkg === undefined ? {} : { package: pkg }),
        ...(installed === undefined ? {} : { installedVersion: installed }),
        ...(fixed === undefined ? {} : { fixedVersion: fixed }),
        ...(title === undefined ? {} : { title }),
      });
    }
  }
  const driver = first?.tool.driver;
  const version = driver?.version ?? driver?.semanticVersion ?? undefined;
  return {
    format: 'sarif',
    scanner:
      driver === undefined
        ? undefined
        : { name: driver.name, ...(version === undefined ? {} : { version }) },
    scannedAt: latest(
      parsed.data.runs.flatMap((r) =>
        (r.invocations ?? []).flatMap((i) => [i.endTimeUtc, i.startTimeUtc]),
      ),
    ),
    findings,
  };
}
