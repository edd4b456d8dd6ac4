import { ValidationError } from '@llmdevops/docker-hub-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseVulnerabilityReport } from './parse-report.js';
import { referrersTag } from './referrers.js';
import { SEVERITIES } from './types.js';

const severityWord = fc.constantFrom(
  'CRITICAL',
  'HIGH',
  'MEDIUM',
  'LOW',
  'UNKNOWN',
  'critical',
  'info',
  'none',
  'bogus',
);
const trivyDoc = fc.record({
  SchemaVersion: fc.constant(2),
  Results: fc.array(
    fc.record({
      Target: fc.string(),
      Vulnerabilities: fc.array(
        fc.record({
          VulnerabilityID: fc.string({ minLength: 1 }),
          Severity: severityWord,
          PkgName: fc.string(),
        }),
        { maxLength: 20 },
      ),
    }),
    { maxLength: 4 },
  ),
});

describe('report parsing properties', () => {
  it('never throws on arbitrary JSON values, and every finding has a known severity', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const report = parseVulnerabilityReport(
          typeof value === 'object' && value !== null ? value : { value },
        );
        for (const f of report?.findings ?? []) expect(SEVERITIES).toContain(f.severity);
      }),
    );
  });

  it('throws only ValidationError on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          parseVulnerabilityReport(text);
        } catch (err) {
          expect(err).toBeInstanceOf(ValidationError);
        }
      }),
    );
  });

  it('keeps one finding per Trivy vulnerability, in any wrapper', () => {
    fc.assert(
      fc.property(trivyDoc, fc.boolean(), (doc, wrap) => {
        const input = wrap
          ? { _type: 'https://in-toto.io/Statement/v1', predicateType: 'x', predicate: doc }
          : doc;
        const report = parseVulnerabilityReport(JSON.stringify(input));
        const expected = doc.Results.reduce((n, r) => n + r.Vulnerabilities.length, 0);
        expect(report?.format).toBe('trivy');
        expect(report?.findings).toHaveLength(expected);
      }),
    );
  });

  it('referrers tags are valid tags that keep the algorithm and at most 64 characters of the hex', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-f]{64}$/), (hex) => {
        const tag = referrersTag(`sha256:${hex}`);
        expect(tag).toMatch(/^[\w][\w.-]{0,127}$/);
        expect(tag).toBe(`sha256-${hex}`);
      }),
    );
    expect(referrersTag(`sha512:${'ab'.repeat(64)}`)).toBe(`sha512-${'ab'.repeat(32)}`);
  });
});
