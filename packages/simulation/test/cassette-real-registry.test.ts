// A pull from the real registry (CNCF distribution, token auth) recorded through a cassette,
// re-recorded to the same bytes, then replayed on another address with the registry stopped.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealRegistry, type RealRegistry } from '../../../tooling/registry/real-registry.js';
import {
  createCassette,
  dispatcherUpstream,
  findSecrets,
  listen,
  type CassetteOptions,
  type FetchHandler,
} from '../src/index.js';
import { ACCEPT_ALL, makeClient, pushBlob, pushImage, sha256, type Client } from './helpers.js';

const REPO = 'team/app';
const run = promisify(execFile);

/**
 * What `dhub serve --record` will do, reduced to a test shim: sends loopback requests on to the
 * registry (`/token` to its token service) and points the challenge's realm at the loopback
 * server, so skopeo fetches its token through the cassette too.
 */
function towardRegistry(reg: RealRegistry, agent: Agent): FetchHandler {
  const send = dispatcherUpstream(agent);
  return async (request) => {
    const u = new URL(request.url);
    const target =
      u.pathname === '/token'
        ? `${reg.tokenUrl ?? ''}${u.search}`
        : `${reg.url}${u.pathname}${u.search}`;
    const headers = new Headers(request.headers);
    headers.delete('host');
    const res = await send(new Request(target, { method: request.method, headers }));
    const out = new Headers(res.headers);
    const challenge = out.get('www-authenticate');
    if (challenge !== null)
      out.set('www-authenticate', challenge.replace(/realm="[^"]*"/, `realm="${u.origin}/token"`));
    return new Response(res.body, { status: res.status, headers: out });
  };
}

/** skopeo copies the image through a loopback server answering from the cassette. */
async function skopeoThrough(
  options: CassetteOptions,
  user: string,
  password: string,
  dest: string,
) {
  const cassette = createCassette(options);
  const server = await listen(cassette.fetch);
  try {
    await run(
      'skopeo',
      [
        'copy',
        '--src-tls-verify=false',
        '--src-creds',
        `${user}:${password}`,
        `docker://${new URL(server.url).host}/${REPO}:multi`,
        `oci:${dest}:multi`,
      ],
      { timeout: 60_000 },
    );
  } finally {
    await server.close();
  }
  await cassette.save();
}

async function layoutBlobs(dir: string): Promise<Record<string, string>> {
  const names = await readdir(join(dir, 'blobs', 'sha256'));
  const out: Record<string, string> = {};
  for (const n of names.sort()) out[n] = sha256(await readFile(join(dir, 'blobs', 'sha256', n)));
  return out;
}

async function bearer(c: Client, user: string, password: string, actions: string): Promise<string> {
  const ping = await c.call('GET', '/v2/');
  const challenge = ping.headers['www-authenticate'] ?? '';
  const realm = /realm="([^"]+)"/.exec(challenge)?.[1] ?? '';
  const service = /service="([^"]+)"/.exec(challenge)?.[1] ?? '';
  const basic = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const url = `${realm}?service=${encodeURIComponent(service)}&scope=${encodeURIComponent(`repository:${REPO}:${actions}`)}`;
  const res = await c.call('GET', url, { headers: { authorization: basic } });
  return String(res.json().token);
}

