// Report parsers against the fixtures written from the published formats, and the wrappers
// (in-toto statement, DSSE envelope, cosign vulnerability predicate) reports travel in.
import { readFileSync } from 'node:fs';
import { ValidationError } from '@llmdevops/docker-hub-core';
import { describe, expect, it } from 'vitest';
import { buildOverview } from '../src/vulnerabilities/vulnerabilities-service.js';
import {
  normalizeSeverity,
  parseCycloneDx,
  parseSarif,
  parseTrivy,
  parseVulnerabilityReport,
  severityFromScore,
  type FoundReport,
  type VulnerabilityReport,
} from '../src/vulnerabilities/index.js';
import { countBySeverity } from '../src/vulnerabilities/severity.js';

const FIXTURES = new URL('../../../fixtures/vuln-reports/', import.meta.url);
const json = (name: string): unknown => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));

function found(report: VulnerabilityReport | undefined, digest: string): FoundReport {
  if (report === undefined) throw new Error('no report');
  return {
    ...report,
    source: { via: 'referrers', manifestDigest: digest, blobDigest: digest },
    counts: countBySeverity(report.findings),
  };
}

describe('report parsers', () => {
  it('reads Trivy JSON: severities, packages, fixed versions, best CVSS score, CreatedAt', () => {
    const r = parseTrivy(json('trivy-alpine.json'));
    expect(r?.format).toBe('trivy');
    expect(r?.scannedAt?.toISOString()).toBe('2024-07-15T09:12:44.118Z');
    expect(r && countBySeverity(r.findings)).toEqual({
      critical: 1,
      high: 2,
      medium: 3,
      low: 1,
      unknown: 1,
    });
    expect(r?.findings[0]).toEqual({
      id: 'CVE-2024-5535',
      severity: 'critical',
      score: 9.1,
      package: 'libssl3',
      installedVersion: '3.1.4-r5',
      fixedVersion: '3.1.6-r0',
      title: 'openssl: SSL_select_next_proto buffer overread',
      status: 'affected',
    });
    expect(r?.findings.find((f) => f.id === 'CVE-2024-58251')).not.toHaveProperty('fixedVersion');
  });

  it('reads SARIF: security-severity bands, severity tags, message fields, invocation time', () => {
    const r = parseSarif(json('trivy-alpine.sarif.json'));
    expect(r?.scanner).toEqual({ name: 'Trivy', version: '0.53.0' });
    expect(r?.scannedAt?.toISOString()).toBe('2024-07-16T08:00:09.000Z');
    expect(r && countBySeverity(r.findings)).toEqual({
      critical: 1,
      high: 1,
      medium: 2,
      low: 1,
      unknown: 0,
    });
    expect(r?.findings.find((f) => f.id === 'CVE-2024-4741')).toMatchObject({
      severity: 'medium',
      package: 'libssl3',
      fixedVersion: '3.1.5-r0',
    });
    expect(r?.findings[0]).toMatchObject({
      id: 'CVE-2024-5535',
      score: 9.1,
      installedVersion: '3.1.4-r5',
    });
  });

  it('falls back to SARIF levels without rules', () => {
    const doc = {
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name: 'x' } },
          results: [
            { ruleId: 'a', level: 'error' },
            { ruleId: 'b', level: 'warning' },
            { ruleId: 'c', level: 'note' },
            { level: 'none' },
          ],
        },
      ],
    };
    expect(parseSarif(doc)?.findings.map((f) => [f.id, f.severity])).toEqual([
      ['a', 'high'],
      ['b', 'medium'],
      ['c', 'low'],
      ['unknown', 'unknown'],
    ]);
    expect(parseSarif(doc)?.scannedAt).toBeUndefined();
  });

  it('reads CycloneDX vulnerabilities: worst rating wins, score-only ratings use CVSS bands, tools in both shapes', () => {
    const r = parseCycloneDx(json('cyclonedx-vulns.json'));
    expect(r?.format).toBe('cyclonedx');
    expect(r?.scanner).toEqual({ name: 'trivy', version: '0.53.0' });
    expect(r && countBySeverity(r.findings)).toEqual({
      critical: 1,
      high: 1,
      medium: 1,
      low: 1,
      unknown: 0,
    });
    expect(r?.findings.find((f) => f.id === 'CVE-2024-6119')).toMatchObject({
      severity: 'high',
      score: 7.5,
      package: 'libcrypto3',
      installedVersion: '3.1.4-r5',
    });
    const vex = parseCycloneDx(json('cyclonedx-vex.json'));
    expect(vex?.format).toBe('cyclonedx-vex');
    expect(vex?.scanner).toEqual({ name: 'vex-author', version: '1.0.0' });
    expect(vex?.findings.map((f) => [f.id, f.status])).toEqual([
      ['CVE-2024-6119', 'not_affected'],
      ['CVE-2024-5535', 'under_investigation'],
    ]);
  });

  it('does not treat a plain SBOM or other JSON as a scan', () => {
    expect(
      parseCycloneDx({ bomFormat: 'CycloneDX', specVersion: '1.5', components: [] }),
    ).toBeUndefined();
    expect(parseVulnerabilityReport({ spdxVersion: 'SPDX-2.3' })).toBeUndefined();
    expect(parseVulnerabilityReport('[1,2]')).toBeUndefined();
    expect(parseTrivy({ SchemaVersion: 'two' })).toBeUndefined();
    expect(() => parseVulnerabilityReport('{not json')).toThrow(ValidationError);
  });

  it('unwraps in-toto statements, DSSE envelopes and cosign vulnerability predicates', () => {
    const trivy = json('trivy-alpine.json') as Record<string, unknown>;
    const undated = Object.fromEntries(Object.entries(trivy).filter(([k]) => k !== 'CreatedAt'));
    const cosign = {
      invocation: {},
      scanner: { uri: 'pkg:github/aquasecurity/trivy@v0.53.0', version: '0.53.0', result: undated },
      metadata: { scanStartedOn: '2024-07-20T10:00:00Z', scanFinishedOn: '2024-07-20T10:00:05Z' },
    };
    const statement = {
      _type: 'https://in-toto.io/Statement/v0.1',
      predicateType: 'https://cosign.sigstore.dev/attestation/vuln/v1',
      subject: [],
      predicate: cosign,
    };
    const envelope = {
      payloadType: 'application/vnd.in-toto+json',
      payload: Buffer.from(JSON.stringify(statement)).toString('base64'),
      signatures: [],
    };
    const r = parseVulnerabilityReport(new TextEncoder().encode(JSON.stringify(envelope)));
    expect(r?.format).toBe('trivy');
    expect(r?.findings).toHaveLength(8);
    expect(r?.scannedAt?.toISOString()).toBe('2024-07-20T10:00:05.000Z');
    expect(
      parseVulnerabilityReport({ payloadType: 'x', payload: '!!!not base64 json' }),
    ).toBeUndefined();
    expect(parseVulnerabilityReport({ scanner: { result: { nothing: true } } })).toBeUndefined();
  });

  it('maps severity words and scores onto five buckets', () => {
    expect(
      ['CRITICAL', 'Important', 'moderate', 'Negligible', 'info', 'none', 'weird', 7].map(
        normalizeSeverity,
      ),
    ).toEqual(['critical', 'high', 'medium', 'low', 'low', 'low', 'unknown', 'unknown']);
    expect([9.8, 9.0, 7.0, 6.9, 4.0, 0.1, 0, 11, Number.NaN].map(severityFromScore)).toEqual([
      'critical',
      'critical',
      'high',
      'medium',
      'medium',
      'low',
      'unknown',
      'unknown',
      'unknown',
    ]);
  });
});

