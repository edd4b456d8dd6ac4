// OpenTelemetry instrumentation end to end: createTransport -> real node:http server on 127.0.0.1,
// spans and metrics read back from the SDK's in-memory exporters.
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ValidationError } from '@llmdevops/docker-hub-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  OTHER_ROUTE,
  TRANSPORT_METRIC_NAMES as METRIC_NAMES,
  createTransport,
  instrumentTransport,
  keepRouteTemplate,
  withOperationSpan,
  type Transport,
  type TransportOptions,
  type TransportRequest,
} from '../src/index.js';
import { FakeClock } from './fake-clock.js';
import { createOtelHarness, type OtelHarness } from '../../../tooling/otel/otel-harness.js';
import {
  reply,
  replyJson,
  resetNow,
  startScriptedServer,
  type ScriptedServer,
} from './scripted-server.js';

const SECRET = 'sekret-token-value-123';
let server: ScriptedServer;
let otel: OtelHarness;
const transports: Transport[] = [];
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(async () => {
  server = await startScriptedServer();
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(async () => {
  await Promise.all(transports.map((t) => t.close()));
  await server.close();
  context.disable();
  trace.disable();
  metrics.disable();
});
afterEach(async () => {
  server.reset();
  await otel.shutdown();
});

/** The templates a product on top of the transport would pass (the services package has its own). */
function testRoutes(route: string): string {
  if (route === '/v2/') return route;
  const m = /^\/v2\/.+\/(manifests|tags|blobs)\/[^/]+$/.exec(route);
  if (m?.[1] === 'manifests') return '/v2/{name}/manifests/{reference}';
  if (m?.[1] === 'blobs') return '/v2/{name}/blobs/{digest}';
  if (m?.[1] === 'tags') return '/v2/{name}/tags/list';
  return keepRouteTemplate(route);
}

function make(options: TransportOptions = {}): Transport {
  otel = createOtelHarness();
  const transport = createTransport({ clock: new FakeClock(), random: () => 0.5, ...options });
  transports.push(transport);
  instrumentTransport(transport, { tracer: otel.tracer, meter: otel.meter, routeTemplate: testRoutes });
  return transport;
}

function req(
  method: TransportRequest['method'],
  path: string,
  extra: Partial<TransportRequest> = {},
): TransportRequest {
  return { method, url: new URL(path, server.url), headers: {}, ...extra };
}

const MANIFEST = '{"schemaVersion":2}';

describe('spans per HTTP attempt', () => {
  it('opens one CLIENT span per attempt with method, host, route template, status, attempt and bytes; no URL, query or request headers', async () => {
    const transport = make();
    server.enqueue(
      reply(503, 'busy'),
      reply(200, MANIFEST, {
        'content-type': 'application/json',
        'docker-content-digest': 'sha256:abc',
        'ratelimit-remaining': '7;w=21600',
        'www-authenticate': SECRET,
      }),
    );
    const res = await transport.request(
      req('GET', `/v2/library/alpine/manifests/3.19?token=${SECRET}`, {
        headers: { authorization: `Bearer ${SECRET}` },
        context: { operation: 'manifest.get' },
      }),
    );
    expect(await res.text()).toBe(MANIFEST);
    const spans = otel.spans();
    expect(spans.map((s) => s.name)).toEqual([
      'GET /v2/{name}/manifests/{reference}',
      'GET /v2/{name}/manifests/{reference}',
    ]);
    const [first, second] = spans;
    expect(first?.kind).toBe(2);
    expect(first?.attributes).toMatchObject({
      'http.request.method': 'GET',
      'server.address': '127.0.0.1',
      'http.response.status_code': 503,
      'docker_hub.attempt': 1,
      'error.type': '503',
      'docker_hub.operation': 'manifest.get',
    });
    expect(first?.status.code).toBe(2);
    expect(second?.attributes).toMatchObject({
      'http.response.status_code': 200,
      'docker_hub.attempt': 2,
      'http.request.resend_count': 1,
      'http.response.body.size': MANIFEST.length,
      'url.template': '/v2/{name}/manifests/{reference}',
    });
    expect(second?.attributes['http.response.header.docker-content-digest']).toEqual([
      'sha256:abc',
    ]);
    expect(second?.attributes['http.response.header.www-authenticate']).toBeUndefined();
    const dump = JSON.stringify(
      spans.map((s) => ({
        name: s.name,
        attributes: s.attributes,
        events: s.events,
        status: s.status,
      })),
    );
    expect(dump).not.toContain(SECRET);
    expect(dump).not.toContain('?');
    expect(dump).not.toContain('alpine');
  });

  it('ends the span with the error code when the attempt fails without a response', async () => {
    const transport = make({ maxRetries: 0 });
    server.enqueue(resetNow());
    await expect(transport.request(req('GET', '/v2/'))).rejects.toMatchObject({ code: 'NETWORK' });
    const [span] = otel.spans();
    expect(span?.attributes['error.type']).toBe('NETWORK');
    expect(span?.status.code).toBe(2);
    expect(span?.events[0]?.name).toBe('exception');
  });

  it('makes attempt spans children of withOperationSpan and marks a failed operation', async () => {
    const transport = make({ maxRetries: 0 });
    server.enqueue(replyJson(404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'unknown' }] }));
    const out = await withOperationSpan(
      'docker_hub.manifests.head',
      async (span) => {
        span.setAttribute('docker_hub.repository', 'library/alpine');
        const res = await transport.request(req('HEAD', '/v2/library/alpine/manifests/latest'));
        await res.dump();
        return res.status;
      },
      { tracer: otel.tracer, attributes: { 'docker_hub.operation': 'manifests.head' } },
    );
    expect(out).toBe(404);
    const op = otel.spans().find((s) => s.name === 'docker_hub.manifests.head');
    const attempt = otel.spans().find((s) => s.name.startsWith('HEAD '));
    expect(op?.attributes).toMatchObject({
      'docker_hub.repository': 'library/alpine',
      'docker_hub.operation': 'manifests.head',
    });
    expect(attempt?.parentSpanContext?.spanId).toBe(op?.spanContext().spanId);
    expect(attempt?.spanContext().traceId).toBe(op?.spanContext().traceId);

    const failure = new ValidationError('INVALID_ARGUMENT', 'bad', 'x');
    await expect(
      withOperationSpan('docker_hub.fails', () => Promise.reject(failure), { tracer: otel.tracer }),
    ).rejects.toBe(failure);
    const failed = otel.spans().find((s) => s.name === 'docker_hub.fails');
    expect(failed?.status).toMatchObject({ code: 2, message: 'INVALID_ARGUMENT' });
  });
});

