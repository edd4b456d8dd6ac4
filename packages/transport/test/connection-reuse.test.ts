// Requests sent one after another, each right after the previous answer was read, share one
// keep-alive connection (undici frees a connection only after the I/O callback that ended its
// answer; the transport waits that long before sending).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTransport } from '../src/index.js';

let server: Server;
let origin: string;
const ports: number[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    ports.push(req.socket.remotePort ?? 0);
    const body = req.method === 'HEAD' ? undefined : JSON.stringify({ path: req.url });
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(JSON.stringify({ path: req.url }))),
    });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
});

describe('one connection for sequential requests', () => {
  it('GETs read to the end and HEADs, one after another, all go over the first connection', async () => {
    const transport = createTransport({ maxRetries: 0 });
    try {
      for (const [i, method] of (['GET', 'HEAD', 'GET', 'GET', 'HEAD', 'GET'] as const).entries()) {
        const res = await transport.request({
          method,
          url: new URL(`${origin}/v2/r/${String(i)}`),
          headers: {},
        });
        if (method === 'GET') expect(await res.json()).toEqual({ path: `/v2/r/${String(i)}` });
        else await res.dump();
      }
      expect(ports).toHaveLength(6);
      expect(new Set(ports).size).toBe(1);
    } finally {
      await transport.close();
    }
  });
});
