// createCassetteProxy (what `dhub serve --record/--replay` serves): recording in front of a
// simulator with token auth on loopback, the challenge rewritten to the proxy, uploads and their
// Location on the proxy, then replay with the simulator closed; and the option checks.
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CassetteInvalidError, ConfigError } from '@llmdevops/docker-hub-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCassetteProxy, createSimulator, findSecrets, listen } from '../src/index.js';
import { ACCEPT_ALL, makeClient, pushImage, type Client } from './helpers.js';

const PASSWORD = 'proxy-pw-5a1c';

async function tokenFor(c: Client, scope: string): Promise<Record<string, string>> {
  const ping = await c.call('GET', '/v2/');
  const challenge = ping.headers['www-authenticate'] ?? '';
  const realm = /realm="([^"]+)"/.exec(challenge)?.[1] ?? '';
  const service = /service="([^"]+)"/.exec(challenge)?.[1] ?? '';
  const basic = Buffer.from(`alice:${PASSWORD}`).toString('base64');
  const res = await c.call(
    'GET',
    `${realm}?service=${encodeURIComponent(service)}&scope=${encodeURIComponent(scope)}&account=alice`,
    { headers: { authorization: `Basic ${basic}` } },
  );
  return { authorization: `Bearer ${(res.json() as { token: string }).token}` };
}

describe('cassette proxy', () => {
  let dir: string;
  const sim = createSimulator({
    profile: 'dockerhub',
    users: [{ name: 'alice', password: PASSWORD, namespaces: ['alice'] }],
    rateLimits: false,
  });
  let upstream: string;
  const seen: Record<string, unknown> = {};
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cassette-proxy-'));
    upstream = (await sim.listen()).url;
  });
  afterAll(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('records: challenges point at the proxy, tokens and uploads go through it', async () => {
    const proxy = await createCassetteProxy({ dir, mode: 'record', upstream });
    expect(proxy.mode).toBe('record');
    const server = await listen(proxy.fetch);
    try {
      const c = makeClient(server.url);
      const ping = await c.call('GET', '/v2/');
      expect(ping.status).toBe(401);
      expect(ping.headers['www-authenticate']).toContain(
        `realm="${server.url}/__dhub/auth/127.0.0.1/token"`,
      );
      const auth = await tokenFor(c, 'repository:alice/app:pull,push');
      const image = await pushImage(c, 'alice/app', 'v1', 'proxy', auth);
      const got = await c.call('GET', '/v2/alice/app/manifests/v1', {
        headers: { ...auth, accept: ACCEPT_ALL },
      });
      expect(got.headers['docker-content-digest']).toBe(image.digest);
      seen['manifest'] = got.body.toString('utf8');
      seen['digest'] = image.digest;
    } finally {
      await server.close();
    }
    await proxy.save();
    await proxy.close();
    const text = await readFile(proxy.path, 'utf8');
    expect(findSecrets(text, [PASSWORD])).toEqual([]);
    expect(text).not.toContain(upstream);
  });

  it('replays offline on another port; an unknown realm path answers 404 while recording', async () => {
    await sim.close();
    const proxy = await createCassetteProxy({ dir, mode: 'replay' });
    const server = await listen(proxy.fetch);
    try {
      const c = makeClient(server.url);
      const auth = await tokenFor(c, 'repository:alice/app:pull,push');
      expect(auth['authorization']).toBe('Bearer [REDACTED]');
      const image = await pushImage(c, 'alice/app', 'v1', 'proxy', auth);
      expect(image.digest).toBe(seen['digest']);
      const got = await c.call('GET', '/v2/alice/app/manifests/v1', {
        headers: { ...auth, accept: ACCEPT_ALL },
      });
      expect(got.body.toString('utf8')).toBe(seen['manifest']);
    } finally {
      await server.close();
    }
    const again = await createCassetteProxy({
      dir: join(dir, 'other'),
      mode: 'record',
      upstream: 'http://127.0.0.1:9',
    });
    const res = await again.fetch(new Request('http://127.0.0.1:1/__dhub/auth/nowhere/token'));
    expect(res.status).toBe(404);
    await again.close();
  });

  it('updates an existing cassette when recording into its folder again', async () => {
    const proxy = await createCassetteProxy({
      dir,
      mode: 'record',
      upstream: 'http://127.0.0.1:9',
    });
    expect(proxy.mode).toBe('update');
    await proxy.close();
  });
});

/** A loopback server answering with `answer(path)`. */
async function serve(
  answer: (
    path: string,
    origin: string,
  ) => { status: number; headers?: Record<string, string>; body?: string },
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const origin = `http://${req.headers.host ?? ''}`;
    const a = answer(req.url ?? '/', origin);
    res.writeHead(a.status, a.headers ?? {});
    res.end(a.body ?? '');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`, server };
}

describe('cassette proxy in front of a registry that redirects (like Docker Hub to its CDN)', () => {
  it('follows a GET redirect to another origin and points upstream Locations at itself', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cassette-proxy-redirect-'));
    const cdn = await serve(() => ({ status: 200, body: 'blob bytes from the CDN' }));
    const registry = await serve((path, origin) =>
      path.startsWith('/v2/team/app/blobs/uploads/')
        ? { status: 202, headers: { location: `${origin}/v2/team/app/blobs/uploads/u1?_state=s` } }
        : { status: 307, headers: { location: `${cdn.url}/signed?token=abc` } },
    );
    try {
      const proxy = await createCassetteProxy({ dir, mode: 'record', upstream: registry.url });
      const server = await listen(proxy.fetch);
      try {
        const c = makeClient(server.url);
        const blob = await c.call('GET', `/v2/team/app/blobs/sha256:${'b'.repeat(64)}`);
        expect(blob.status).toBe(200);
        expect(blob.body.toString()).toBe('blob bytes from the CDN');
        const start = await c.call('POST', '/v2/team/app/blobs/uploads/');
        expect(start.status).toBe(202);
        expect(start.headers['location']).toBe(
          `${server.url}/v2/team/app/blobs/uploads/u1?_state=s`,
        );
      } finally {
        await server.close();
      }
      await proxy.save();
      await proxy.close();
      const text = await readFile(proxy.path, 'utf8');
      expect(text).toContain('blob bytes from the CDN');
      expect(text).not.toContain(registry.url);
    } finally {
      registry.server.close();
      cdn.server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('cassette proxy options', () => {
  it('lists every bad option', async () => {
    const err = await createCassetteProxy({
      dir: '',
      mode: 'record',
      upstream: 'https://user:pw@registry.test/v2/',
      ...({ port: 1 } as object),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues.map((i) => i.path)).toEqual(['port', 'dir', 'upstream']);
    await expect(
      createCassetteProxy({ dir: 'x', mode: 'replay', upstream: 'https://registry.test' }),
    ).rejects.toThrow(/upstream: only applies to mode record/);
  });

  it('replay of a folder without a cassette names the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cassette-proxy-empty-'));
    try {
      const err = await createCassetteProxy({ dir, mode: 'replay' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CassetteInvalidError);
      expect(String(err)).toContain(join(dir, 'cassette.json'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