describe('buildOverview', () => {
  it('counts the newest scan, applies VEX from any report, orders top findings worst first', () => {
    const older = found(parseTrivy(json('trivy-alpine.json')), 'sha256:a');
    const newer = found(parseCycloneDx(json('cyclonedx-vulns.json')), 'sha256:b');
    const vex = found(parseCycloneDx(json('cyclonedx-vex.json')), 'sha256:c');
    const o = buildOverview('sha256:img', { reports: [older, vex, newer], problems: ['x'] }, 3);
    expect(o?.reports.map((r) => r.source.manifestDigest)).toEqual([
      'sha256:c',
      'sha256:b',
      'sha256:a',
    ]);
    expect(o?.counts).toEqual({ critical: 1, high: 0, medium: 1, low: 1, unknown: 0 });
    expect(o?.suppressed).toBe(1);
    expect(o?.total).toBe(3);
    expect(o?.topFindings.map((f) => f.id)).toEqual([
      'CVE-2024-5535',
      'CVE-2023-42363',
      'CVE-2024-2511',
    ]);
    expect(o?.problems).toEqual(['x']);
  });

  it('returns undefined with only VEX documents or nothing', () => {
    const vex = found(parseCycloneDx(json('cyclonedx-vex.json')), 'sha256:c');
    expect(buildOverview('sha256:img', { reports: [vex], problems: [] }, 10)).toBeUndefined();
    expect(buildOverview('sha256:img', { reports: [], problems: [] }, 10)).toBeUndefined();
  });

  it('prefers dated reports over undated ones', () => {
    const dated = found(parseSarif(json('trivy-alpine.sarif.json')), 'sha256:dated');
    const undated = found(
      { format: 'trivy', scanner: undefined, scannedAt: undefined, findings: [] },
      'sha256:undated',
    );
    expect(
      buildOverview('d', { reports: [undated, dated], problems: [] }, 0)?.reports[0]?.source
        .manifestDigest,
    ).toBe('sha256:dated');
    expect(buildOverview('d', { reports: [undated, dated], problems: [] }, 0)?.topFindings).toEqual(
      [],
    );
  });
});
