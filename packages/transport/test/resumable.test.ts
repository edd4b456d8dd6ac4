import { NetworkError } from '@llmdevops/docker-hub-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTransport, requestResumable, type Transport } from '../src/index.js';
import { FakeClock } from './fake-clock.js';
import { reply, startScriptedServer, type ScriptedServer, type Step } from './scripted-server.js';

const DATA = Buffer.from(Array.from({ length: 200_000 }, (_, i) => i % 251));
let server: ScriptedServer;
let transport: Transport;

/** Sends `DATA` from the requested offset, resetting the connection after `cut` bytes of it. */
function serve(cut?: number): Step {
  return (req, res) => {
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range?.[1] === undefined ? 0 : Number(range[1]);
    const rest = DATA.subarray(start);
    const headers = { etag: '"v1"', 'content-length': String(rest.length), 'accept-ranges': 'bytes' };
    if (range === null) res.writeHead(200, headers);
    else res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${DATA.length - 1}/${DATA.length}` });
    if (cut === undefined) {
      res.end(rest);
      return;
    }
    res.write(rest.subarray(0, cut), () => {
      setTimeout(() => res.socket?.resetAndDestroy(), 20);
    });
  };
}

beforeAll(async () => {
  server = await startScriptedServer();
  transport = createTransport({ clock: new FakeClock() });
});
afterAll(async () => {
  await transport.close();
  await server.close();
});
afterEach(() => {
  server.reset();
});

describe('requestResumable', () => {
  it('continues a body broken twice with Range and If-Range, giving identical bytes', async () => {
    server.enqueue(serve(50_000), serve(70_000), serve());
    const offsets: number[] = [];
    const res = await requestResumable(transport, { method: 'GET', url: new URL('/blob', server.url), headers: {} }, { onResume: (i) => offsets.push(i.offset) });
    const bytes = Buffer.from(await res.bytes());
    expect(bytes.equals(DATA)).toBe(true);
    expect(offsets).toEqual([50_000, 120_000]);
    expect(server.requests.map((r) => r.headers.range)).toEqual([undefined, 'bytes=50000-', 'bytes=120000-']);
    expect(server.requests[1]?.headers['if-range']).toBe('"v1"');
  });

  it('fails with the original error when the server ignores Range', async () => {
    server.enqueue(serve(50_000), reply(200, 'whole thing again'));
    const res = await requestResumable(transport, { method: 'GET', url: new URL('/blob', server.url), headers: {} });
    const err = await res.bytes().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
  });

  it('does not resume when maxRetries is 0, and leaves other answers alone', async () => {
    const noRetries = createTransport({ clock: new FakeClock(), maxRetries: 0 });
    server.enqueue(serve(1000));
    const res = await requestResumable(noRetries, { method: 'GET', url: new URL('/blob', server.url), headers: {} });
    await expect(res.bytes()).rejects.toBeInstanceOf(NetworkError);
    expect(server.requests).toHaveLength(1);
    await noRetries.close();

    server.reset();
    server.enqueue(reply(404, 'nope'));
    const missing = await requestResumable(transport, { method: 'GET', url: new URL('/blob', server.url), headers: {} });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('nope');
  });

  it('keeps resuming while each break follows progress, beyond maxRetries breaks in all', async () => {
    const oneRetry = createTransport({ clock: new FakeClock(), maxRetries: 1 });
    server.enqueue(serve(30_000), serve(30_000), serve(30_000), serve(30_000), serve());
    const res = await requestResumable(oneRetry, { method: 'GET', url: new URL('/blob', server.url), headers: {} });
    expect(Buffer.from(await res.bytes()).equals(DATA)).toBe(true);
    expect(server.requests).toHaveLength(5);
    await oneRetry.close();
  });

  it('stops after maxRetries resumes that bring no bytes, with the network error', async () => {
    const twoRetries = createTransport({ clock: new FakeClock(), maxRetries: 2 });
    server.enqueue(serve(10_000), serve(0), serve(0), serve(0), serve());
    const res = await requestResumable(twoRetries, { method: 'GET', url: new URL('/blob', server.url), headers: {} });
    await expect(res.bytes()).rejects.toBeInstanceOf(NetworkError);
    // The first break followed 10 000 bytes (forgiven); then two resumes that brought nothing.
    expect(server.requests.map((r) => r.headers.range)).toEqual([undefined, 'bytes=10000-', 'bytes=10000-']);
    await twoRetries.close();
  });

  it('counts a failed attempt before the answer against the same maxRetries as the resumes after it', async () => {
    const twoRetries = createTransport({ clock: new FakeClock(), maxRetries: 2 });
    const hangUp: Step = (_req, res) => {
      res.destroy();
    };
    server.enqueue(hangUp, serve(0), serve(0), serve(0), serve());
    const res = await requestResumable(twoRetries, { method: 'GET', url: new URL('/blob', server.url), headers: {} });
    await expect(res.bytes()).rejects.toBeInstanceOf(NetworkError);
    // One operation, one budget: the hang-up, the empty first body and one empty resume are the
    // three failures maxRetries 2 allows; no second resume.
    expect(server.requests.map((r) => r.headers.range)).toEqual([undefined, undefined, 'bytes=0-']);
    await twoRetries.close();
  });

  it('requestEnd reports every byte of a resumed body, across its continuations', async () => {
    const t = createTransport({ clock: new FakeClock(), maxRetries: 3 });
    const ends: number[] = [];
    t.events.on('requestEnd', (e) => ends.push(e.bytes));
    server.enqueue(serve(50_000), serve());
    const res = await requestResumable(t, { method: 'GET', url: new URL('/blob', server.url), headers: {} });
    expect((await res.bytes()).length).toBe(DATA.length);
    await new Promise((r) => setImmediate(r));
    expect(ends).toEqual([DATA.length]);
    await t.close();
  });

  it('the transport marks a GET with context.resume the same way', async () => {
    server.enqueue(serve(50_000), serve());
    const res = await transport.request({ method: 'GET', url: new URL('/blob', server.url), headers: {}, context: { resume: true } });
    expect(Buffer.from(await res.bytes()).equals(DATA)).toBe(true);
    expect(server.requests.map((r) => r.headers.range)).toEqual([undefined, 'bytes=50000-']);
  });

  it('destroying the body frees the connection', async () => {
    server.enqueue((_req, res) => {
      res.writeHead(200, { 'content-length': '1000000' });
      res.write(Buffer.alloc(10));
    });
    const res = await requestResumable(transport, { method: 'GET', url: new URL('/blob', server.url), headers: {} });
    res.body.destroy();
    await server.socketClosed(0);
    expect(res.body.destroyed).toBe(true);
  });
});

describe('resume requests that fail before answering', () => {
  it('count as failures under the policy and are sent again', async () => {
    const t = createTransport({ clock: new FakeClock(), maxRetries: 3 });
    const { resetNow } = await import('./scripted-server.js');
    server.enqueue(serve(50_000), resetNow(), serve());
    const res = await requestResumable(t, { method: 'GET', url: new URL('/blob', server.url), headers: {} });
    expect(Buffer.from(await res.bytes()).equals(DATA)).toBe(true);
    expect(server.requests.map((r) => r.headers.range)).toEqual([undefined, 'bytes=50000-', 'bytes=50000-']);
    await t.close();
  });
});
