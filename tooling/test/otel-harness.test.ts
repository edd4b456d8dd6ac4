// The in-memory OpenTelemetry harness (tooling/otel/otel-harness.ts): it collects the spans its
// tracer ends and the metrics its meter records (counters, histograms, gauges) as points with
// attributes, sums points by attributes, and reset/shutdown do what they say.
import { SpanStatusCode } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { createOtelHarness, sum, type OtelHarness } from '../otel/otel-harness.js';

let harness: OtelHarness | undefined;
afterEach(async () => {
  await harness?.shutdown();
  harness = undefined;
});

describe('createOtelHarness', () => {
  it('collects ended spans with their attributes and status, and reset() forgets them', () => {
    const otel = (harness = createOtelHarness());
    const span = otel.tracer.startSpan('GET /v2/', {
      attributes: { 'http.request.method': 'GET' },
    });
    expect(otel.spans()).toEqual([]);
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    span.end();
    otel.tracer.startActiveSpan('child', (s) => {
      s.end();
    });
    expect(otel.spans().map((s) => s.name)).toEqual(['GET /v2/', 'child']);
    expect(otel.spans()[0]?.attributes).toEqual({ 'http.request.method': 'GET' });
    expect(otel.spans()[0]?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'boom' });
    otel.reset();
    expect(otel.spans()).toEqual([]);
  });

  it('collects counters, histograms and gauges as points, cumulatively, on demand', async () => {
    const otel = (harness = createOtelHarness());
    const counter = otel.meter.createCounter('requests');
    const histogram = otel.meter.createHistogram('duration');
    const gauge = otel.meter.createGauge('queue');
    counter.add(2, { route: 'a' });
    counter.add(3, { route: 'b' });
    histogram.record(0.5, { route: 'a' });
    histogram.record(1.5, { route: 'a' });
    gauge.record(7);
    let metrics = await otel.collect();
    expect([...metrics.keys()].sort()).toEqual(['duration', 'queue', 'requests']);
    expect(otel.points(metrics, 'requests')).toEqual([
      { attributes: { route: 'a' }, value: 2, sum: undefined },
      { attributes: { route: 'b' }, value: 3, sum: undefined },
    ]);
    expect(otel.points(metrics, 'duration')).toEqual([
      { attributes: { route: 'a' }, value: 2, sum: 2 },
    ]);
    expect(otel.points(metrics, 'queue')).toEqual([{ attributes: {}, value: 7, sum: undefined }]);
    expect(otel.points(metrics, 'never-recorded')).toEqual([]);
    counter.add(1, { route: 'a' });
    metrics = await otel.collect();
    // Cumulative: the second collection has the totals, once each.
    expect(otel.points(metrics, 'requests').map((p) => p.value)).toEqual([3, 3]);
  });

  it('shutdown() ends both providers: nothing recorded afterwards is collected', async () => {
    const otel = createOtelHarness();
    await otel.shutdown();
    otel.tracer.startSpan('late').end();
    expect(otel.spans()).toEqual([]);
  });
});

describe('sum', () => {
  const points = [
    { attributes: { route: 'a', code: 200 }, value: 2, sum: undefined },
    { attributes: { route: 'a', code: 500 }, value: 3, sum: undefined },
    { attributes: { route: 'b', code: 200 }, value: 5, sum: undefined },
  ];

  it('adds the values of the points whose attributes include every given one', () => {
    expect(sum(points)).toBe(10);
    expect(sum(points, { route: 'a' })).toBe(5);
    expect(sum(points, { route: 'a', code: 200 })).toBe(2);
    expect(sum(points, { route: 'c' })).toBe(0);
  });
});
