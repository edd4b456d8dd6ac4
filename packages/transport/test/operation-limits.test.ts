// Limits that belong to an operation (a call with its retries and body, or a retrying() step):
// the circuit breaker counts an operation's failures once, and one total deadline bounds it.
import { createServer as createNetServer } from 'node:net';
import { CircuitOpenError, NetworkError, ServerError, TimeoutError } from '@llmdevops/docker-hub-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTransport, type Transport, type TransportOptions, type TransportRequest } from '../src/index.js';
import { FakeClock } from './fake-clock.js';
import { hang, reply, resetMidBody, resetNow, stallMidBody, startScriptedServer, type ScriptedServer } from './scripted-server.js';

let server: ScriptedServer;
let closedPort: number;
const transports: Transport[] = [];

/** A port nothing listens on: bound once, then released. */
async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const address = s.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => s.close(() => { resolve(); }));
  return port;
}

beforeAll(async () => {
  server = await startScriptedServer();
  closedPort = await freePort();
});
afterAll(async () => {
  await server.close();
});
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  server.reset();
});

function make(options: TransportOptions = {}): Transport {
  const t = createTransport({ clock: new FakeClock(), random: () => 0.5, ...options });
  transports.push(t);
  return t;
}

const refusedUrl = (): URL => new URL(`http://127.0.0.1:${closedPort}/v2/`);
const get = (url: URL, extra: Partial<TransportRequest> = {}): TransportRequest => ({ method: 'GET', url, headers: {}, ...extra });

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000 && !done(); i++) await new Promise((r) => setImmediate(r));
  if (!done()) throw new Error('condition never held');
}

describe('the circuit breaker counts an operation once', () => {
  it('a fresh transport against a closed port fails with a NetworkError naming ECONNREFUSED, not CIRCUIT_OPEN', async () => {
    const t = make({ maxRetries: 10 });
    const retries: number[] = [];
    t.events.on('retry', (e) => retries.push(e.attempt));
    const err = await t.request(get(refusedUrl())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).causeCode).toBe('ECONNREFUSED');
    expect((err as NetworkError).message).toContain('ECONNREFUSED');
    expect(retries).toHaveLength(10);
    expect(t.breaker(refusedUrl().host).snapshot).toEqual({ name: 'closed', failures: 1 });
  });

  it('one operation with maxRetries 10 against a failing host does not open the breaker (threshold 5)', async () => {
    const t = make({ maxRetries: 10, circuitBreaker: { failureThreshold: 5 } });
    server.fallback = reply(503, 'down');
    const res = await t.request(get(new URL('/v2/', server.url)));
    await res.dump();
    expect(res.status).toBe(503);
    expect(server.requests).toHaveLength(11);
    expect(t.breaker(new URL(server.url).host).snapshot).toEqual({ name: 'closed', failures: 1 });
  });

  it('a retrying() step is one operation however many requests and runs it makes', async () => {
    const t = make({ maxRetries: 10, circuitBreaker: { failureThreshold: 2 } });
    server.fallback = reply(503, 'down');
    const err = await t
      .retrying(async () => {
        for (const path of ['/a', '/b']) {
          const res = await t.request(get(new URL(path, server.url)));
          await res.dump();
          if (res.status >= 500) throw new ServerError(`GET ${path}: status ${res.status}`, { status: res.status });
        }
      }, { what: 'two reads' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect(server.requests).toHaveLength(11);
    expect(t.breaker(new URL(server.url).host).state).toBe('closed');
  });

  it('separate operations still open it, and its refusal names the last failure as cause', async () => {
    const t = make({ maxRetries: 2, circuitBreaker: { failureThreshold: 5 } });
    for (let i = 0; i < 5; i++) {
      await expect(t.request(get(refusedUrl()))).rejects.toBeInstanceOf(NetworkError);
    }
    expect(t.breaker(refusedUrl().host).state).toBe('open');
    const refused = await t.request(get(refusedUrl())).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CircuitOpenError);
    const cause = (refused as CircuitOpenError).cause;
    expect(cause).toBeInstanceOf(NetworkError);
    expect((cause as NetworkError).causeCode).toBe('ECONNREFUSED');
    expect((refused as CircuitOpenError).message).toMatch(/^circuit open for 127\.0\.0\.1:\d+ until .*; last failure: GET .*ECONNREFUSED$/);
  });

  it('names a 5xx as the last failure of an open breaker', async () => {
    const t = make({ maxRetries: 0, circuitBreaker: { failureThreshold: 1 } });
    server.fallback = reply(502, 'bad gateway');
    await (await t.request(get(new URL('/v2/', server.url)))).dump();
    const refused = await t.request(get(new URL('/v2/', server.url))).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CircuitOpenError);
    expect((refused as CircuitOpenError).cause).toBeInstanceOf(ServerError);
    expect((refused as CircuitOpenError).message).toContain('status 502');
  });

  it('the resumes of a body that breaks count once with the call that started it', async () => {
    const t = make({ maxRetries: 3, circuitBreaker: { failureThreshold: 2 } });
    server.enqueue(resetMidBody(100_000, 1000));
    server.fallback = resetNow();
    const res = await t.request(get(new URL('/blob', server.url), { context: { resume: true } }));
    const err = await res.bytes().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect(server.requests.length).toBeGreaterThan(2);
    expect(t.breaker(new URL(server.url).host).snapshot).toEqual({ name: 'closed', failures: 1 });
  });

  it("a failed half-open trial re-opens the breaker even when its operation had failed before", async () => {
    const clock = new FakeClock();
    const t = make({ clock, maxRetries: 0, circuitBreaker: { failureThreshold: 1, resetTimeoutMs: 1000 } });
    const host = new URL(server.url).host;
    server.fallback = reply(503, 'down');
    await t
      .retrying(async () => {
        const first = await t.request(get(new URL('/v2/', server.url)));
        await first.dump();
        expect(t.breaker(host).state).toBe('open');
        clock.advance(1000);
        const trial = await t.request(get(new URL('/v2/', server.url)));
        await trial.dump();
      }, { what: 'step' })
      .catch(() => undefined);
    expect(t.breaker(host).state).toBe('open');
    expect(server.requests).toHaveLength(2);
  });
});

