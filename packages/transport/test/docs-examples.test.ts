// Runs the transport examples of docs/ (docs/examples/*.ts, copied verbatim into the Markdown)
// against a real node:http server on 127.0.0.1. The examples are loaded by path so that this
// package's typecheck does not pull them in (they typecheck with docs/examples/tsconfig.json).
import { fileURLToPath } from 'node:url';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CircuitOpenError } from '@llmdevops/docker-hub-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  TRANSPORT_METRIC_NAMES as METRIC_NAMES,
  createTransport,
  type OtelMeter,
  type OtelTracer,
  type RateLimitLowEvent,
  type RateLimitStatus,
  type RequestEndEvent,
  type Transport,
} from '../src/index.js';
import { createOtelHarness } from '../../../tooling/otel/otel-harness.js';
import { reply, replyJson, startScriptedServer, type ScriptedServer } from './scripted-server.js';

async function example<T>(name: string): Promise<T> {
  return (await import(
    fileURLToPath(new URL(`../../../docs/examples/${name}`, import.meta.url))
  )) as T;
}

let server: ScriptedServer;
beforeAll(async () => {
  server = await startScriptedServer();
  // What an application's OpenTelemetry SDK (e.g. NodeSDK) registers; spans nest through it.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(async () => {
  await server.close();
  context.disable();
});
afterEach(() => {
  server.reset();
});

describe('docs/examples/transport-request.ts', () => {
  it('resolves a tag with HEAD and reads the rate-limit status', async () => {
    const { headManifest } = await example<{
      headManifest(
        r: string,
        repo: string,
        tag: string,
      ): Promise<{ digest: string | undefined; rateLimit: RateLimitStatus | undefined }>;
    }>('transport-request.ts');
    server.enqueue(
      reply(200, '', {
        'docker-content-digest': 'sha256:' + 'a'.repeat(64),
        'ratelimit-limit': '100;w=21600',
        'ratelimit-remaining': '76;w=21600',
      }),
    );
    const out = await headManifest(server.url, 'library/alpine', '3.19');
    expect(out.digest).toBe('sha256:' + 'a'.repeat(64));
    expect(out.rateLimit).toMatchObject({ limit: 100, remaining: 76, windowSeconds: 21600 });
    expect(server.requests[0]).toMatchObject({
      method: 'HEAD',
      url: '/v2/library/alpine/manifests/3.19',
    });
  });

  it('throws the typed error of an error answer', async () => {
    const { headManifest } = await example<{
      headManifest(r: string, repo: string, tag: string): Promise<unknown>;
    }>('transport-request.ts');
    server.enqueue(reply(404, ''));
    await expect(headManifest(server.url, 'library/nope', 'x')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      status: 404,
    });
  });
});

describe('docs/examples/rate-limits.ts', () => {
  type Pull = (
    url: string,
    onLow: (e: RateLimitLowEvent) => void,
  ) => Promise<{ ok: boolean; bytes?: number; remaining?: number; retryAt?: Date }>;

  it('reports a low budget and returns the body', async () => {
    const { pullWithBudget } = await example<{ pullWithBudget: Pull }>('rate-limits.ts');
    server.enqueue(
      reply(200, '{"schemaVersion":2}', {
        'ratelimit-limit': '100;w=21600',
        'ratelimit-remaining': '5;w=21600',
      }),
    );
    const low: RateLimitLowEvent[] = [];
    const out = await pullWithBudget(`${server.url}/v2/library/alpine/manifests/3.19`, (e) =>
      low.push(e),
    );
    expect(out).toEqual({ ok: true, bytes: 19, remaining: 5 });
    expect(low).toHaveLength(1);
    expect(low[0]?.remaining).toBe(5);
  });

  it('fails fast with the reset time when the registry asks to wait longer than 30 s', async () => {
    const { pullWithBudget } = await example<{ pullWithBudget: Pull }>('rate-limits.ts');
    server.enqueue(
      replyJson(
        429,
        {
          errors: [{ code: 'TOOMANYREQUESTS', message: 'You have reached your pull rate limit.' }],
        },
        { 'retry-after': '3600' },
      ),
    );
    const before = Date.now();
    const out = await pullWithBudget(
      `${server.url}/v2/library/alpine/manifests/3.19`,
      () => undefined,
    );
    expect(out.ok).toBe(false);
    expect(out.retryAt?.getTime()).toBeGreaterThanOrEqual(before + 3_600_000 - 1000);
    expect(server.requests).toHaveLength(1);
  });
});

