import { Readable } from 'node:stream';
import {
  AbortedError,
  CircuitOpenError,
  InsecureTransportError,
  NetworkError,
  RateLimitError,
  TimeoutError,
} from '@llmdevops/docker-hub-core';
import { MockAgent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTransport, type Middleware, type Transport, type TransportOptions, type TransportRequest } from '../src/index.js';
import { FakeClock } from './fake-clock.js';
import {
  hang,
  reply,
  replyJson,
  resetMidBody,
  resetNow,
  stallMidBody,
  startScriptedServer,
  type ScriptedServer,
} from './scripted-server.js';

let server: ScriptedServer;
let other: ScriptedServer;
const transports: Transport[] = [];

beforeAll(async () => {
  server = await startScriptedServer();
  other = await startScriptedServer();
});
afterAll(async () => {
  await Promise.all(transports.map((t) => t.close()));
  await server.close();
  await other.close();
});
afterEach(() => {
  server.reset();
  other.reset();
});

function make(options: TransportOptions = {}): { transport: Transport; clock: FakeClock } {
  const clock = options.clock instanceof FakeClock ? options.clock : new FakeClock();
  const transport = createTransport({ clock, random: () => 0.5, ...options });
  transports.push(transport);
  return { transport, clock };
}

function get(path: string, extra: Partial<TransportRequest> = {}): TransportRequest {
  return { method: 'GET', url: new URL(path, server.url), headers: {}, ...extra };
}

