import { Readable } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { NetworkError } from '@llmdevops/docker-hub-core';
import { describe, expect, it } from 'vitest';
import { createResponse, registerBodyCounter } from '../dispatch/response.js';
import { withStats } from '../internal/request-stats.js';
import type { RequestBody, RequestContext, TransportRequest, TransportResponse } from '../pipeline/types.js';
import { createAttemptMiddleware, OTEL_MIDDLEWARE_NAME } from './attempt-middleware.js';
import type { TransportInstruments } from './instruments.js';
import type { OtelAttributes, OtelAttributeValue, OtelCounter, OtelSpanOptions, OtelTracer } from './otel-types.js';

interface FakeSpan {
  name: string;
  options: OtelSpanOptions | undefined;
  attributes: Record<string, OtelAttributeValue>;
  status: { code: number; message?: string } | undefined;
  exceptions: unknown[];
  ended: number;
}

function fakeTracer(): OtelTracer & { spans: FakeSpan[] } {
  const spans: FakeSpan[] = [];
  return {
    spans,
    startSpan(name, options) {
      const s: FakeSpan = { name, options, attributes: {}, status: undefined, exceptions: [], ended: 0 };
      spans.push(s);
      return {
        setAttribute: (k: string, v: OtelAttributeValue) => {
          s.attributes[k] = v;
        },
        setStatus: (st: { code: number; message?: string }) => {
          s.status = st;
        },
        recordException: (e: unknown) => {
          s.exceptions.push(e);
        },
        end: () => {
          s.ended++;
        },
      };
    },
    startActiveSpan: () => {
      throw new Error('not used');
    },
  };
}

function fakeInstruments(): { instruments: TransportInstruments; bytes: [number, OtelAttributes | undefined][] } {
  const bytes: [number, OtelAttributes | undefined][] = [];
  const unused = (): never => {
    throw new Error('not used');
  };
  const counter: OtelCounter = { add: unused };
  const gauge = { addCallback: unused, removeCallback: unused };
  return {
    bytes,
    instruments: {
      requests: counter,
      requestDuration: { record: unused },
      transferBytes: { add: (n, attrs) => bytes.push([n, attrs]) },
      errors: counter,
      retries: counter,
      rateLimitRemaining: gauge,
      rateLimitLimit: gauge,
      circuitBreakerState: gauge,
    },
  };
}

function setup(active = true, withTracer = true) {
  const tracer = fakeTracer();
  const { instruments, bytes } = fakeInstruments();
  const mw = createAttemptMiddleware({
    tracer: withTracer ? tracer : undefined,
    instruments,
    state: { active },
    routeTemplate: (route) => (route === '/v2/' ? route : '{other}'),
  });
  return { mw, spans: tracer.spans, bytes };
}

function answer(status: number, body: Readable = Readable.from([]), headers: Record<string, string> = {}): TransportResponse {
  return createResponse({ status, headers, url: new URL('https://registry.test/v2/'), body, what: 'test body' });
}

/** A next stage that reads the request body (as the terminal does) and answers. */
function reading(res: TransportResponse): (req: TransportRequest) => Promise<TransportResponse> {
  return async (req) => {
    const body = req.body;
    if (body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array)) {
      const drained: unknown[] = [];
      for await (const chunk of body.stream()) drained.push(chunk);
    }
    return res;
  };
}

const request = (url: string, extra: Partial<TransportRequest> = {}): TransportRequest => ({ method: 'PUT', url: new URL(url), headers: {}, ...extra });

