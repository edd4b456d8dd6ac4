// Blob downloads that a registry redirects to another origin (Docker Hub sends 307 to its CDN):
// the bytes arrive verified and the registry's Authorization never reaches the other origin.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Secret } from '@llmdevops/docker-hub-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerHubClient } from '../src/index.js';

const blob = randomBytes(5000);
const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`;
const seenByCdn: IncomingHttpHeaders[] = [];
let registry: Server;
let cdn: Server;

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  cdn = createServer((req, res) => {
    seenByCdn.push(req.headers);
    res.writeHead(200, { 'content-length': String(blob.length) }).end(blob);
  });
  const cdnPort = await listen(cdn);
  registry = createServer((req, res) => {
    if (req.headers.authorization === undefined) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="test"', 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
      return;
    }
    // `localhost` is another origin than `127.0.0.1`.
    res.writeHead(307, { location: `http://localhost:${cdnPort}/data?verify=1` }).end();
  });
  await listen(registry);
});
afterAll(async () => {
  await new Promise((r) => registry.close(r));
  await new Promise((r) => cdn.close(r));
});

describe('redirected blob downloads', () => {
  it('follow the redirect without Authorization and verify the bytes', async () => {
    const port = (registry.address() as AddressInfo).port;
    const client = new DockerHubClient({}, {
      env: {},
      credentials: async () => Promise.resolve({ kind: 'basic', username: 'u', password: new Secret('registry-password'), source: 'explicit' }),
    });
    try {
      const chunks: Buffer[] = [];
      for await (const c of client.blobs.get(`127.0.0.1:${port}/a/b`, digest)) chunks.push(c as Buffer);
      expect(Buffer.concat(chunks).equals(blob)).toBe(true);
      expect(seenByCdn).toHaveLength(1);
      expect(seenByCdn[0]?.authorization).toBeUndefined();
    } finally {
      await client.close();
    }
  });
});