describe('retry against a scripted server', () => {
  it('waits for Retry-After in seconds on 429, then succeeds', async () => {
    const { transport, clock } = make();
    server.enqueue(replyJson(429, { errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] }, { 'retry-after': '2' }));
    const retries: number[] = [];
    transport.events.on('retry', (e) => retries.push(e.delayMs));
    const res = await transport.request(get('/v2/'));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
    expect(clock.sleeps).toEqual([2000]);
    expect(retries).toEqual([2000]);
    expect(server.requests).toHaveLength(2);
  });

  it('waits for Retry-After given as an HTTP date', async () => {
    const clock = new FakeClock({ start: Date.UTC(2026, 0, 1, 12, 0, 0) });
    const { transport } = make({ clock });
    const at = new Date(Date.UTC(2026, 0, 1, 12, 0, 5)).toUTCString();
    server.enqueue(reply(429, '', { 'retry-after': at }));
    const res = await transport.request(get('/v2/'));
    expect(res.status).toBe(200);
    await res.dump();
    expect(clock.sleeps).toEqual([5000]);
  });

  it('honours X-Retry-After as a unix time', async () => {
    const clock = new FakeClock({ start: Date.UTC(2026, 0, 1, 12, 0, 0) });
    const { transport } = make({ clock });
    server.enqueue(reply(429, '', { 'x-retry-after': String(Date.UTC(2026, 0, 1, 12, 0, 7) / 1000) }));
    await (await transport.request(get('/v2/'))).dump();
    expect(clock.sleeps).toEqual([7000]);
  });

  it('fails at once with a RateLimitError when the wait is longer than maxRetryWaitMs', async () => {
    const { transport, clock } = make({ maxRetryWaitMs: 60_000 });
    server.enqueue(
      replyJson(429, { errors: [{ code: 'TOOMANYREQUESTS', message: 'pull rate limit' }] }, { 'retry-after': '3600', 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '0;w=21600' }),
    );
    const err = await transport.request(get('/v2/library/alpine/manifests/latest')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    const rl = err as RateLimitError;
    expect(rl.code).toBe('TOOMANYREQUESTS');
    expect(rl.resetAt?.getTime()).toBe(clock.now() + 3_600_000);
    expect(rl.limit).toBe(100);
    expect(rl.remaining).toBe(0);
    expect(rl.message).toContain('resets at');
    expect(server.requests).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('uses the rate-limit window when a 429 has no Retry-After', async () => {
    const { transport, clock } = make();
    server.enqueue(reply(429, '', { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '0;w=21600' }));
    const err = (await transport.request(get('/v2/x/manifests/y')).catch((e: unknown) => e)) as RateLimitError;
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err.resetAt?.getTime()).toBe(clock.now() + 21_600_000);
  });

  it('retries 503 twice then returns the 200, with full-jitter backoff', async () => {
    const { transport, clock } = make({ backoffBaseMs: 100, backoffCapMs: 10_000 });
    server.enqueue(reply(503), reply(503));
    const reasons: string[] = [];
    transport.events.on('retry', (e) => reasons.push(`${e.attempt}:${e.reason}`));
    const res = await transport.request(get('/v2/'));
    expect(res.status).toBe(200);
    await res.dump();
    expect(server.requests).toHaveLength(3);
    expect(clock.sleeps).toEqual([50, 100]); // random 0.5 of ceilings 100 and 200
    expect(reasons).toEqual(['1:status 503', '2:status 503']);
  });

  it('returns the last 5xx after maxRetries', async () => {
    const { transport } = make({ maxRetries: 2 });
    server.fallback = reply(502);
    const res = await transport.request(get('/v2/'));
    expect(res.status).toBe(502);
    await res.dump();
    expect(server.requests).toHaveLength(3);
  });

  it('never retries 4xx other than 408/429, including 401', async () => {
    const { transport } = make();
    for (const status of [400, 401, 403, 404]) {
      server.reset();
      server.enqueue(reply(status));
      const res = await transport.request(get('/v2/'));
      expect(res.status).toBe(status);
      await res.dump();
      expect(server.requests).toHaveLength(1);
    }
  });

  it('retries a connection reset before the answer', async () => {
    const { transport } = make();
    server.enqueue(resetNow());
    const res = await transport.request(get('/v2/'));
    expect(res.status).toBe(200);
    await res.dump();
    expect(server.requests).toHaveLength(2);
  });

  it('does not retry a non-replayable body, but retries a replayable one', async () => {
    const { transport } = make();
    const oneShot = { stream: () => Readable.from([Buffer.from('abc')]), replayable: false, length: 3 };
    server.enqueue(reply(503));
    const res = await transport.request({ method: 'PUT', url: new URL('/upload', server.url), headers: {}, body: oneShot });
    expect(res.status).toBe(503);
    await res.dump();
    expect(server.requests).toHaveLength(1);

    server.reset();
    server.enqueue(reply(503));
    const again = { stream: () => Readable.from([Buffer.from('abc'), Buffer.from('def')]), replayable: true };
    const res2 = await transport.request({ method: 'PUT', url: new URL('/upload', server.url), headers: {}, body: again });
    expect(res2.status).toBe(200);
    await res2.dump();
    expect(server.requests.map((r) => r.body.toString())).toEqual(['abcdef', 'abcdef']);
  });

  it('does not retry a POST on 503', async () => {
    const { transport } = make();
    server.enqueue(reply(503));
    const res = await transport.request({ method: 'POST', url: new URL('/v2/x/blobs/uploads/', server.url), headers: {} });
    expect(res.status).toBe(503);
    await res.dump();
    expect(server.requests).toHaveLength(1);
  });
});

describe('faults in the middle of a call', () => {
  it('turns a connection reset in the middle of a body into a NetworkError', async () => {
    const { transport } = make();
    server.enqueue(resetMidBody(100_000, 1000));
    const ends: (string | undefined)[] = [];
    transport.events.on('requestEnd', (e) => ends.push(e.errorCode));
    const res = await transport.request(get('/v2/x/blobs/sha256:abc'));
    expect(res.status).toBe(200);
    const err = await res.bytes().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).code).toBe('NETWORK');
    expect(ends).toEqual(['NETWORK']);
  });

  it('times out when headers never come', async () => {
    const { transport } = make({ timeoutMs: 150, maxRetries: 1 });
    server.fallback = hang();
    const err = await transport.request(get('/v2/')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).phase).toBe('headers');
    expect(server.requests).toHaveLength(2); // a timeout is retried
  });

  it('times out when a body goes idle', async () => {
    const { transport } = make({ timeoutMs: 150 });
    server.enqueue(stallMidBody(1000, 10));
    const res = await transport.request(get('/blob'));
    const err = await res.text().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).phase).toBe('body');
  });

  it('abort before headers fails with AbortedError and closes the socket', async () => {
    const { transport } = make();
    server.fallback = hang();
    const ac = new AbortController();
    const pending = transport.request(get('/v2/', { signal: ac.signal }));
    while (server.requests.length === 0) await new Promise((r) => setImmediate(r));
    ac.abort(new Error('user cancelled'));
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortedError);
    await server.socketClosed(0);
    expect(server.requests).toHaveLength(1);
  });

  it('abort during the body frees the socket', async () => {
    const { transport } = make();
    server.enqueue(stallMidBody(1_000_000, 100));
    const ac = new AbortController();
    const res = await transport.request(get('/blob', { signal: ac.signal }));
    const reading = res.bytes().catch((e: unknown) => e);
    ac.abort();
    const err = await reading;
    expect(err).toBeInstanceOf(AbortedError);
    await server.socketClosed(0);
  });

  it('an already aborted signal never reaches the server', async () => {
    const { transport } = make();
    const err = await transport.request(get('/v2/', { signal: AbortSignal.abort() })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortedError);
    expect(server.requests).toHaveLength(0);
  });
});

