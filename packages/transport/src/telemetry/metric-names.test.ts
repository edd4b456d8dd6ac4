// The Prometheus names we document and check the dashboard and alerts against are exactly what
// the OpenTelemetry Prometheus exporter writes for our instruments.
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import {
  TRANSPORT_METRIC_DEFINITIONS as METRIC_DEFINITIONS,
  TRANSPORT_METRIC_NAMES as METRIC_NAMES,
  prometheusName,
  prometheusSeriesNames,
} from './metric-names.js';

describe('TRANSPORT_METRIC_NAMES', () => {
  it('has one definition per name, unique names, and no reserved metric (every one is emitted)', () => {
    const keys = Object.keys(METRIC_NAMES);
    expect(Object.keys(METRIC_DEFINITIONS)).toEqual(keys);
    expect(new Set(Object.values(METRIC_NAMES)).size).toBe(keys.length);
    for (const [key, d] of Object.entries(METRIC_DEFINITIONS))
      expect(d.name).toBe(METRIC_NAMES[key as keyof typeof METRIC_NAMES]);
    expect(
      Object.values(METRIC_DEFINITIONS)
        .filter((d) => d.reserved)
        .map((d) => d.name),
    ).toEqual([]);
  });

  it('maps names the way the OpenTelemetry Prometheus exporter does', async () => {
    const exporter = new PrometheusExporter({ preventServerStart: true });
    const provider = new MeterProvider({ readers: [exporter] });
    const meter = provider.getMeter('test');
    for (const d of Object.values(METRIC_DEFINITIONS)) {
      const options = { unit: d.unit, description: d.description };
      if (d.kind === 'counter') meter.createCounter(d.name, options).add(1, { host: 'h' });
      else if (d.kind === 'histogram')
        meter.createHistogram(d.name, options).record(0.5, { host: 'h' });
      else
        meter.createObservableGauge(d.name, options).addCallback((r) => {
          r.observe(1, { host: 'h' });
        });
    }
    const { resourceMetrics } = await exporter.collect();
    const text = new PrometheusSerializer('', false).serialize(resourceMetrics);
    const series = new Set(
      text
        .split('\n')
        .filter((l) => l !== '' && !l.startsWith('#'))
        .map((l) => l.split(/[{ ]/)[0] ?? ''),
    );
    series.delete('target_info');
    const expected = Object.values(METRIC_DEFINITIONS).flatMap((d) => prometheusSeriesNames(d));
    expect([...series].sort()).toEqual([...expected].sort());
    await provider.shutdown();
  });

  it('adds _total only to counters and keeps an existing suffix', () => {
    expect(prometheusName({ name: 'a.b-c', kind: 'gauge' })).toBe('a_b_c');
    expect(prometheusName({ name: 'a..b', kind: 'counter' })).toBe('a_b_total');
    expect(prometheusName({ name: 'x_total', kind: 'counter' })).toBe('x_total');
    expect(prometheusSeriesNames({ name: 'd.seconds', kind: 'histogram' })).toEqual([
      'd_seconds_bucket',
      'd_seconds_sum',
      'd_seconds_count',
    ]);
  });
});