describe('the total deadline bounds a whole operation', () => {
  it('a body still streaming when the deadline passes is destroyed with a TimeoutError naming total', async () => {
    const clock = new FakeClock({ auto: false });
    const t = make({ clock, totalTimeoutMs: 5000 });
    server.enqueue(stallMidBody(1_000_000, 100));
    const res = await t.request(get(new URL('/blob', server.url)));
    expect(res.status).toBe(200);
    const reading = res.bytes().catch((e: unknown) => e);
    clock.advance(5000);
    const err = await reading;
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).phase).toBe('total');
    expect((err as TimeoutError).message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/blob: total timeout after 5000 ms/);
    await server.socketClosed(0);
  });

  it('a body read before the deadline is left alone', async () => {
    const clock = new FakeClock({ auto: false });
    const t = make({ clock, totalTimeoutMs: 5000 });
    server.enqueue(reply(200, 'hello'));
    const res = await t.request(get(new URL('/small', server.url)));
    expect(await res.text()).toBe('hello');
    clock.advance(10_000);
    expect(res.body.errored).toBeNull();
  });

  it('a stalled body with retries ends at the step deadline with a TimeoutError naming total, and nothing is sent after it', async () => {
    const clock = new FakeClock({ auto: false });
    const t = make({ clock, totalTimeoutMs: 5000, maxRetries: 10, backoffBaseMs: 1000, backoffCapMs: 1000, random: () => 1 });
    // Runs 1 and 2 break mid-body (as a body idle timeout would end them), run 3 stalls mid-body.
    server.enqueue(resetMidBody(1_000_000, 100), resetMidBody(1_000_000, 100), stallMidBody(1_000_000, 100));
    const runs: number[] = [];
    const pending = t
      .retrying(async (run) => {
        runs.push(run);
        return (await t.request(get(new URL('/manifest', server.url)))).text();
      }, { what: 'GET manifest' })
      .catch((e: unknown) => e);
    for (const waits of [1, 2]) {
      await until(() => clock.sleeps.length >= 1 + waits); // the deadline's timer, then one backoff per failed run
      clock.advance(1000);
    }
    await until(() => server.requests.length >= 3);
    clock.advance(3000);
    const err = await pending;
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).phase).toBe('total');
    expect((err as TimeoutError).message).toContain('GET manifest: total timeout after 5000 ms');
    expect(runs).toEqual([1, 2, 3]);
    await server.socketClosed(2);
    clock.advance(60_000);
    expect(server.requests).toHaveLength(3);
  });

  it('requests inside a step share the step deadline instead of starting their own', async () => {
    const clock = new FakeClock({ auto: false });
    const t = make({ clock, totalTimeoutMs: 5000, maxRetries: 0 });
    server.enqueue(reply(200, 'first'), hang());
    let firstDone = false;
    const pending = t
      .retrying(async () => {
        await (await t.request(get(new URL('/one', server.url)))).text();
        firstDone = true;
        await clock.sleep(3000);
        return (await t.request(get(new URL('/two', server.url)))).text();
      }, { what: 'two reads' })
      .catch((e: unknown) => e);
    await until(() => firstDone && clock.sleeps.includes(3000));
    clock.advance(3000);
    await until(() => server.requests.length >= 2);
    clock.advance(2000);
    const err = await pending;
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).phase).toBe('total');
  });
});