describe('circuit breaker', () => {
  it('opens after 5 failures, fails fast, half-opens and closes after 2 successes', async () => {
    const clock = new FakeClock();
    const { transport } = make({ clock, maxRetries: 0 });
    const host = new URL(server.url).host;
    const changes: string[] = [];
    transport.events.on('breakerStateChange', (e) => changes.push(`${e.from}->${e.to}`));
    server.fallback = reply(500);
    for (let i = 0; i < 5; i++) await (await transport.request(get('/v2/'))).dump();
    expect(transport.breaker(host).state).toBe('open');
    const fast = await transport.request(get('/v2/')).catch((e: unknown) => e);
    expect(fast).toBeInstanceOf(CircuitOpenError);
    expect((fast as CircuitOpenError).halfOpenAt.getTime()).toBe(clock.now() + 30_000);
    expect(server.requests).toHaveLength(5);

    clock.advance(30_000);
    expect(transport.breaker(host).state).toBe('halfOpen');
    server.fallback = reply(200, 'ok');
    await (await transport.request(get('/v2/'))).dump();
    expect(transport.breaker(host).state).toBe('halfOpen');
    await (await transport.request(get('/v2/'))).dump();
    expect(transport.breaker(host).state).toBe('closed');
    expect(changes).toEqual(['closed->open', 'open->halfOpen', 'halfOpen->closed']);
  });

  it('does not count 4xx, re-opens on a half-open failure, and resets by hand', async () => {
    const clock = new FakeClock();
    const { transport } = make({ clock, maxRetries: 0, circuitBreaker: { failureThreshold: 2, resetTimeoutMs: 1000 } });
    const host = new URL(server.url).host;
    server.fallback = reply(404);
    for (let i = 0; i < 4; i++) await (await transport.request(get('/v2/'))).dump();
    expect(transport.breaker(host).state).toBe('closed');
    server.fallback = reply(503);
    for (let i = 0; i < 2; i++) await (await transport.request(get('/v2/'))).dump();
    expect(transport.breaker(host).state).toBe('open');
    clock.advance(1000);
    await (await transport.request(get('/v2/'))).dump();
    expect(transport.breaker(host).state).toBe('open');
    expect(transport.breaker(host).halfOpenAt?.getTime()).toBe(clock.now() + 1000);
    transport.breaker(host).reset();
    expect(transport.breaker(host).state).toBe('closed');
  });

  it('keeps breakers per transport', async () => {
    const { transport: a } = make({ maxRetries: 0, circuitBreaker: { failureThreshold: 1 } });
    const { transport: b } = make({ maxRetries: 0 });
    server.fallback = reply(500);
    await (await a.request(get('/v2/'))).dump();
    const host = new URL(server.url).host;
    expect(a.breaker(host).state).toBe('open');
    expect(b.breaker(host).state).toBe('closed');
  });
});

