import { ValidationError } from '@llmdevops/docker-hub-core';
import { parseCycloneDx } from './parse-cyclonedx.js';
import { parseSarif } from './parse-sarif.js';
import { parseTrivy } from './parse-trivy.js';
import type { ReportFormat, VulnerabilityReport } from './types.js';

/** Media types used when attaching reports (artifact and layer type). @public */
export const REPORT_MEDIA_TYPES: Readonly<Record<Exclude<ReportFormat, 'cyclonedx-vex'>, string>> =
  Object.freeze({
    sarif: 'application/sarif+json',
    cyclonedx: 'application/vnd.cyclonedx+json',
    // Trivy registers no media type for its JSON report; this is the one this toolkit writes.
    trivy: 'application/vnd.aquasec.trivy.report+json',
  });

/** in-toto predicate types that never carry vulnerabilities (skipped without downloading). @internal */
export const NON_SCAN_PREDICATES: readonly RegExp[] = [
  /^https:\/\/slsa\.dev\/provenance\//,
  /^https:\/\/spdx\.dev\/Document/,
];

const MAX_DEPTH = 3;

function unwrap(doc: unknown, depth: number): VulnerabilityReport | undefined {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || depth > MAX_DEPTH)
    return undefined;
  const o = doc as Record<string, unknown>;
  // DSSE envelope (signed attestations): the statement is base64 in `payload`.
  if (typeof o['payloadType'] === 'string' && typeof o['payload'] === 'string') {
    try {
      return unwrap(JSON.parse(Buffer.from(o['payload'], 'base64').toString('utf8')), depth + 1);
    } catch {
      return undefined;
    }
  }
  // in-toto statement (BuildKit attestation layers, cosign attest): the report is the predicate.
  if (typeof o['_type'] === 'string' && 'predicate' in o) {
    const report = unwrap(o['predicate'], depth + 1);
    return report;
  }
  // cosign vulnerability predicate: {scanner:{uri,version,result}, metadata:{scanFinishedOn}}.
  const scanner = o['scanner'];
  if (typeof scanner === 'object' && scanner !== null && 'result' in scanner) {
    const s = scanner as Record<string, unknown>;
    const inner = unwrap(s['result'], depth + 1);
    if (inner === undefined) return undefined;
    const meta = o['metadata'] as Record<string, unknown> | undefined;
    const finished =
      typeof meta?.['scanFinishedOn'] === 'string'
        ? Date.parse(meta['scanFinishedOn'])
        : Number.NaN;
    return {
      ...inner,
      scannedAt: inner.scannedAt ?? (Number.isFinite(finished) ? new Date(finished) : undefined),
    };
  }
  return parseSarif(o) ?? parseCycloneDx(o) ?? parseTrivy(o);
}

/**
 * Recognises and reads a vulnerability report: SARIF 2.1.0, CycloneDX (vulnerabilities or VEX),
 * Trivy JSON, also wrapped in an in-toto statement, a DSSE envelope or a cosign vulnerability
 * predicate.
 * @param input - JSON text, its UTF-8 bytes, or the parsed value
 * @returns the report, or undefined when the document is none of these (e.g. a plain SBOM)
 * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} when text or bytes are not JSON
 * @example
 * ```ts
 * const report = parseVulnerabilityReport(await readFile('trivy.json'));
 * ```
 * @public
 */
export function parseVulnerabilityReport(
  input: string | Uint8Array | object,
): VulnerabilityReport | undefined {
  let doc: unknown = input;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
    try {
      doc = JSON.parse(text);
    } catch {
      throw new ValidationError(
        'INVALID_ARGUMENT',
        'a vulnerability report must be JSON (SARIF, CycloneDX or Trivy)',
        text.slice(0, 40),
      );
    }
  }
  return unwrap(doc, 0);
}
