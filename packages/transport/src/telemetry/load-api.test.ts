import { afterEach, describe, expect, it, vi } from 'vitest';
import type * as LoadApiModule from './load-api.js';
import { otelSdkRegistered } from './load-api.js';
import type { OtelApi } from './otel-types.js';

/** load-api imported afresh with `require` answering `answer` (a value, or an error to throw). */
async function loadWith(answer: unknown): Promise<{ mod: typeof LoadApiModule; asked: string[] }> {
  const asked: string[] = [];
  vi.resetModules();
  vi.doMock('node:module', () => ({
    createRequire: () => (id: string) => {
      asked.push(id);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  }));
  const mod = await import('./load-api.js');
  return { mod, asked };
}

afterEach(() => {
  vi.doUnmock('node:module');
  vi.resetModules();
});

describe('loadOtelApi', () => {
  it('requires @opentelemetry/api once and keeps the answer', async () => {
    const api = { trace: {}, metrics: {} };
    const { mod, asked } = await loadWith(api);
    expect(mod.loadOtelApi()).toBe(api);
    expect(mod.loadOtelApi()).toBe(api);
    expect(asked).toEqual(['@opentelemetry/api']);
  });

  it('answers undefined, once, when the package is missing', async () => {
    const { mod, asked } = await loadWith(new Error('Cannot find module'));
    expect(mod.loadOtelApi()).toBeUndefined();
    expect(mod.loadOtelApi()).toBeUndefined();
    expect(asked).toHaveLength(1);
  });

  it('takes only a module with trace and metrics objects for the API', async () => {
    for (const odd of [null, 'api', 7, {}, { trace: null, metrics: {} }, { trace: {}, metrics: null }, { trace: 'x', metrics: {} }, { trace: {}, metrics: 'x' }]) {
      const { mod } = await loadWith(odd);
      expect(mod.loadOtelApi(), JSON.stringify(odd)).toBeUndefined();
    }
  });
});

describe('otelSdkRegistered', () => {
  class NoopTracerProvider {}
  class NoopMeterProvider {}
  class TracerProvider {}
  class MeterProvider {}
  const api = (tracing: object | undefined, meters: object | undefined): OtelApi => ({
    trace: { getTracer: () => ({}) as never, ...(tracing === undefined ? {} : { getTracerProvider: () => tracing }) },
    metrics: { getMeter: () => ({}) as never, ...(meters === undefined ? {} : { getMeterProvider: () => meters }) },
  });

  it('counts an API without provider getters as registered', () => {
    expect(otelSdkRegistered(api(undefined, new NoopMeterProvider()))).toBe(true);
    expect(otelSdkRegistered(api(new NoopTracerProvider(), undefined))).toBe(true);
  });

  it('looks behind the tracer proxy, and counts either real provider as registered', () => {
    const proxy = (delegate: object): object => ({ getDelegate: () => delegate });
    expect(otelSdkRegistered(api(proxy(new NoopTracerProvider()), new NoopMeterProvider()))).toBe(false);
    expect(otelSdkRegistered(api(proxy(new TracerProvider()), new NoopMeterProvider()))).toBe(true);
    expect(otelSdkRegistered(api(new NoopTracerProvider(), new MeterProvider()))).toBe(true);
    expect(otelSdkRegistered(api(new TracerProvider(), new NoopMeterProvider()))).toBe(true);
  });
});