describe('metrics', () => {
  it('counts requests, latency, bytes and retries and reads rate-limit and breaker gauges', async () => {
    const transport = make();
    server.enqueue(
      reply(503, 'busy'),
      reply(200, MANIFEST, {
        'ratelimit-limit': '100;w=21600',
        'ratelimit-remaining': '17;w=21600',
      }),
    );
    const res = await transport.request(
      req('GET', '/v2/library/alpine/manifests/3.19', { context: { operation: 'manifest.get' } }),
    );
    await res.text();
    const m = await otel.collect();
    const host = new URL(server.url).host;
    expect(otel.points(m, METRIC_NAMES.requests)).toEqual([
      {
        attributes: {
          operation: 'manifest.get',
          method: 'GET',
          host,
          route: '/v2/{name}/manifests/{reference}',
          status_code: '200',
          outcome: 'success',
        },
        value: 1,
        sum: undefined,
      },
    ]);
    expect(otel.points(m, METRIC_NAMES.requestDuration)[0]?.value).toBe(1);
    expect(otel.points(m, METRIC_NAMES.retries)).toEqual([
      {
        attributes: {
          reason: 'status 503',
          operation: 'manifest.get',
          host,
          route: '/v2/{name}/manifests/{reference}',
        },
        value: 1,
        sum: undefined,
      },
    ]);
    const received = otel
      .points(m, METRIC_NAMES.transferBytes)
      .filter((p) => p.attributes['direction'] === 'received');
    expect(received.reduce((n, p) => n + p.value, 0)).toBe('busy'.length + MANIFEST.length);
    expect(otel.points(m, METRIC_NAMES.rateLimitRemaining)).toEqual([
      { attributes: { host }, value: 17, sum: undefined },
    ]);
    expect(otel.points(m, METRIC_NAMES.rateLimitLimit)).toEqual([
      { attributes: { host }, value: 100, sum: undefined },
    ]);
    expect(otel.points(m, METRIC_NAMES.circuitBreakerState)).toEqual([
      { attributes: { host }, value: 0, sum: undefined },
    ]);
    expect(otel.points(m, METRIC_NAMES.errors)).toEqual([]);
  });

  it('counts errors by code, auth failures and not-found separately, and sent bytes for uploads', async () => {
    const transport = make({ maxRetries: 0 });
    server.enqueue(
      replyJson(401, { errors: [{ code: 'UNAUTHORIZED', message: 'no' }] }),
      reply(404, ''),
      reply(201, ''),
    );
    await (await transport.request(req('GET', '/v2/x/tags/list'))).dump();
    await (await transport.request(req('HEAD', '/v2/x/blobs/sha256:00'))).dump();
    const chunks = [Buffer.from('abc'), Buffer.from('defg')];
    const body = {
      replayable: true,
      stream: async function* () {
        yield* chunks;
      },
    };
    await (await transport.request(req('PUT', '/v2/x/manifests/v1', { body }))).dump();
    expect(server.requests[2]?.body.toString()).toBe('abcdefg');
    const m = await otel.collect();
    const errors = otel.points(m, METRIC_NAMES.errors);
    expect(errors.map((p) => [p.attributes['error_type'], p.attributes['route'], p.value])).toEqual(
      [['UNAUTHORIZED', '/v2/{name}/tags/list', 1]],
    );
    const outcomes = otel
      .points(m, METRIC_NAMES.requests)
      .map((p) => p.attributes['outcome'])
      .sort();
    expect(outcomes).toEqual(['error', 'not_found', 'success']);
    const sent = otel
      .points(m, METRIC_NAMES.transferBytes)
      .filter((p) => p.attributes['direction'] === 'sent');
    expect(sent.map((p) => p.value)).toEqual([7]);
  });

  it('reports an open circuit breaker as 2 and fast failures as CIRCUIT_OPEN errors', async () => {
    const transport = make({ maxRetries: 0, circuitBreaker: { failureThreshold: 1 } });
    server.enqueue(reply(500, 'down'));
    await (await transport.request(req('GET', '/v2/'))).dump();
    await expect(transport.request(req('GET', '/v2/'))).rejects.toMatchObject({
      code: 'CIRCUIT_OPEN',
    });
    const m = await otel.collect();
    expect(otel.points(m, METRIC_NAMES.circuitBreakerState).map((p) => p.value)).toEqual([2]);
    const types = otel
      .points(m, METRIC_NAMES.errors)
      .map((p) => p.attributes['error_type'])
      .sort();
    expect(types).toEqual(['CIRCUIT_OPEN', 'SERVER_ERROR']);
  });

  it('templates routes with the option given, and by default keeps only caller templates', async () => {
    const transport = make();
    server.enqueue(reply(200, 'a'), reply(200, 'b'));
    await (await transport.request(req('GET', '/v2/x/tags/list'))).dump();
    await (await transport.request(req('GET', '/private/alice/thing'))).dump();
    const routes = otel.points(await otel.collect(), METRIC_NAMES.requests).map((p) => p.attributes['route']);
    expect(routes.sort()).toEqual(['/v2/{name}/tags/list', OTHER_ROUTE].sort());
    expect(keepRouteTemplate('/v2/library/alpine/manifests/3.19')).toBe(OTHER_ROUTE);
    expect(keepRouteTemplate('/v2/{name}/manifests/{reference}')).toBe('/v2/{name}/manifests/{reference}');
  });
});

