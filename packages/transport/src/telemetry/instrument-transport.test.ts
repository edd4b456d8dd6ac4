import { describe, expect, it } from 'vitest';
import { createEventBus, type RequestEndEvent, type TransportEventBus } from '../events/events.js';
import type { BreakerStateName } from '../middleware/breaker/consecutive-breaker.js';
import type { RateLimitStatus } from '../middleware/rate-limit/parse-headers.js';
import type { Transport } from '../pipeline/transport.js';
import type { Middleware } from '../pipeline/types.js';
import { instrumentTransport, OTHER_ROUTE } from './instrument-transport.js';
import type { OtelApi, OtelAttributes, OtelMeter, OtelObservableCallback, OtelTracer } from './otel-types.js';

type Recorded = [string, number, OtelAttributes | undefined];

/** A meter that records every add, record and gauge callback by metric name. */
function fakeMeter(): OtelMeter & { recorded: Recorded[]; callbacks: Map<string, OtelObservableCallback[]> } {
  const recorded: Recorded[] = [];
  const callbacks = new Map<string, OtelObservableCallback[]>();
  return {
    recorded,
    callbacks,
    createCounter: (name) => ({ add: (v, a) => recorded.push([name, v, a]) }),
    createHistogram: (name) => ({ record: (v, a) => recorded.push([name, v, a]) }),
    createObservableGauge: (name) => ({
      addCallback: (cb) => callbacks.set(name, [...(callbacks.get(name) ?? []), cb]),
      removeCallback: (cb) => callbacks.set(name, (callbacks.get(name) ?? []).filter((c) => c !== cb)),
    }),
  };
}

const tracer: OtelTracer = {
  startSpan: () => {
    throw new Error('not used');
  },
  startActiveSpan: () => {
    throw new Error('not used');
  },
};

/** The parts of a transport the instrumentation uses. */
function fakeTransport(sources: Record<string, Partial<RateLimitStatus>[]> = {}, breakers: Record<string, BreakerStateName> = {}): Transport & { bus: TransportEventBus; used: Middleware[] } {
  const bus = createEventBus();
  const used: Middleware[] = [];
  const partial: Partial<Transport> & { bus: TransportEventBus; used: Middleware[] } = {
    bus,
    used,
    events: bus,
    use(mw) {
      used.push(mw);
      return partial as Transport;
    },
    rateLimitSources: (host) => (sources[host] ?? []) as RateLimitStatus[],
    breaker: (host) => ({ state: breakers[host] ?? 'closed', snapshot: { name: 'closed', failures: 0 }, halfOpenAt: undefined, reset: () => undefined }),
  };
  return partial as Transport & { bus: TransportEventBus; used: Middleware[] };
}

const end = (extra: Partial<RequestEndEvent> = {}): RequestEndEvent => ({
  requestId: 1,
  method: 'GET',
  host: 'registry.test',
  route: '/v2/{name}/tags/list',
  operation: undefined,
  status: undefined,
  durationMs: 1500,
  bytes: 0,
  attempts: 1,
  errorCode: 'NETWORK',
  headers: {},
  ...extra,
});

/** An API whose global providers are the no-op ones (no SDK registered). */
function apiWithoutSdk(meter: OtelMeter): OtelApi {
  class NoopTracerProvider {}
  class NoopMeterProvider {}
  return {
    trace: { getTracer: () => tracer, getTracerProvider: () => new NoopTracerProvider() },
    metrics: { getMeter: () => meter, getMeterProvider: () => new NoopMeterProvider() },
  };
}