describe('docs/examples/error-handling.ts', () => {
  it('maps MANIFEST_UNKNOWN to undefined, passes bodies through and explains auth failures', async () => {
    const { manifestOrUndefined } = await example<{
      manifestOrUndefined(url: string): Promise<string | undefined>;
    }>('error-handling.ts');
    const url = `${server.url}/v2/x/manifests/v1`;
    server.enqueue(
      replyJson(404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }),
    );
    await expect(manifestOrUndefined(url)).resolves.toBeUndefined();
    server.enqueue(reply(200, '{"schemaVersion":2}'));
    await expect(manifestOrUndefined(url)).resolves.toBe('{"schemaVersion":2}');
    server.enqueue(
      replyJson(401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }),
    );
    await expect(manifestOrUndefined(url)).rejects.toThrow(
      /check the credentials for 127\.0\.0\.1/,
    );
    server.enqueue(replyJson(400, { errors: [{ code: 'TAG_INVALID', message: 'bad tag' }] }));
    await expect(manifestOrUndefined(url)).rejects.toMatchObject({
      code: 'TAG_INVALID',
      retryable: false,
    });
  });
});

describe('docs/examples/circuit-breaker.ts', () => {
  it('reports an open breaker, recognises its refusals and resets it', async () => {
    const { inspectBreaker, isBreakerRefusal } = await example<{
      inspectBreaker(
        t: Transport,
        host: string,
        reset?: boolean,
      ): { state: string; halfOpenAt: Date | undefined; failures: number };
      isBreakerRefusal(err: unknown): boolean;
    }>('circuit-breaker.ts');
    await using transport = createTransport({
      maxRetries: 0,
      circuitBreaker: { failureThreshold: 2 },
    });
    const host = new URL(server.url).host;
    server.fallback = reply(503, 'down');
    for (let i = 0; i < 2; i++)
      await (
        await transport.request({ method: 'GET', url: new URL('/v2/', server.url), headers: {} })
      ).dump();
    const refused = await transport
      .request({ method: 'GET', url: new URL('/v2/', server.url), headers: {} })
      .catch((e: unknown) => e);
    expect(isBreakerRefusal(refused)).toBe(true);
    expect(refused).toBeInstanceOf(CircuitOpenError);
    const open = inspectBreaker(transport, host, true);
    expect(open.state).toBe('open');
    expect(open.halfOpenAt).toBeInstanceOf(Date);
    expect(inspectBreaker(transport, host)).toEqual({
      state: 'closed',
      halfOpenAt: undefined,
      failures: 0,
    });
  });
});

describe('docs/examples/observability.ts', () => {
  it('creates the operation span with attempt children and records metrics', async () => {
    const { listTagsTraced, reportCorruptBlob } = await example<{
      listTagsTraced(
        url: string,
        otel?: { tracer?: OtelTracer; meter?: OtelMeter },
      ): Promise<string[]>;
      reportCorruptBlob(meter?: OtelMeter): void;
    }>('observability.ts');
    const otel = createOtelHarness();
    server.enqueue(replyJson(200, { name: 'x', tags: ['a', 'b'] }));
    await expect(
      listTagsTraced(`${server.url}/v2/x/tags/list`, { tracer: otel.tracer, meter: otel.meter }),
    ).resolves.toEqual(['a', 'b']);
    reportCorruptBlob(otel.meter);
    const spans = otel.spans();
    const op = spans.find((s) => s.name === 'docker_hub.tags.list');
    const attempt = spans.find((s) => s.name === 'GET /v2/{name}/tags/list');
    expect(op?.attributes['docker_hub.tag_count']).toBe(2);
    expect(attempt?.spanContext().traceId).toBe(op?.spanContext().traceId);
    expect(attempt?.parentSpanContext?.spanId).toBe(op?.spanContext().spanId);
    const m = await otel.collect();
    expect(otel.points(m, METRIC_NAMES.requests).map((p) => p.attributes['operation'])).toEqual([
      'tags.list',
    ]);
    expect(
      otel.points(m, METRIC_NAMES.errors).map((p) => [p.attributes['error_type'], p.attributes['route'], p.value]),
    ).toEqual([['DIGEST_MISMATCH', 'none', 1]]);
    await otel.shutdown();
  });

  it('runs without any SDK and mirrors events to diagnostics_channel', async () => {
    const { listTagsTraced, logRequests, reportCorruptBlob } = await example<{
      listTagsTraced(url: string): Promise<string[]>;
      logRequests(onEnd: (e: RequestEndEvent) => void): () => void;
      reportCorruptBlob(): void;
    }>('observability.ts');
    const seen: RequestEndEvent[] = [];
    const stop = logRequests((e) => seen.push(e));
    server.enqueue(replyJson(200, { name: 'x', tags: ['v1'] }));
    await expect(listTagsTraced(`${server.url}/v2/x/tags/list`)).resolves.toEqual(['v1']);
    stop();
    expect(() => {
      reportCorruptBlob();
    }).not.toThrow();
    expect(seen.map((e) => [e.method, e.route, e.status, e.operation])).toEqual([
      ['GET', '/v2/{name}/tags/list', 200, 'tags.list'],
    ]);
  });
});
