// The fault-injecting proxy (tooling/fault-proxy/fault-proxy.ts) in front of a small upstream
// that records what reached it: each fault kind it offers reaches the client as exactly that
// fault (a status with its body and Retry-After, a body cut after N bytes, an upload cut after
// N bytes, one flipped bit, a delay), matching and counting select the requests, and without a
// fault it forwards untouched with the Host header kept.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../fault-proxy/fault-proxy.js';
import { exchange, pattern, refused } from './helpers.js';

const BLOB = pattern(64 * 1024);

/** One request as the upstream saw it. */
interface Seen {
  readonly method: string;
  readonly url: string;
  readonly host: string | undefined;
  /** Body bytes that arrived before the request ended or broke. */
  readonly bytes: number;
  readonly ended: boolean;
}

let upstream: Server;
let origin: string;
let seen: Promise<Seen>[] = [];
let proxy: FaultProxy;

beforeAll(async () => {
  upstream = createServer((req: IncomingMessage, res) => {
    seen.push(
      new Promise<Seen>((resolve) => {
        let bytes = 0;
        let ended = false;
        req.on('data', (c: Buffer) => (bytes += c.length));
        req.on('end', () => {
          ended = true;
          if (req.url === '/blob') {
            res.writeHead(200, {
              'content-length': String(BLOB.length),
              'content-type': 'application/octet-stream',
            });
            res.end(BLOB);
          } else {
            res.writeHead(201, { 'content-type': 'text/plain', 'x-upstream': 'yes' });
            res.end(`${req.method ?? ''} ${req.url ?? ''} ${String(bytes)}`);
          }
        });
        req.on('close', () => {
          resolve({
            method: req.method ?? '',
            url: req.url ?? '',
            host: req.headers.host,
            bytes,
            ended,
          });
        });
      }),
    );
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${String((upstream.address() as AddressInfo).port)}`;
  proxy = await startFaultProxy(origin);
});
afterEach(() => {
  proxy.clear();
  seen = [];
});
afterAll(async () => {
  await proxy.close();
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});

describe('startFaultProxy without faults', () => {
  it('forwards method, path, body and answer untouched, keeping the Host header, and logs each request', async () => {
    const res = await exchange(`${proxy.url}/upload?x=1`, { method: 'PUT' }, pattern(5000));
    expect(res).toMatchObject({ status: 201, complete: true });
    expect(res.headers['x-upstream']).toBe('yes');
    expect(res.body.toString()).toBe('PUT /upload?x=1 5000');
    const blob = await exchange(`${proxy.url}/blob`);
    expect(blob.complete).toBe(true);
    expect(blob.body.equals(BLOB)).toBe(true);
    const [upload] = await Promise.all(seen);
    expect(upload).toEqual({
      method: 'PUT',
      url: '/upload?x=1',
      host: proxy.host,
      bytes: 5000,
      ended: true,
    });
    expect(proxy.log.slice(-2)).toEqual(['PUT /upload?x=1', 'GET /blob']);
    expect(proxy.url).toBe(`http://${proxy.host}`);
  });
});

