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

  it('gives up after maxResumes and leaves other answers alone', async () => {
    server.enqueue(serve(1000));
    const res = await requestResumable(transport, { method: 'GET', url: new URL('/blob', server.url), headers: {} }, { maxResumes: 0 });
    await expect(res.bytes()).rejects.toBeInstanceOf(NetworkError);
    expect(server.requests).toHaveLength(1);

    server.reset();
    server.enqueue(reply(404, 'nope'));
    const missing = await requestResumable(transport, { method: 'GET', url: new URL('/blob', server.url), headers: {} });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('nope');
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