describe('lifecycle', () => {
  it('uses the global tracer and meter of @opentelemetry/api when none is given', async () => {
    otel = createOtelHarness();
    trace.setGlobalTracerProvider(otel.tracerProvider);
    metrics.setGlobalMeterProvider(otel.meterProvider);
    const transport = createTransport({ clock: new FakeClock() });
    transports.push(transport);
    const handle = instrumentTransport(transport);
    expect(handle.enabled).toBe(true);
    expect(transport.describe().at(-2)).toBe('opentelemetry');
    await (await transport.request(req('GET', '/v2/', { context: { route: '/v2/{root}' } }))).dump();
    await withOperationSpan('docker_hub.global', () => Promise.resolve(1));
    expect(
      otel
        .spans()
        .map((s) => s.name)
        .sort(),
    ).toEqual(['GET /v2/{root}', 'docker_hub.global']);
    const m = await otel.collect();
    expect(otel.points(m, METRIC_NAMES.requests).map((p) => p.value)).toEqual([1]);
    trace.disable();
    metrics.disable();
  });

  it('stops recording after dispose and refuses to instrument twice', async () => {
    const transport = make();
    const second = (): unknown => instrumentTransport(transport, { tracer: otel.tracer });
    expect(second).toThrow(ValidationError);
    await (await transport.request(req('GET', '/v2/'))).dump();
    expect(otel.spans()).toHaveLength(1);
    const other = createTransport({ clock: new FakeClock() });
    transports.push(other);
    const handle = instrumentTransport(other, {
      tracer: otel.tracer,
      meter: otel.meter,
      api: null,
    });
    handle.dispose();
    expect(handle.enabled).toBe(false);
    await (await other.request(req('GET', '/v2/'))).dump();
    expect(otel.spans()).toHaveLength(1);
  });
});