describe('redirects', () => {
  const auth: Middleware = {
    name: 'auth',
    handle: (req, next) => next({ ...req, headers: { ...req.headers, authorization: 'Bearer s3cr3t-token' } }),
  };

  it('drops Authorization and cookies when a redirect changes origin (asserted by the receiver)', async () => {
    const { transport } = make();
    transport.use(auth, { before: 'redirect' });
    server.enqueue(reply(307, '', { location: `${other.url}/blob?X-Amz-Signature=abc` }));
    other.enqueue(reply(200, 'blob-bytes'));
    const res = await transport.request(get('/v2/x/blobs/sha256:1', { headers: { cookie: 'a=b', accept: '*/*' } }));
    expect(await res.text()).toBe('blob-bytes');
    expect(res.url.origin).toBe(other.url);
    expect(server.requests[0]?.headers.authorization).toBe('Bearer s3cr3t-token');
    expect(other.requests).toHaveLength(1);
    expect(other.requests[0]?.headers.authorization).toBeUndefined();
    expect(other.requests[0]?.headers.cookie).toBeUndefined();
    expect(other.requests[0]?.headers.accept).toBe('*/*');
    expect(other.requests[0]?.url).toBe('/blob?X-Amz-Signature=abc');
  });

  it('keeps Authorization on a same-origin redirect and turns 303 into GET', async () => {
    const { transport } = make();
    transport.use(auth, { before: 'redirect' });
    server.enqueue(reply(303, '', { location: '/next' }));
    const res = await transport.request({ method: 'POST', url: new URL('/start', server.url), headers: { 'content-type': 'text/plain' }, body: 'x' });
    await res.dump();
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /start', 'GET /next']);
    expect(server.requests[1]?.headers.authorization).toBe('Bearer s3cr3t-token');
    expect(server.requests[1]?.headers['content-type']).toBeUndefined();
  });

  it('stops after maxRedirects', async () => {
    const { transport } = make({ maxRedirects: 2 });
    server.fallback = reply(302, '', { location: '/loop' });
    const err = await transport.request(get('/loop')).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('REDIRECT_INVALID');
    expect(server.requests).toHaveLength(3);
  });
});

describe('transport security', () => {
  it('refuses plain HTTP to a non-loopback host and says how to allow it', async () => {
    const { transport } = make();
    const err = await transport.request({ method: 'GET', url: new URL('http://registry.example.com/v2/'), headers: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InsecureTransportError);
    expect((err as Error).message).toContain('insecureHosts');
    expect((err as InsecureTransportError).code).toBe('INSECURE_TRANSPORT');
  });

  it('allows plain HTTP to a host marked insecure', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    agent.get('http://registry.internal:5000').intercept({ path: '/v2/' }).reply(200, 'hello');
    const { transport } = make({ dispatcher: agent, insecureHosts: ['registry.internal:5000'] });
    const res = await transport.request({ method: 'GET', url: new URL('http://registry.internal:5000/v2/'), headers: {} });
    expect(await res.text()).toBe('hello');
    agent.assertNoPendingInterceptors();
    await agent.close();
  });
});

