// The serving adapters all answer from the one handler: undici fetch and request through the
// in-process dispatcher (streaming bodies, HEAD), msw handlers with global fetch, and the Fetch handler.
import { once } from 'node:events';
import { connect } from 'node:net';
import { setupServer } from 'msw/node';
import { fetch as undiciFetch, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, listen } from '../src/index.js';
import { mswHandlers } from '../src/msw.js';
import { ACCEPT_ALL, makeClient, OCI_MANIFEST, pushImage, sha256 } from './helpers.js';

describe('in-process dispatcher', () => {
  const sim = createSimulator();
  afterAll(() => sim.close());

  it('serves undici fetch with a streaming request body and a streaming response', async () => {
    const data = Buffer.alloc(300_000, 1);
    async function* body() {
      for (let i = 0; i < 3; i++) yield data.subarray(i * 100_000, (i + 1) * 100_000);
    }
    const start = await undiciFetch('http://sim.test/v2/f/a/blobs/uploads/', {
      method: 'POST',
      dispatcher: sim.dispatcher,
    });
    expect(start.status).toBe(202);
    const loc = new URL(start.headers.get('location')!);
    loc.searchParams.set('digest', sha256(data));
    const put = await undiciFetch(loc, {
      method: 'PUT',
      body: body(),
      duplex: 'half',
      dispatcher: sim.dispatcher,
    });
    expect(put.status).toBe(201);
    const get = await undiciFetch(`http://sim.test/v2/f/a/blobs/${sha256(data)}`, {
      dispatcher: sim.dispatcher,
    });
    expect(Buffer.from(await get.arrayBuffer()).equals(data)).toBe(true);
    const head = await undiciFetch(`http://sim.test/v2/f/a/blobs/${sha256(data)}`, {
      method: 'HEAD',
      dispatcher: sim.dispatcher,
    });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('300000');
  });

  it('serves undici request with backpressure (paused body read later)', async () => {
    const img = await pushImage(makeClient('http://sim.test', sim.dispatcher), 'f/b', 'v1');
    const res = await request('http://sim.test/v2/f/b/manifests/v1', {
      headers: { accept: ACCEPT_ALL },
      dispatcher: sim.dispatcher,
    });
    await new Promise((r) => setImmediate(r));
    expect(await res.body.text()).toBe(img.manifest);
  });

  it('works behind undici interceptors (controller-style handlers)', async () => {
    const { interceptors } = await import('undici');
    const composed = sim.dispatcher.compose(interceptors.retry({ maxRetries: 0 }));
    const res = await request('http://sim.test/v2/', { dispatcher: composed });
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual({});
  });

  it('answers the Fetch handler directly', async () => {
    const res = await sim.fetch(new Request('http://sim.test/v2/'));
    expect(res.status).toBe(200);
    expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
  });

  it('refuses requests once closed', async () => {
    const other = createSimulator();
    await other.close();
    await expect(request('http://sim.test/v2/', { dispatcher: other.dispatcher })).rejects.toThrow(
      /closed/,
    );
  });
});

describe('msw handlers', () => {
  const sim = createSimulator({ profile: 'oci' });
  const server = setupServer(...mswHandlers(sim, 'https://registry.msw.test'));
  beforeAll(() => {
    server.listen({ onUnhandledRequest: 'error' });
  });
  afterAll(async () => {
    server.close();
    await sim.close();
  });

  it('answers global fetch through msw', async () => {
    const start = await fetch('https://registry.msw.test/v2/m/w/blobs/uploads/', {
      method: 'POST',
    });
    expect(start.status).toBe(202);
    const loc = new URL(start.headers.get('location')!);
    expect(loc.origin).toBe('https://registry.msw.test');
    loc.searchParams.set('digest', sha256('via-msw'));
    const put = await fetch(loc, { method: 'PUT', body: 'via-msw' });
    expect(put.status).toBe(201);
    const manifest = await fetch('https://registry.msw.test/v2/m/w/manifests/none', {
      headers: { accept: OCI_MANIFEST },
    });
    expect(manifest.status).toBe(404);
    expect(((await manifest.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe(
      'MANIFEST_UNKNOWN',
    );
  });
});

describe('node:http adapter', () => {
  /** Sends one raw request and collects everything the server writes until it closes. */
  async function raw(url: string, text: string): Promise<string> {
    const { port } = new URL(url);
    const socket = connect(Number(port), '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.write(text);
    await once(socket, 'close');
    return Buffer.concat(chunks).toString('latin1');
  }

  it('drops the connection instead of sending a body longer than its declared length', async () => {
    const server = await listen(async (request) =>
      new URL(request.url).pathname === '/overrun'
        ? new Response('stray-bytes', { status: 416, headers: { 'content-length': '0' } })
        : new Response('fine', { status: 200 }),
    );
    try {
      const got = await raw(
        server.url,
        'GET /overrun HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      );
      expect(got).not.toContain('stray-bytes');
      // The pipelined request after it never gets an answer on this connection.
      expect(got).not.toContain('fine');
      const ok = await raw(
        server.url,
        'GET /after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      );
      expect(ok).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(ok).toContain('fine');
    } finally {
      await server.close();
    }
  });
});
