// The Grafana dashboard and Prometheus alert rules in tooling/observability only use metric
// names (and labels) the code emits, in the form the OpenTelemetry Prometheus exporter writes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { prometheusSeriesNames } from '@llmdevops/docker-hub-transport';
import { METRIC_DEFINITIONS } from '../src/index.js';

const dir = join(import.meta.dirname, '../../../tooling/observability');
const dashboardText = readFileSync(join(dir, 'grafana-dashboard.json'), 'utf8');
const rulesText = readFileSync(join(dir, 'prometheus-alerts.yml'), 'utf8');

/** Prometheus series name -> labels that series may carry. */
const KNOWN = new Map<string, Set<string>>(
  Object.values(METRIC_DEFINITIONS).flatMap((d) =>
    prometheusSeriesNames(d).map(
      (s) => [s, new Set([...d.attributes, ...(s.endsWith('_bucket') ? ['le'] : [])])] as const,
    ),
  ),
);

/** Every `dockerhub_*` series referenced, with the label names of its selector(s). */
function references(text: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const m of text.matchAll(/\b(dockerhub_[a-zA-Z0-9_]+)(\{([^}]*)\})?/g)) {
    const name = m[1] ?? '';
    const labels = out.get(name) ?? new Set<string>();
    for (const l of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)/g))
      labels.add(l[1] ?? '');
    out.set(name, labels);
  }
  return out;
}

function checkReferences(text: string): void {
  const refs = references(text);
  expect(refs.size).toBeGreaterThan(0);
  for (const [name, labels] of refs) {
    expect(KNOWN.has(name), `${name} is not emitted (not in METRIC_NAMES)`).toBe(true);
    for (const label of labels)
      expect(KNOWN.get(name)?.has(label), `${name} has no label ${label}`).toBe(true);
  }
}

interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly gridPos: { h: number; w: number; x: number; y: number };
  readonly targets?: { expr: string; refId: string }[];
}

describe('grafana-dashboard.json', () => {
  const dashboard = JSON.parse(dashboardText) as { title: string; uid: string; panels: Panel[] };

  it('parses and has the rows and panels of seed 7.1', () => {
    const rows: Record<string, string[]> = {};
    let current = '';
    for (const p of dashboard.panels) {
      if (p.type === 'row') rows[(current = p.title)] = [];
      else rows[current]?.push(p.title);
    }
    expect(Object.keys(rows)).toEqual([
      'Image Operations',
      'Data Transfer',
      'Rate Limits',
      'Latency',
      'Errors',
      'Vulnerabilities',
    ]);
    expect(rows['Image Operations']).toEqual([
      'Pulls per minute',
      'Pushes per minute',
      'Success rate',
    ]);
    expect(rows['Data Transfer']).toEqual(['Bytes uploaded / downloaded (per hour)', 'Throughput']);
    expect(rows['Rate Limits']).toEqual(['Remaining pulls', 'Limit utilization']);
    expect(rows['Latency']).toEqual([
      'Manifest operation latency p50 / p99',
      'Blob operation latency p50 / p99',
    ]);
    expect(rows['Errors']).toEqual(['Error rate by type', 'Auth failures (per minute)']);
    expect(rows['Vulnerabilities']).toEqual(['CVE counts by severity']);
  });

  it('has unique panel ids, a layout inside 24 columns and a query in every panel', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dashboard.panels) {
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      if (p.type !== 'row') expect(p.targets?.length, p.title).toBeGreaterThan(0);
    }
  });

  it('uses only metric names and labels the code emits', () => {
    checkReferences(dashboardText);
  });
});

describe('prometheus-alerts.yml', () => {
  const rules = parse(rulesText) as {
    groups: {
      name: string;
      rules: {
        alert: string;
        expr: string;
        labels: { severity: string };
        annotations: { summary: string };
      }[];
    }[];
  };
  const all = rules.groups.flatMap((g) => g.rules);

  it('parses and has the alerts of seed 7.2 with their severities', () => {
    expect(Object.fromEntries(all.map((r) => [r.alert, r.labels.severity]))).toEqual({
      DockerHubHighErrorRate: 'warning',
      DockerHubCircuitBreakerOpen: 'critical',
      DockerHubRateLimitLow: 'warning',
      DockerHubRateLimitExhausted: 'critical',
      DockerHubAuthFailuresSpike: 'critical',
      DockerHubHighLatency: 'warning',
      DockerHubUploadFailures: 'warning',
      DockerHubDigestMismatch: 'critical',
    });
    for (const r of all) {
      expect(r.expr.trim(), r.alert).not.toBe('');
      expect(r.annotations.summary, r.alert).toBeTruthy();
    }
  });

  it('encodes the thresholds of seed 7.2', () => {
    const expr = (name: string): string =>
      all.find((r) => r.alert === name)?.expr.replace(/\s+/g, ' ') ?? '';
    expect(expr('DockerHubHighErrorRate')).toMatch(/\[5m\].*> 0\.05/);
    expect(expr('DockerHubCircuitBreakerOpen')).toMatch(/dockerhub_circuit_breaker_state\) == 2/);
    expect(expr('DockerHubRateLimitLow')).toMatch(/< 20/);
    expect(expr('DockerHubRateLimitExhausted')).toMatch(/== 0/);
    expect(expr('DockerHubAuthFailuresSpike')).toMatch(/\[1m\]\)\) > 5/);
    expect(expr('DockerHubHighLatency')).toMatch(/histogram_quantile\(0\.99,.*> 10/);
    expect(expr('DockerHubUploadFailures')).toMatch(/> 0\.10/);
    expect(expr('DockerHubDigestMismatch')).toMatch(/dockerhub_digest_mismatches_total/);
  });

  it('uses only metric names and labels the code emits', () => {
    checkReferences(rulesText);
  });

  it('catches a metric name the code does not emit', () => {
    expect(() => {
      checkReferences('rate(dockerhub_made_up_total[5m])');
    }).toThrow(/not emitted/);
    expect(() => {
      checkReferences('dockerhub_requests_total{colour="red"}');
    }).toThrow(/no label colour/);
  });
});