describe('rate-limit tracking and events', () => {
  it('keeps the latest status, treats absence as not limited, and warns when low', async () => {
    const { transport, clock } = make({ rateLimit: { lowThreshold: 10 } });
    const host = new URL(server.url).host;
    expect(transport.rateLimitStatus(host)).toBeUndefined();
    const low: number[] = [];
    transport.events.on('rateLimitLow', (e) => low.push(e.remaining));
    server.enqueue(
      reply(200, '', { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '76;w=21600', 'docker-ratelimit-source': '192.0.2.1' }),
      reply(200, '', { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '5;w=21600' }),
      reply(200, ''),
      reply(200, '', { 'ratelimit-limit': 'garbage', 'retry-after': 'later', 'x-retry-after': 'soon' }),
    );
    await (await transport.request(get('/a'))).dump();
    expect(transport.rateLimitStatus(host)).toEqual({
      limit: 100,
      remaining: 76,
      windowSeconds: 21600,
      source: '192.0.2.1',
      resetAt: undefined,
      observedAt: new Date(clock.now()),
    });
    await (await transport.request(get('/b'))).dump();
    expect(low).toEqual([5]);
    await (await transport.request(get('/c'))).dump();
    expect(transport.rateLimitStatus()?.remaining).toBe(5);
    const malformed: string[] = [];
    transport.events.on('malformedHeader', (e) => malformed.push(e.header));
    await (await transport.request(get('/d'))).dump();
    expect(malformed).toEqual(['ratelimit-limit', 'retry-after', 'x-retry-after']);
    expect(transport.rateLimitStatus(host)?.remaining).toBe(5);
    expect(transport.rateLimitSources(host).map((s) => s.source)).toEqual(['192.0.2.1', undefined]);
  });

  it('events carry no secrets, no queries and only allow-listed headers', async () => {
    const { transport } = make();
    const seen: unknown[] = [];
    for (const name of ['requestStart', 'requestEnd', 'retry'] as const) transport.events.on(name, (e) => seen.push(e));
    server.enqueue(reply(503), reply(200, 'ok', { 'set-cookie': 'session=topsecret', 'content-type': 'text/plain' }));
    const res = await transport.request(
      get('/v2/x/blobs/uploads/1?_state=tok3n-value', { headers: { authorization: 'Bearer s3cr3t' }, context: { operation: 'blob.upload' } }),
    );
    expect(await res.text()).toBe('ok');
    const json = JSON.stringify(seen);
    expect(json).not.toContain('s3cr3t');
    expect(json).not.toContain('tok3n');
    expect(json).not.toContain('topsecret');
    const end = seen.at(-1) as { status: number; attempts: number; bytes: number; headers: Record<string, string>; operation: string };
    expect(end).toMatchObject({ status: 200, attempts: 2, bytes: 2, operation: 'blob.upload' });
    expect(end.headers).toEqual({ 'content-type': 'text/plain' });
  });

  it('a disposer unsubscribes and a throwing listener does not break the call', async () => {
    const { transport } = make();
    let count = 0;
    const dispose = transport.events.on('requestStart', () => {
      count++;
      throw new Error('listener bug');
    });
    await (await transport.request(get('/a'))).dump();
    dispose();
    await (await transport.request(get('/b'))).dump();
    expect(count).toBe(1);
  });
});

describe('bodiless answers', () => {
  it('HEAD and empty answers free their permit without a dump', async () => {
    const { transport } = make({ maxConcurrentPerHost: 1 });
    const ends: (number | undefined)[] = [];
    transport.events.on('requestEnd', (e) => ends.push(e.status));
    server.fallback = reply(200, '', { 'docker-content-digest': 'sha256:abc' });
    for (let i = 0; i < 3; i++) {
      const res = await transport.request({ method: 'HEAD', url: new URL('/v2/x/manifests/latest', server.url), headers: {} });
      expect(res.header('docker-content-digest')).toBe('sha256:abc');
    }
    const empty = await transport.request(get('/empty'));
    expect(await empty.text()).toBe('');
    const again = await transport.request(get('/empty'));
    expect(again.status).toBe(200);
    await again.dump();
    expect(server.requests).toHaveLength(5);
    expect(ends).toHaveLength(5);
  });
});

describe('pipeline assembly', () => {
  it('describes the default order and inserts by name', () => {
    const { transport } = make();
    expect(transport.describe()).toEqual([
      'telemetry',
      'deadline',
      'retry',
      'circuitBreaker',
      'concurrency',
      'redirect',
      'rateLimitObserver',
      'terminal',
    ]);
    transport.use({ name: 'auth', handle: (r, n) => n(r) }, { after: 'concurrency' });
    transport.use({ name: 'recorder', handle: (r, n) => n(r) });
    expect(transport.describe().slice(4)).toEqual(['concurrency', 'auth', 'redirect', 'rateLimitObserver', 'recorder', 'terminal']);
    expect(() => transport.use({ name: 'auth', handle: (r, n) => n(r) })).toThrow(/already/);
    expect(() => transport.use({ name: 'x', handle: (r, n) => n(r) }, { before: 'nope' })).toThrow(/no middleware/);
  });

  it('rejects calls after close', async () => {
    const transport = createTransport();
    await transport.close();
    const err = await transport.request(get('/v2/')).catch((e: unknown) => e);
    expect((err as NetworkError).causeCode).toBe('TRANSPORT_CLOSED');
  });
});