describe('instrumentTransport on its own', () => {
  it('records with only a tracer or only a meter given, whatever the global API says', () => {
    const withTracer = instrumentTransport(fakeTransport(), { tracer });
    expect([withTracer.enabled, withTracer.recording]).toEqual([true, true]);
    const withMeter = instrumentTransport(fakeTransport(), { meter: fakeMeter() });
    expect([withMeter.enabled, withMeter.recording]).toEqual([true, true]);
  });

  it('with only a tracer given, takes the meter of the global API and listens for request ends', () => {
    const t = fakeTransport();
    instrumentTransport(t, { tracer });
    expect(t.bus.observed('requestEnd')).toBe(true);
  });

  it('counts a failed request with status none, operation unknown, the duration in seconds and an error by type', () => {
    const meter = fakeMeter();
    const t = fakeTransport();
    instrumentTransport(t, { meter, routeTemplate: (r) => r });
    t.bus.emit('requestEnd', end());
    t.bus.emit('retry', { requestId: 1, method: 'GET', host: 'registry.test', route: '/v2/', operation: undefined, attempt: 1, delayMs: 5, reason: 'NETWORK' });
    const common = { operation: 'unknown', method: 'GET', host: 'registry.test', route: '/v2/{name}/tags/list' };
    expect(meter.recorded).toEqual([
      ['dockerhub.requests', 1, { ...common, status_code: 'none', outcome: 'error' }],
      ['dockerhub.request.duration.seconds', 1.5, { ...common, status_code: 'none', outcome: 'error' }],
      ['dockerhub.errors', 1, { ...common, error_type: 'NETWORK' }],
      ['dockerhub.retries', 1, { reason: 'NETWORK', operation: 'unknown', host: 'registry.test', route: '/v2/' }],
    ]);
  });

  it('templates routes as {other} by default', () => {
    const meter = fakeMeter();
    const t = fakeTransport();
    instrumentTransport(t, { meter });
    t.bus.emit('requestEnd', end({ route: '/v2/library/alpine/tags/list', status: 200, errorCode: undefined }));
    expect(meter.recorded[0]?.[2]).toMatchObject({ route: OTHER_ROUTE, status_code: '200' });
    expect(OTHER_ROUTE).toBe('{other}');
  });

  it('reports per host seen the lowest remaining budget among its sources, its limit, and the breaker state', () => {
    const meter = fakeMeter();
    const t = fakeTransport(
      { a: [{ remaining: 50, limit: 100 }, { remaining: 5, limit: 10 }, { remaining: 7, limit: 70 }, { remaining: undefined, limit: 1 }], b: [], c: [{ remaining: 3, limit: undefined }] },
      { a: 'open', b: 'halfOpen', c: 'closed' },
    );
    instrumentTransport(t, { meter });
    for (const host of ['a', 'b', 'c']) t.bus.emit('requestStart', { requestId: 1, method: 'GET', host, route: '/', operation: undefined });
    const observe = (name: string): [number, OtelAttributes | undefined][] => {
      const seen: [number, OtelAttributes | undefined][] = [];
      for (const cb of meter.callbacks.get(name) ?? []) cb({ observe: (v, a) => seen.push([v, a]) });
      return seen;
    };
    expect(observe('dockerhub.ratelimit.remaining')).toEqual([[5, { host: 'a' }], [3, { host: 'c' }]]);
    expect(observe('dockerhub.ratelimit.limit')).toEqual([[10, { host: 'a' }]]);
    expect(observe('dockerhub.circuit_breaker.state')).toEqual([[2, { host: 'a' }], [1, { host: 'b' }], [0, { host: 'c' }]]);
  });

  it('records nothing while no SDK is registered with the API given, though its listeners are called', () => {
    const meter = fakeMeter();
    const t = fakeTransport();
    const handle = instrumentTransport(t, { api: apiWithoutSdk(meter) });
    expect([handle.enabled, handle.recording]).toEqual([true, false]);
    t.bus.on('requestEnd', () => undefined);
    t.bus.emit('requestEnd', end());
    t.bus.emit('retry', { requestId: 1, method: 'GET', host: 'h', route: '/', operation: undefined, attempt: 1, delayMs: 5, reason: 'NETWORK' });
    expect(meter.recorded).toEqual([]);
  });

  it('unsubscribes and removes its gauge callbacks on dispose, also through Symbol.dispose', () => {
    for (const how of ['dispose', 'symbol'] as const) {
      const meter = fakeMeter();
      const t = fakeTransport();
      const handle = instrumentTransport(t, { meter });
      if (how === 'dispose') handle.dispose();
      else handle[Symbol.dispose]();
      expect(handle.enabled).toBe(false);
      expect([...meter.callbacks.values()].flat()).toEqual([]);
      t.bus.emit('requestEnd', end());
      expect(meter.recorded).toEqual([]);
    }
  });
});
