// Record a session against the simulator (token auth, a large blob), replay it offline with the
// same results, and prove no secret reached the cassette file.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CassetteInvalidError, CassetteMissError } from '@llmdevops/docker-hub-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCassette, createSimulator, dispatcherUpstream, findSecrets } from '../src/index.js';
import { ACCEPT_ALL, type Client, makeClient, pushBlob, pushImage, sha256 } from './helpers.js';

const PASSWORD = 'cassette-password-8f2k';

async function session(c: Client) {
  const basic = `Basic ${Buffer.from(`rec:${PASSWORD}`).toString('base64')}`;
  const tokenRes = await c.call(
    'GET',
    '/token?service=simulation-registry&scope=repository:rec/app:pull',
    { headers: { authorization: basic } },
  );
  const token = String(tokenRes.json().token);
  const auth = { authorization: `Bearer ${token}` };
  const manifest = await c.call('GET', '/v2/rec/app/manifests/v1', {
    headers: { ...auth, accept: ACCEPT_ALL },
  });
  const tags = await c.call('GET', '/v2/rec/app/tags/list', { headers: auth });
  const big = await c.call('GET', `/v2/rec/app/blobs/${sha256(Buffer.alloc(200_000, 9))}`, {
    headers: auth,
  });
  const retry1 = await c.call('GET', '/v2/rec/app/manifests/missing', {
    headers: { ...auth, accept: ACCEPT_ALL },
  });
  return {
    token,
    manifest: manifest.body.toString(),
    digest: manifest.headers['docker-content-digest'],
    tags: tags.json(),
    big: sha256(big.body),
    missing: retry1.status,
  };
}