describe('cassette against the real registry with token auth', () => {
  let reg: RealRegistry;
  let dir: string;
  let user = '';
  let password = '';
  let bigLayer: Buffer;
  let bigDigest = '';
  const agent = new Agent();

  beforeAll(async () => {
    reg = await startRealRegistry({ auth: 'token' });
    dir = await mkdtemp(join(tmpdir(), 'sim-cassette-real-'));
    const alice = reg.users.find((u) => u.name !== 'reader');
    user = alice?.name ?? '';
    password = alice?.password ?? '';
    const direct = makeClient(reg.url);
    const auth = { authorization: `Bearer ${await bearer(direct, user, password, 'pull,push')}` };
    bigLayer = randomBytes(150_000);
    bigDigest = await pushBlob(direct, REPO, bigLayer, auth);
    await pushImage(direct, REPO, 'v1', 'real', auth);
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux' }));
    const layers = [randomBytes(3000), randomBytes(5000), randomBytes(90_000), bigLayer];
    const layerDigests = await Promise.all(layers.map((l) => pushBlob(direct, REPO, l, auth)));
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: await pushBlob(direct, REPO, config, auth),
        size: config.length,
      },
      layers: layers.map((l, i) => ({
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: layerDigests[i],
        size: l.length,
      })),
    });
    const put = await direct.call('PUT', `/v2/${REPO}/manifests/multi`, {
      headers: { ...auth, 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
      body: manifest,
    });
    expect(put.status).toBe(201);
  });
  afterAll(async () => {
    await agent.close();
    await reg.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Token dance, manifest, then config, layer and a large blob fetched in parallel. */
  async function pull(options: CassetteOptions, base: string, reverse: boolean) {
    const cassette = createCassette(options);
    const c = makeClient(base, cassette.dispatcher);
    const auth = { authorization: `Bearer ${await bearer(c, user, password, 'pull')}` };
    const manifest = await c.call('GET', `/v2/${REPO}/manifests/v1`, {
      headers: { ...auth, accept: ACCEPT_ALL },
    });
    const m = manifest.json() as { config: { digest: string }; layers: { digest: string }[] };
    const digests = [m.config.digest, ...m.layers.map((l) => l.digest), bigDigest];
    const blobs = await Promise.all(
      (reverse ? [...digests].reverse() : digests).map((d) =>
        c.call('GET', `/v2/${REPO}/blobs/${d}`, { headers: auth }),
      ),
    );
    await cassette.save();
    return {
      manifest: manifest.body,
      digest: manifest.headers['docker-content-digest'],
      blobs: Object.fromEntries(blobs.map((b) => [sha256(b.body), b.status])),
    };
  }

  it('skopeo through a recording cassette twice writes byte-identical files with no secret', async () => {
    const path = join(dir, 'skopeo.json');
    const upstream = towardRegistry(reg, agent);
    await skopeoThrough({ path, mode: 'record', upstream }, user, password, join(dir, 'live-1'));
    const first = await readFile(path);
    await skopeoThrough({ path, mode: 'record', upstream }, user, password, join(dir, 'live-2'));
    expect((await readFile(path)).equals(first)).toBe(true);
    expect(await layoutBlobs(join(dir, 'live-2'))).toEqual(await layoutBlobs(join(dir, 'live-1')));
    const text = first.toString('utf8');
    const basic = Buffer.from(`${user}:${password}`).toString('base64');
    expect(findSecrets(text, [password, basic])).toEqual([]);
    expect(text).not.toMatch(/eyJ[\w-]+\./);
  });

  it('records a pull, re-records it byte for byte, and replays it on another address after the registry stops', async () => {
    const path = join(dir, 'pull.json');
    const upstream = dispatcherUpstream(agent);
    const live = await pull({ path, mode: 'record', upstream }, reg.url, false);
    const first = await readFile(path);
    await pull({ path, mode: 'record', upstream }, reg.url, true);
    expect((await readFile(path)).equals(first)).toBe(true);

    const text = first.toString('utf8');
    const basic = Buffer.from(`${user}:${password}`).toString('base64');
    expect(findSecrets(text, [password, basic])).toEqual([]);
    expect(text).not.toContain(reg.host);
    expect(text).not.toMatch(/eyJ[\w-]+\./);

    await reg.stop();
    const replayed = await pull({ path, mode: 'replay' }, 'http://127.0.0.1:9', true);
    expect(replayed.manifest.equals(live.manifest)).toBe(true);
    expect(replayed.digest).toBe(live.digest);
    expect(replayed.blobs).toEqual(live.blobs);
    expect(Object.keys(replayed.blobs)).toContain(sha256(bigLayer));
  });

  // Replays the cassette the first test recorded.
  it('skopeo copies the same bytes from the skopeo cassette with the registry stopped', async () => {
    await reg.stop();
    const path = join(dir, 'skopeo.json');
    await skopeoThrough({ path, mode: 'replay' }, user, 'any-password', join(dir, 'replayed'));
    expect(await layoutBlobs(join(dir, 'replayed'))).toEqual(
      await layoutBlobs(join(dir, 'live-1')),
    );
  });
});
