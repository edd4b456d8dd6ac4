// Connection reuse: HEAD requests (blob and manifest existence checks) must not open a new TCP
// (and, against a real registry, TLS) connection each, which undici does unless told otherwise.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTransport, type Transport } from '../src/index.js';

let server: Server;
let base: string;
let connections = 0;
let transport: Transport;

beforeAll(async () => {
  server = createServer((req, res) => {
    // As distribution answers a blob HEAD: the size, no body.
    res.writeHead(200, { 'content-length': '1234', 'docker-content-digest': `sha256:${'a'.repeat(64)}` });
    res.end(req.method === 'HEAD' ? undefined : Buffer.alloc(1234, 0x61));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
beforeEach(async () => {
  await transport?.close();
  transport = createTransport({ maxRetries: 0 });
  connections = 0;
});
afterAll(async () => {
  await transport.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
});

describe('connection reuse', () => {
  it('sends consecutive HEAD requests over reused connections', async () => {
    for (let i = 0; i < 10; i++) {
      const res = await transport.request({ method: 'HEAD', url: new URL(`${base}/v2/a/blobs/x${i}`), headers: {} });
      expect(res.status).toBe(200);
      expect(res.header('content-length')).toBe('1234');
      await res.dump();
    }
    // Reused, not one per request (undici may open a second socket while the first is released).
    expect(connections).toBeLessThanOrEqual(2);
  });

  it('mixes HEAD and GET on reused connections, with the GET bodies intact', async () => {
    for (let i = 0; i < 5; i++) {
      await (await transport.request({ method: 'HEAD', url: new URL(`${base}/v2/a/blobs/h${i}`), headers: {} })).dump();
      const got = await (await transport.request({ method: 'GET', url: new URL(`${base}/v2/a/blobs/g${i}`), headers: {} })).bytes();
      expect(got.length).toBe(1234);
    }
    expect(connections).toBeLessThanOrEqual(2);
  });
});
