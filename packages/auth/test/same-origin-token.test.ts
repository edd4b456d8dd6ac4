// A registry that is its own token service (as ghcr.io, quay.io and Harbor are: the realm is on
// the registry's origin): the token request and the retried request reuse the keep-alive
// connection the 401 came on instead of opening another.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTransport, type Transport } from '@llmdevops/docker-hub-transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthMiddleware } from '../src/index.js';

let server: Server;
let origin: string;
let connections = 0;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(`${req.method ?? ''} ${req.url ?? ''}`);
    if (req.url?.startsWith('/token') === true) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token: 'same-origin-token', expires_in: 300 }));
      return;
    }
    if (req.headers.authorization !== 'Bearer same-origin-token') {
      const body = JSON.stringify({
        errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }],
      });
      res.writeHead(401, {
        'content-type': 'application/json',
        'www-authenticate': `Bearer realm="${origin}/token",service="same-origin",scope="repository:team/app:pull"`,
      });
      res.end(body);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"name":"team/app","tags":["1"]}');
  });
  server.on('connection', () => {
    connections += 1;
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

describe('a registry that is its own token service', () => {
  let transport: Transport;
  afterAll(async () => {
    await transport.close();
  });

  it('answers the challenge over the one connection the 401 came on', async () => {
    transport = createTransport({ maxRetries: 0 });
    const auth = createAuthMiddleware({
      credentials: { username: 'alice', password: 'alice-pw' },
      transportNext: async (req) => transport.request(req),
    });
    transport.use(auth, { before: 'redirect' });
    const res = await transport.request({
      method: 'GET',
      url: new URL(`${origin}/v2/team/app/tags/list`),
      headers: {},
    });
    expect(await res.json()).toEqual({ name: 'team/app', tags: ['1'] });
    expect(seen.map((s) => s.split('?')[0])).toEqual([
      'GET /v2/team/app/tags/list',
      'GET /token',
      'GET /v2/team/app/tags/list',
    ]);
    expect(connections).toBe(1);
    auth.dispose();
  });
});
