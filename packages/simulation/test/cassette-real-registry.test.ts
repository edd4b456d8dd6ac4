// A pull from the real registry (CNCF distribution, token auth) recorded through a cassette,
// re-recorded to the same bytes, then replayed on another address with the registry stopped.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealRegistry, type RealRegistry } from '../../../tooling/registry/real-registry.js';
import {
  createCassette,
  dispatcherUpstream,
  findSecrets,
  type CassetteOptions,
} from '../src/index.js';
import { ACCEPT_ALL, makeClient, pushBlob, pushImage, sha256, type Client } from './helpers.js';

const REPO = 'team/app';

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
});