describe('cassettes', () => {
  let dir: string;
  let sim: ReturnType<typeof createSimulator>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sim-cassette-'));
    sim = createSimulator({ auth: 'token', users: [{ name: 'rec', password: PASSWORD }] });
    const open = createSimulator();
    const seed = makeClient('http://seed.test', open.dispatcher);
    await pushImage(seed, 'rec/app', 'v1', 'rec');
    await pushBlob(seed, 'rec/app', Buffer.alloc(200_000, 9));
    // Copy the seeded state into the auth-enabled simulator by sharing its store and metadata.
    sim = createSimulator({
      auth: 'token',
      users: [{ name: 'rec', password: PASSWORD }],
      storage: open.store.blobs,
    });
    await sim.store.ready();
    sim.store.state.restore(open.store.state.toJSON());
  });
  afterAll(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('records, redacts and replays offline with the same results', async () => {
    const path = join(dir, 'session.json');
    const recorder = createCassette({ path, mode: 'record', upstream: sim.fetch });
    const live = await session(makeClient('http://registry.test', recorder.dispatcher));
    await recorder.save();
    expect(live.missing).toBe(404);

    const text = await readFile(path, 'utf8');
    expect(
      findSecrets(text, [PASSWORD, live.token, Buffer.from(`rec:${PASSWORD}`).toString('base64')]),
    ).toEqual([]);
    expect(text).toContain('[REDACTED]');
    expect(await readdir(join(dir, 'session.json.blobs', 'sha256'))).toEqual([
      sha256(Buffer.alloc(200_000, 9)).slice(7),
    ]);

    const player = createCassette({ path, mode: 'replay' });
    const replayed = await session(makeClient('http://registry.test', player.dispatcher));
    expect({ ...replayed, token: '' }).toEqual({ ...live, token: '' });
    expect(replayed.token).toBe('[REDACTED]');
  });

  it('fails an unmatched request with CassetteMissError naming the closest recording', async () => {
    const path = join(dir, 'session.json');
    const player = createCassette({ path, mode: 'replay' });
    const err = await player
      .fetch(
        new Request('http://registry.test/v2/rec/app/manifests/v2', {
          headers: { accept: ACCEPT_ALL },
        }),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CassetteMissError);
    expect((err as CassetteMissError).closest).toBe('GET /v2/rec/app/manifests/v1 #0');
    expect((err as CassetteMissError).message).toContain(`in cassette ${path}`);
  });

  it('update mode records only what is missing and drops unused entries; passthrough records nothing', async () => {
    const path = join(dir, 'update.json');
    const first = createCassette({ path, mode: 'record', upstream: sim.fetch });
    await first.fetch(new Request('http://r.test/v2/'));
    await first.fetch(new Request('http://r.test/token?service=simulation-registry'));
    await first.save();
    let upstreamCalls = 0;
    const counting = (r: Request) => {
      upstreamCalls += 1;
      return sim.fetch(r);
    };
    const update = createCassette({ path, mode: 'update', upstream: counting });
    expect((await update.fetch(new Request('http://r.test/v2/'))).status).toBe(401);
    expect(upstreamCalls).toBe(0);
    expect((await update.fetch(new Request('http://r.test/v2/_catalog'))).status).toBe(401);
    expect(upstreamCalls).toBe(1);
    await update.save();
    const saved = JSON.parse(await readFile(path, 'utf8')) as {
      entries: { request: { url: string } }[];
    };
    expect(saved.entries.map((e) => e.request.url)).toEqual(['/v2/', '/v2/_catalog']);
    const pass = createCassette({
      path: join(dir, 'pass.json'),
      mode: 'passthrough',
      upstream: sim.fetch,
    });
    expect((await pass.fetch(new Request('http://r.test/v2/'))).status).toBe(401);
    await pass.save();
    await expect(readFile(join(dir, 'pass.json'))).rejects.toThrow();
  });

  it('replays repeated identical requests in recorded order (failed answers kept with recordFailedRequests)', async () => {
    const flaky = createSimulator({
      faults: [{ match: { path: '/v2/', attempt: 1 }, status: 503 }],
    });
    const path = join(dir, 'order.json');
    const rec = createCassette({
      path,
      mode: 'record',
      upstream: flaky.fetch,
      recordFailedRequests: true,
    });
    expect((await rec.fetch(new Request('http://o.test/v2/'))).status).toBe(503);
    expect((await rec.fetch(new Request('http://o.test/v2/'))).status).toBe(200);
    await rec.save();
    const play = createCassette({ path, mode: 'replay' });
    expect((await play.fetch(new Request('http://o.test/v2/'))).status).toBe(503);
    expect((await play.fetch(new Request('http://o.test/v2/'))).status).toBe(200);
  });

  it('rejects malformed cassettes with CassetteInvalidError', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(path, '{"schemaVersion": 2, "entries": []}');
    const play = createCassette({ path, mode: 'replay' });
    await expect(play.fetch(new Request('http://x.test/v2/'))).rejects.toBeInstanceOf(
      CassetteInvalidError,
    );
    await writeFile(path, 'not json');
    await expect(
      createCassette({ path, mode: 'replay' }).fetch(new Request('http://x.test/v2/')),
    ).rejects.toThrow(/not valid JSON/);
  });

  it('records real traffic through dispatcherUpstream over loopback', async () => {
    const open = createSimulator();
    const server = await open.listen();
    const path = join(dir, 'loopback.json');
    const rec = createCassette({
      path,
      mode: 'record',
      upstream: dispatcherUpstream((await import('undici')).getGlobalDispatcher()),
    });
    const c = makeClient(server.url, rec.dispatcher);
    const img = await pushImage(c, 'loop/back', 'v1');
    await rec.save();
    await open.close();
    const play = createCassette({ path, mode: 'replay' });
    const offline = makeClient(server.url, play.dispatcher);
    const again = await pushImage(offline, 'loop/back', 'v1');
    expect(again.digest).toBe(img.digest);
    const miss = await offline
      .call('GET', '/v2/loop/back/manifests/v2', { headers: { accept: ACCEPT_ALL } })
      .catch((e: unknown) => e);
    expect(miss).toBeInstanceOf(CassetteMissError);
  });
});
