// The module-level constants of the telemetry and events modules, read from modules imported
// afresh inside each test (vi.resetModules), so the constants are evaluated while the test runs:
// the mutation runner, which keeps modules loaded between tests, can then check them too.
import { describe, expect, it, vi } from 'vitest';

/** Imports a module afresh (literal paths, so the bundler resolves them as the runner does). */
async function fresh<T>(load: () => Promise<T>): Promise<T> {
  vi.resetModules();
  return load();
}

describe('telemetry constants', () => {
  it('defines every transport metric with its kind, unit, description and labels', async () => {
    const { TRANSPORT_METRIC_DEFINITIONS } = await fresh(async () => import('./metric-names.js'));
    const request = ['operation', 'method', 'host', 'route', 'status_code', 'outcome'];
    expect(TRANSPORT_METRIC_DEFINITIONS).toEqual({
      requests: { name: 'dockerhub.requests', kind: 'counter', unit: '{request}', description: 'Logical requests after retries', attributes: request, reserved: false },
      requestDuration: { name: 'dockerhub.request.duration.seconds', kind: 'histogram', unit: 's', description: 'Duration of logical requests until the body ended', attributes: request, reserved: false },
      transferBytes: { name: 'dockerhub.transfer.bytes', kind: 'counter', unit: 'By', description: 'Body bytes sent and received, every attempt', attributes: ['direction', 'operation', 'method', 'host', 'route'], reserved: false },
      errors: { name: 'dockerhub.errors', kind: 'counter', unit: '{error}', description: 'Failed logical requests by error code', attributes: ['error_type', 'operation', 'method', 'host', 'route'], reserved: false },
      retries: { name: 'dockerhub.retries', kind: 'counter', unit: '{retry}', description: 'Retries scheduled', attributes: ['reason', 'operation', 'host', 'route'], reserved: false },
      rateLimitRemaining: { name: 'dockerhub.ratelimit.remaining', kind: 'gauge', unit: '{request}', description: 'Lowest requests left in the rate-limit window among the sources seen', attributes: ['host'], reserved: false },
      rateLimitLimit: { name: 'dockerhub.ratelimit.limit', kind: 'gauge', unit: '{request}', description: 'Requests allowed per rate-limit window', attributes: ['host'], reserved: false },
      circuitBreakerState: { name: 'dockerhub.circuit_breaker.state', kind: 'gauge', unit: '{state}', description: 'Circuit breaker state: 0 closed, 1 half-open, 2 open', attributes: ['host'], reserved: false },
    });
  });

  it('names the instrumentation scope after the package', async () => {
    const { INSTRUMENTATION_SCOPE } = await fresh(async () => import('./otel-types.js'));
    expect(INSTRUMENTATION_SCOPE).toBe('@llmdevops/docker-hub-transport');
  });

  it('gives the duration histogram latency buckets from 5 ms to 5 minutes', async () => {
    const { createTransportInstruments } = await fresh(async () => import('./instruments.js'));
    const advice: unknown[] = [];
    const none = { add: () => undefined, record: () => undefined, addCallback: () => undefined, removeCallback: () => undefined };
    createTransportInstruments({
      createCounter: () => none,
      createHistogram: (_name, options) => {
        advice.push(options?.advice);
        return none;
      },
      createObservableGauge: () => none,
    });
    expect(advice).toEqual([{ explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] }]);
  });
});

describe('event constants', () => {
  it('mirrors each event to its own diagnostics channel', async () => {
    const { DIAGNOSTICS_CHANNELS } = await fresh(async () => import('../events/events.js'));
    expect(DIAGNOSTICS_CHANNELS).toEqual({
      requestStart: 'docker-hub:transport:request:start',
      requestEnd: 'docker-hub:transport:request:end',
      retry: 'docker-hub:transport:retry',
      breakerStateChange: 'docker-hub:transport:breaker',
      rateLimitLow: 'docker-hub:transport:rate-limit-low',
      malformedHeader: 'docker-hub:transport:malformed-header',
    });
  });

  it('allows content-type, docker-content-digest and retry-after besides the rate-limit headers', async () => {
    const { allowListedHeaders } = await fresh(async () => import('../events/events.js'));
    expect(allowListedHeaders({ 'content-type': 'a', 'docker-content-digest': 'b', 'retry-after': 'c', etag: 'd' })).toEqual({
      'content-type': 'a',
      'docker-content-digest': 'b',
      'retry-after': 'c',
    });
  });
});