describe('attempt middleware', () => {
  it('is named opentelemetry and passes requests through untouched while inactive', async () => {
    const { mw, spans } = setup(false);
    expect(mw.name).toBe(OTEL_MIDDLEWARE_NAME);
    expect(OTEL_MIDDLEWARE_NAME).toBe('opentelemetry');
    const req = request('https://registry.test/v2/', { body: 'abc' });
    let seen: TransportRequest | undefined;
    await mw.handle(req, async (r) => {
      seen = r;
      return answer(200);
    });
    expect(seen).toBe(req);
    expect(spans).toEqual([]);
  });

  it('names the span by method and route template and sets the default port of the scheme, or the given one', async () => {
    const { mw, spans } = setup();
    for (const url of ['https://registry.test/v2/', 'http://registry.test/v2/x', 'http://Registry.Test:5000/v2/']) {
      await mw.handle(request(url), async () => answer(200));
    }
    expect(spans.map((s) => [s.name, s.options?.kind, s.options?.attributes])).toEqual([
      ['PUT /v2/', 2, { 'http.request.method': 'PUT', 'server.address': 'registry.test', 'server.port': 443, 'url.scheme': 'https', 'url.template': '/v2/', 'docker_hub.attempt': 1 }],
      ['PUT {other}', 2, { 'http.request.method': 'PUT', 'server.address': 'registry.test', 'server.port': 80, 'url.scheme': 'http', 'url.template': '{other}', 'docker_hub.attempt': 1 }],
      ['PUT /v2/', 2, { 'http.request.method': 'PUT', 'server.address': 'registry.test', 'server.port': 5000, 'url.scheme': 'http', 'url.template': '/v2/', 'docker_hub.attempt': 1 }],
    ]);
  });

  it('adds the resend count from the second attempt and the operation only when it is a string', async () => {
    const { mw, spans } = setup();
    const req = withStats(request('https://registry.test/v2/', { context: { operation: 'blobs.put' } }), { requestId: 1, attempts: 3 });
    await mw.handle(req, async () => answer(200));
    const odd = request('https://registry.test/v2/', { context: { operation: 7 } as unknown as RequestContext });
    await mw.handle(odd, async () => answer(200));
    expect(spans[0]?.options?.attributes).toMatchObject({ 'docker_hub.attempt': 3, 'http.request.resend_count': 2, 'docker_hub.operation': 'blobs.put' });
    expect(spans[1]?.options?.attributes).not.toHaveProperty('docker_hub.operation');
    expect(spans[1]?.options?.attributes).not.toHaveProperty('http.request.resend_count');
  });

  it('counts the bytes sent for strings (UTF-8), bytes and streams, with the request labels', async () => {
    const { mw, spans, bytes } = setup();
    const stream: RequestBody = {
      // A Node stream may yield strings.
      stream: () => Readable.from([new Uint8Array([1, 2]), 'é']),
      replayable: true,
    };
    for (const body of ['é', new Uint8Array(3), stream, '']) {
      await mw.handle(request('https://Registry.Test/v2/', { body }), reading(answer(201)));
    }
    await mw.handle(request('https://registry.test/v2/'), reading(answer(201)));
    expect(spans.map((s) => s.attributes['http.request.body.size'])).toEqual([2, 3, 4, 0, 0]);
    const labels = { operation: 'unknown', method: 'PUT', host: 'registry.test', route: '/v2/', direction: 'sent' };
    expect(bytes).toEqual([
      [2, labels],
      [3, labels],
      [4, labels],
    ]);
  });

  it('records the status, allow-listed headers and received bytes, marks 4xx and 5xx as errors, and ends the span when the body closes', async () => {
    const { mw, spans, bytes } = setup();
    const okBody = Readable.from([Buffer.from('abc')]);
    registerBodyCounter(okBody, { n: 3 });
    const ok = await mw.handle(request('https://registry.test/v2/'), async () =>
      answer(200, okBody, { 'docker-content-digest': 'sha256:1', 'www-authenticate': 'Bearer x' }),
    );
    await ok.text();
    await tick();
    const bad = await mw.handle(request('https://registry.test/v2/'), async () => answer(404));
    await bad.dump();
    await tick();
    await mw.handle(request('https://registry.test/v2/'), async () => answer(399));
    expect(spans[0]).toMatchObject({ status: undefined, ended: 1 });
    expect(spans[0]?.attributes).toMatchObject({ 'http.response.status_code': 200, 'http.response.body.size': 3, 'http.response.header.docker-content-digest': ['sha256:1'] });
    expect(spans[0]?.attributes).not.toHaveProperty('http.response.header.www-authenticate');
    expect(spans[0]?.attributes).not.toHaveProperty('error.type');
    expect(spans[1]).toMatchObject({ status: { code: 2 }, attributes: { 'error.type': '404' } });
    expect(spans[2]).toMatchObject({ status: undefined });
    expect(spans[1]?.attributes['http.response.body.size']).toBe(0);
    expect(bytes).toEqual([[3, { operation: 'unknown', method: 'PUT', host: 'registry.test', route: '/v2/', direction: 'received' }]]);
  });

  it('ends the span at once for a body already closed, and records a body error with the name and code only', async () => {
    const { mw, spans } = setup();
    const closed = Readable.from([]);
    closed.destroy();
    await tick();
    await mw.handle(request('https://registry.test/v2/'), async () => answer(200, closed));
    expect(spans[0]?.ended).toBe(1);
    const body = new Readable({ read() { /* the test pushes */ } });
    const res = await mw.handle(request('https://registry.test/v2/'), async () => answer(200, body));
    res.body.on('error', () => undefined);
    body.destroy(new NetworkError('GET https://registry.test/v2/?token=x: ECONNRESET'));
    await tick();
    await tick();
    expect(spans[1]).toMatchObject({ ended: 1, status: { code: 2, message: 'NETWORK' }, attributes: { 'error.type': 'NETWORK' } });
    expect(spans[1]?.exceptions).toEqual([{ name: 'NetworkError', message: 'NETWORK', code: 'NETWORK' }]);
  });

  it('records a failed attempt with its error code, or UNKNOWN and Error for a non-error, and rethrows it', async () => {
    const { mw, spans } = setup();
    const failure = new NetworkError('connect ECONNREFUSED');
    await expect(mw.handle(request('https://registry.test/v2/', { body: 'ab' }), async () => Promise.reject(failure))).rejects.toBe(failure);
    // A JavaScript stage can reject with something that is not an Error.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    await expect(mw.handle(request('https://registry.test/v2/'), async () => Promise.reject('text'))).rejects.toBe('text');
    expect(spans[0]).toMatchObject({ ended: 1, attributes: { 'error.type': 'NETWORK', 'http.request.body.size': 2 } });
    expect(spans[1]).toMatchObject({ ended: 1, status: { code: 2, message: 'UNKNOWN' } });
    expect(spans[1]?.exceptions).toEqual([{ name: 'Error', message: 'UNKNOWN', code: 'UNKNOWN' }]);
  });

  it('counts bytes without a tracer', async () => {
    const { mw, spans, bytes } = setup(true, false);
    const body = Readable.from([Buffer.from('xyz')]);
    registerBodyCounter(body, { n: 3 });
    const res = await mw.handle(request('https://registry.test/v2/', { body: 'ab' }), reading(answer(200, body)));
    await res.text();
    await tick();
    expect(spans).toEqual([]);
    expect(bytes.map(([n, a]) => [n, a?.['direction']])).toEqual([[2, 'sent'], [3, 'received']]);
  });
});