describe('startFaultProxy faults', () => {
  it('answers a scripted 429 with Retry-After and a TOOMANYREQUESTS body, without reaching the upstream', async () => {
    proxy.add({ status: 429, retryAfter: '7' });
    const res = await exchange(`${proxy.url}/upload`, { method: 'POST' }, Buffer.from('ignored'));
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('7');
    expect(JSON.parse(res.body.toString())).toEqual({
      errors: [{ code: 'TOOMANYREQUESTS', message: 'injected 429' }],
    });
    expect(seen).toHaveLength(0);
    // Used up: the next request goes through.
    expect((await exchange(`${proxy.url}/upload`, { method: 'POST' })).status).toBe(201);
  });

  it('answers a scripted 503 with an UNAVAILABLE body and no Retry-After', async () => {
    proxy.add({ status: 503 });
    const res = await exchange(`${proxy.url}/blob`);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBeUndefined();
    expect(JSON.parse(res.body.toString())).toEqual({
      errors: [{ code: 'UNAVAILABLE', message: 'injected 503' }],
    });
    expect(seen).toHaveLength(0);
  });

  it('cuts the answer after exactly resetAfterBytes bytes of body', async () => {
    proxy.add({ resetAfterBytes: 20_000 });
    const res = await exchange(`${proxy.url}/blob`);
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe(String(BLOB.length));
    expect(res.complete).toBe(false);
    expect(res.body.equals(BLOB.subarray(0, 20_000))).toBe(true);
  });

  it('with resetAfterBytes 0, drops the connection before any of the answer (the request reached the upstream)', async () => {
    proxy.add({ resetAfterBytes: 0 });
    await expect(exchange(`${proxy.url}/blob`)).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(await Promise.all(seen)).toMatchObject([{ method: 'GET', url: '/blob', ended: true }]);
  });

  it('cuts an upload after exactly resetAfterRequestBytes bytes: the upstream gets that many, the client an error', async () => {
    proxy.add({ resetAfterRequestBytes: 3000 });
    await expect(
      exchange(`${proxy.url}/upload`, { method: 'PUT' }, pattern(40_000)),
    ).rejects.toThrow(/socket hang up|ECONNRESET/);
    const [upload] = await Promise.all(seen);
    expect(upload).toMatchObject({ method: 'PUT', bytes: 3000, ended: false });
  });

  it('flips exactly one bit of the body at corruptAtByte and nothing else', async () => {
    proxy.add({ corruptAtByte: 40_000 });
    const res = await exchange(`${proxy.url}/blob`);
    expect(res.complete).toBe(true);
    expect(res.body).toHaveLength(BLOB.length);
    const differing = [...res.body.keys()].filter((i) => res.body[i] !== BLOB[i]);
    expect(differing).toEqual([40_000]);
    expect((res.body[40_000] ?? 0) ^ (BLOB[40_000] ?? 0)).toBe(1);
  });

  it('holds a request for delayMs before forwarding it, while other requests pass', async () => {
    proxy.add({ match: { path: '/slow' }, delayMs: 3_000 });
    const slow = exchange(`${proxy.url}/slow`, { method: 'POST' });
    await vi.waitUntil(() => proxy.log.includes('POST /slow'), { interval: 5, timeout: 10_000 });
    // A request the proxy got after the held one is answered first; the held one has not
    // reached the upstream meanwhile.
    expect((await exchange(`${proxy.url}/fast`, { method: 'POST' })).body.toString()).toBe(
      'POST /fast 0',
    );
    expect((await Promise.all(seen)).map((r) => r.url)).toEqual(['/fast']);
    expect((await slow).body.toString()).toBe('POST /slow 0');
    expect(seen).toHaveLength(2);
  });
});

describe('startFaultProxy fault selection', () => {
  it('applies a fault to matching requests only (method, path substring or pattern), `times` times, first match first', async () => {
    proxy.add(
      { match: { method: 'GET', path: '/blob' }, status: 503, times: 2 },
      { match: { path: /^\/up/ }, status: 429 },
      { status: 500 },
    );
    const statuses: number[] = [];
    for (const [method, path] of [
      ['POST', '/blob'],
      ['GET', '/blob'],
      ['GET', '/upload'],
      ['GET', '/blob'],
      ['GET', '/blob'],
      ['GET', '/other'],
    ] as const) {
      statuses.push((await exchange(`${proxy.url}${path}`, { method })).status);
    }
    // POST /blob: only the catch-all 500 matches. GET /upload: the pattern. The third GET /blob:
    // the 503 is used up and so is the 500, so it is forwarded.
    expect(statuses).toEqual([500, 503, 429, 503, 200, 201]);
  });

  it('takes faults at start, and clear() drops those not used yet', async () => {
    const scripted = await startFaultProxy(origin, [{ status: 503, times: 5 }]);
    try {
      expect((await exchange(`${scripted.url}/blob`)).status).toBe(503);
      scripted.clear();
      expect((await exchange(`${scripted.url}/blob`)).status).toBe(200);
    } finally {
      await scripted.close();
    }
  });

  it('drops the client connection when the upstream cannot be reached, and close() frees its port', async () => {
    const dead = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const { port } = s.address() as AddressInfo;
        s.close(() => {
          resolve(port);
        });
      });
    });
    const lost = await startFaultProxy(`http://127.0.0.1:${String(dead)}`);
    await expect(exchange(`${lost.url}/blob`)).rejects.toThrow(/socket hang up|ECONNRESET/);
    await lost.close();
    expect(await refused(Number(lost.host.split(':')[1]))).toBe(true);
  });
});
