// With `@opentelemetry/api` installed but no SDK registered, the instrumentation must not build
// spans and metric attributes nobody records; once an application registers an SDK (even after
// the transport was instrumented) it records, and stops again when the SDK is removed.
import * as api from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { createTransport, instrumentTransport, type OtelApi } from '../src/index.js';
import { startScriptedServer } from './scripted-server.js';

afterEach(() => {
  api.trace.disable();
  api.metrics.disable();
});

describe('instrumentation without and with a registered SDK', () => {
  it('is enabled but not recording until a tracer provider is registered, then records attempt spans', async () => {
    const server = await startScriptedServer();
    await using transport = createTransport();
    using telemetry = instrumentTransport(transport, { api: api as unknown as OtelApi });
    expect(telemetry.enabled).toBe(true);
    expect(telemetry.recording).toBe(false);
    await (await transport.request({ method: 'GET', url: new URL(`${server.url}/v2/`), headers: {} })).dump();

    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    api.trace.setGlobalTracerProvider(provider);
    expect(telemetry.recording).toBe(true);
    await (await transport.request({ method: 'GET', url: new URL(`${server.url}/v2/`), headers: {} })).dump();
    expect(exporter.getFinishedSpans()).toHaveLength(1);

    api.trace.disable();
    expect(telemetry.recording).toBe(false);
    await (await transport.request({ method: 'GET', url: new URL(`${server.url}/v2/`), headers: {} })).dump();
    expect(exporter.getFinishedSpans()).toHaveLength(1);
    await provider.shutdown();
    await server.close();
  });

  it('records when only a meter provider is registered', async () => {
    await using transport = createTransport();
    using telemetry = instrumentTransport(transport, { api: api as unknown as OtelApi });
    expect(telemetry.recording).toBe(false);
    const provider = new MeterProvider();
    api.metrics.setGlobalMeterProvider(provider);
    expect(telemetry.recording).toBe(true);
  });

  it('always records with an explicit tracer, and never after dispose', async () => {
    await using transport = createTransport();
    const provider = new BasicTracerProvider();
    const telemetry = instrumentTransport(transport, { tracer: provider.getTracer('t'), api: null });
    expect(telemetry.recording).toBe(true);
    telemetry.dispose();
    expect(telemetry.enabled).toBe(false);
    expect(telemetry.recording).toBe(false);
  });
});
