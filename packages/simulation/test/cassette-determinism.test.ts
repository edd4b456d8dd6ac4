// Cassettes as files to commit: the same session writes the same bytes, replays anywhere, and
// every option and misuse behaves as documented.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CassetteInvalidError, CassetteMissError, ConfigError } from '@llmdevops/docker-hub-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCassette,
  createSimulator,
  type CassetteEntry,
  type CassetteOptions,
  type FetchHandler,
} from '../src/index.js';
import { ACCEPT_ALL, makeClient, pushBlob, pushImage } from './helpers.js';

const PASSWORD = 'determinism-pw-93jd';
const BLOBS = [1, 2, 3, 4, 5].map((n) => Buffer.alloc(100 + n, n));

interface SavedFile {
  salt: string;
  entries: CassetteEntry[];
}

async function readJson(path: string): Promise<SavedFile> {
  return JSON.parse(await readFile(path, 'utf8')) as SavedFile;
}

/** An upstream answering with a fresh `Date` header, as real registries do. */
function withDate(upstream: FetchHandler): FetchHandler {
  return async (request) => {
    const res = await upstream(request);
    const headers = new Headers(res.headers);
    headers.set('date', new Date().toUTCString());
    return new Response(res.body, { status: res.status, headers });
  };
}

/** A fixed answer per path, counting calls. */
function scripted(answer: (request: Request, call: number) => Response): FetchHandler & {
  calls: number;
} {
  const handler = Object.assign(
    (request: Request): Promise<Response> => {
      handler.calls += 1;
      return Promise.resolve(answer(request, handler.calls));
    },
    { calls: 0 },
  );
  return handler;
}

describe('deterministic cassettes', () => {
  let dir: string;
  let sim: ReturnType<typeof createSimulator>;
  const digests: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sim-cassette-det-'));
    sim = createSimulator({ auth: 'token', users: [{ name: 'det', password: PASSWORD }] });
    const open = createSimulator();
    const seed = makeClient('http://seed.test', open.dispatcher);
    await pushImage(seed, 'det/app', 'v1', 'det');
    for (const b of BLOBS) digests.push(await pushBlob(seed, 'det/app', b));
    sim = createSimulator({
      auth: 'token',
      users: [{ name: 'det', password: PASSWORD }],
      storage: open.store.blobs,
    });
    await sim.store.ready();
    sim.store.state.restore(open.store.state.toJSON());
  });
  afterAll(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A pull: challenge, token, manifest, tags, then the blobs in parallel in the given order. */
  async function pull(options: CassetteOptions, base: string, order: readonly number[]) {
    const cassette = createCassette(options);
    const c = makeClient(base, cassette.dispatcher);
    const ping = await c.call('GET', '/v2/');
    const realm = /realm="([^"]+)"/.exec(ping.headers['www-authenticate'] ?? '')?.[1] ?? '';
    const basic = `Basic ${Buffer.from(`det:${PASSWORD}`).toString('base64')}`;
    const token = await c.call(
      'GET',
      `${realm}?service=simulation-registry&scope=repository:det/app:pull`,
      {
        headers: { authorization: basic },
      },
    );
    const auth = { authorization: `Bearer ${String(token.json().token)}` };
    const manifest = await c.call('GET', '/v2/det/app/manifests/v1', {
      headers: { ...auth, accept: ACCEPT_ALL },
    });
    await c.call('GET', '/v2/det/app/tags/list', { headers: auth });
    const blobs = await Promise.all(
      order.map((i) => c.call('GET', `/v2/det/app/blobs/${digests[i] ?? ''}`, { headers: auth })),
    );
    await cassette.save();
    return { ping, token, manifest, blobs };
  }

  it('re-recording the same session writes byte-identical files, whatever the arrival order', async () => {
    const a = join(dir, 'a.json');
    const upstream = withDate(sim.fetch);
    await pull({ path: a, mode: 'record', upstream }, 'http://127.0.0.1:5000', [0, 1, 2, 3, 4]);
    const first = await readFile(a);
    // The same file again: its salt is kept.
    await pull({ path: a, mode: 'record', upstream }, 'http://127.0.0.1:5000', [4, 2, 0, 3, 1]);
    expect((await readFile(a)).equals(first)).toBe(true);
    // Another file with the same salt and another arrival order.
    const b = join(dir, 'b.json');
    const salt = (await readJson(a)).salt;
    await pull(
      { path: b, mode: 'record', upstream, salt },
      'http://127.0.0.1:5000',
      [3, 1, 4, 0, 2],
    );
    expect((await readFile(b)).equals(first)).toBe(true);
  });

  it('writes entries sorted by request with ids derived from request and repetition, no Date, no wall clock', async () => {
    const path = join(dir, 'sorted.json');
    await pull(
      { path, mode: 'record', upstream: withDate(sim.fetch) },
      'http://r.test',
      [2, 0, 1, 4, 3],
    );
    const { entries } = await readJson(path);
    const keys = entries.map((e) => JSON.stringify([e.request.method, e.request.url]));
    expect(keys).toEqual([...keys].sort());
    for (const e of entries) {
      expect(e.id).toMatch(/^[a-f0-9]{16}$/);
      expect(e.response.headers['date']).toBeUndefined();
      expect(e.recordedAt).toBeUndefined();
      expect(e.request.url.startsWith('/')).toBe(true);
    }
    const tokenEntry = entries.find((e) => e.request.url.startsWith('/token'));
    const body = tokenEntry?.response.body;
    expect(body !== undefined && 'data' in body ? JSON.parse(body.data) : {}).toMatchObject({
      token: '[REDACTED]',
    });
    expect(JSON.stringify(entries)).not.toContain('issued_at');
  });

  it('replays on another address and port, with the recorded origins rewritten to the replaying one', async () => {
    const path = join(dir, 'moved.json');
    const recorded = await pull(
      { path, mode: 'record', upstream: sim.fetch },
      'http://127.0.0.1:5000',
      [0, 1, 2, 3, 4],
    );
    const replayed = await pull(
      { path, mode: 'replay' },
      'http://localhost:61234',
      [4, 3, 2, 1, 0],
    );
    expect(replayed.ping.headers['www-authenticate']).toContain(
      'realm="http://localhost:61234/token"',
    );
    expect(replayed.manifest.body.equals(recorded.manifest.body)).toBe(true);
    expect(replayed.blobs.map((b) => b.body.length)).toEqual([105, 104, 103, 102, 101]);
    expect(await readFile(path, 'utf8')).not.toContain('127.0.0.1:5000');
  });

  it('replays a request whose query carries a token, with any token value', async () => {
    const path = join(dir, 'query-token.json');
    const up = scripted(() => new Response('{"tags":["v1"]}', { status: 200 }));
    const rec = createCassette({ path, mode: 'record', upstream: up });
    await rec.fetch(new Request('http://h/v2/x/tags/list?n=1&token=first-secret'));
    await rec.save();
    expect(await readFile(path, 'utf8')).not.toContain('first-secret');
    const update = createCassette({ path, mode: 'update', upstream: up });
    const res = await update.fetch(new Request('http://other:1/v2/x/tags/list?token=second&n=1'));
    expect(await res.text()).toBe('{"tags":["v1"]}');
    expect(up.calls).toBe(1);
  });

  it('treats a repetition beyond the recorded ones as a miss unless allowRepeats', async () => {
    const path = join(dir, 'repeat.json');
    const rec = createCassette({
      path,
      mode: 'record',
      upstream: scripted(() => new Response('one')),
    });
    await rec.fetch(new Request('http://h/v2/'));
    await rec.save();
    const strict = createCassette({ path, mode: 'replay' });
    expect(await (await strict.fetch(new Request('http://h/v2/'))).text()).toBe('one');
    const err = await strict.fetch(new Request('http://h/v2/')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CassetteMissError);
    expect((err as Error).message).toContain('repetition 2, recorded 1');
    const loose = createCassette({ path, mode: 'replay', allowRepeats: true });
    await loose.fetch(new Request('http://h/v2/'));
    expect(await (await loose.fetch(new Request('http://h/v2/'))).text()).toBe('one');
  });

  it('does not record 5xx and 429 answers unless recordFailedRequests', async () => {
    const answer = (_r: Request, call: number) =>
      new Response(call === 1 ? 'busy' : 'ok', { status: call === 1 ? 503 : 200 });
    const path = join(dir, 'failed.json');
    const rec = createCassette({ path, mode: 'record', upstream: scripted(answer) });
    expect((await rec.fetch(new Request('http://h/v2/'))).status).toBe(503);
    expect((await rec.fetch(new Request('http://h/v2/'))).status).toBe(200);
    await rec.save();
    const { entries } = await readJson(path);
    expect(entries.map((e) => [e.response.status, e.order])).toEqual([[200, 0]]);
    const kept = join(dir, 'failed-kept.json');
    const all = createCassette({
      path: kept,
      mode: 'record',
      upstream: scripted(answer),
      recordFailedRequests: true,
    });
    await all.fetch(new Request('http://h/v2/'));
    await all.fetch(new Request('http://h/v2/'));
    await all.save();
    expect((await readJson(kept)).entries.map((e) => [e.response.status, e.order])).toEqual([
      [503, 0],
      [200, 1],
    ]);
  });

  it('records only what is missing with recordIfMissing in replay mode, starting from no file', async () => {
    const path = join(dir, 'if-missing.json');
    const up = scripted((r) => new Response(new URL(r.url).pathname));
    const first = createCassette({ path, mode: 'replay', recordIfMissing: true, upstream: up });
    await first.fetch(new Request('http://h/a'));
    await first.save();
    const second = createCassette({ path, mode: 'replay', recordIfMissing: true, upstream: up });
    await second.fetch(new Request('http://h/a'));
    await second.fetch(new Request('http://h/b'));
    await second.save();
    expect(up.calls).toBe(2);
    expect((await readJson(path)).entries.map((e) => e.request.url)).toEqual(['/a', '/b']);
  });

  it('matchRequestsBy ignores the listed query fields, compares only the listed headers, and can ignore the body', async () => {
    const path = join(dir, 'match.json');
    const up = scripted(() => new Response('ok'));
    const matchRequestsBy = { ignoreQuery: ['account'], headers: ['accept'], body: false };
    const rec = createCassette({ path, mode: 'record', upstream: up, matchRequestsBy });
    await rec.fetch(
      new Request('http://h/token?account=alice&scope=s', {
        method: 'POST',
        body: 'a=1',
        headers: { accept: 'x', 'content-type': 'text/plain' },
      }),
    );
    await rec.save();
    expect(await readFile(path, 'utf8')).not.toContain('alice');
    const play = createCassette({ path, mode: 'replay', matchRequestsBy });
    const res = await play.fetch(
      new Request('http://h/token?scope=s&account=bob', {
        method: 'POST',
        body: 'b=2',
        headers: { accept: 'x', 'content-type': 'text/other' },
      }),
    );
    expect(await res.text()).toBe('ok');
    const strict = createCassette({
      path,
      mode: 'replay',
      matchRequestsBy: { ignoreQuery: ['account'] },
    });
    await expect(
      strict.fetch(new Request('http://h/token?scope=s', { method: 'POST', body: 'b=2' })),
    ).rejects.toBeInstanceOf(CassetteMissError);
  });

  it('hands every entry to beforePersist and refuses an invalid result', async () => {
    const up = scripted(() => new Response('ok', { headers: { 'x-request-id': 'r-1' } }));
    const path = join(dir, 'hook.json');
    const rec = createCassette({
      path,
      mode: 'record',
      upstream: up,
      beforePersist: (e) => ({
        ...e,
        response: { ...e.response, headers: { ...e.response.headers, 'x-request-id': 'fixed' } },
      }),
    });
    await rec.fetch(new Request('http://h/v2/'));
    await rec.save();
    expect((await readJson(path)).entries[0]?.response.headers['x-request-id']).toBe('fixed');
    const bad = createCassette({
      path: join(dir, 'hook-bad.json'),
      mode: 'record',
      upstream: up,
      beforePersist: (e) => ({ ...e, order: -1 }),
    });
    await bad.fetch(new Request('http://h/v2/'));
    await expect(bad.save()).rejects.toBeInstanceOf(CassetteInvalidError);
    await expect(readFile(join(dir, 'hook-bad.json'))).rejects.toThrow();
  });

  it('stamps recordedAt from an injected clock', async () => {
    const path = join(dir, 'clock.json');
    const rec = createCassette({
      path,
      mode: 'record',
      upstream: scripted(() => new Response('ok')),
      clock: { now: () => Date.UTC(2030, 0, 2) },
    });
    await rec.fetch(new Request('http://h/v2/'));
    await rec.save();
    expect((await readJson(path)).entries[0]?.recordedAt).toBe('2030-01-02T00:00:00.000Z');
  });

  it('writes the cassette and its blob files readable by the owner only', async () => {
    const path = join(dir, 'mode.json');
    const big = Buffer.alloc(70_000, 7);
    const digest = `sha256:${createHash('sha256').update(big).digest('hex')}`;
    const rec = createCassette({
      path,
      mode: 'record',
      upstream: scripted(() => new Response(big)),
    });
    await (await rec.fetch(new Request(`http://h/v2/x/blobs/${digest}`))).arrayBuffer();
    await rec.save();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(`${path}.blobs`, 'sha256', digest.slice(7)))).mode & 0o777).toBe(0o600);
  });

  it('hashes an upload as it streams to the same key in record, replay and update modes', async () => {
    const path = join(dir, 'upload.json');
    const bytes = randomBytes(300_000);
    const upload = () =>
      new Request('http://h/v2/x/blobs/uploads/1?digest=sha256:abc', {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body: bytes,
      });
    const up = scripted(() => new Response(null, { status: 201 }));
    const received: number[] = [];
    const rec = createCassette({
      path,
      mode: 'record',
      upstream: async (r) => {
        received.push((await r.arrayBuffer()).byteLength);
        return up(r);
      },
    });
    expect((await rec.fetch(upload())).status).toBe(201);
    await rec.save();
    expect(received).toEqual([300_000]);
    const [entry] = (await readJson(path)).entries;
    expect(entry?.request.bodySize).toBe(300_000);
    expect((await createCassette({ path, mode: 'replay' }).fetch(upload())).status).toBe(201);
    const update = createCassette({ path, mode: 'update', upstream: up });
    expect((await update.fetch(upload())).status).toBe(201);
    expect(up.calls).toBe(1);
  });

  it('records a JSON answer nested too deep to walk as [REDACTED] instead of crashing', async () => {
    const path = join(dir, 'deep.json');
    const deep = `${'['.repeat(100_000)}"${'s'.repeat(20)}"${']'.repeat(100_000)}`;
    const rec = createCassette({
      path,
      mode: 'record',
      upstream: scripted(() => new Response(deep, { headers: { 'content-type': 'text/plain' } })),
    });
    expect((await (await rec.fetch(new Request('http://h/v2/'))).text()).length).toBe(deep.length);
    await rec.save();
    const body = (await readJson(path)).entries[0]?.response.body;
    expect(body).toEqual({ encoding: 'utf8', data: '"[REDACTED]"' });
  });

  it('refuses to record an answer too large to redact (not a manifest or blob) and writes nothing of it', async () => {
    const path = join(dir, 'huge.json');
    const huge = Buffer.alloc(33 * 1024 * 1024, 0x61);
    const rec = createCassette({
      path,
      mode: 'record',
      upstream: scripted(() => new Response(huge, { headers: { 'content-type': 'text/plain' } })),
    });
    const res = await rec.fetch(new Request('http://h/v2/_catalog'));
    expect((await res.arrayBuffer()).byteLength).toBe(huge.length);
    const err = await rec.save().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CassetteInvalidError);
    expect((err as Error).message).toContain('GET /v2/_catalog');
    await expect(readFile(path)).rejects.toThrow();
    await expect(readdir(`${path}.blobs`)).rejects.toThrow();
  });

  it('fails a replay whose blob file is missing with CassetteInvalidError naming it', async () => {
    const path = join(dir, 'lost-blob.json');
    const big = Buffer.alloc(70_000, 3);
    const digest = `sha256:${createHash('sha256').update(big).digest('hex')}`;
    const rec = createCassette({
      path,
      mode: 'record',
      upstream: scripted(() => new Response(big)),
    });
    await (await rec.fetch(new Request(`http://h/v2/x/blobs/${digest}`))).arrayBuffer();
    await rec.save();
    await rm(`${path}.blobs`, { recursive: true });
    const play = createCassette({ path, mode: 'replay' });
    const err = await play
      .fetch(new Request(`http://h/v2/x/blobs/${digest}`))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CassetteInvalidError);
    expect((err as Error).message).toContain(digest);
  });

  it('hashes request bodies with a per-cassette salt, never the plain SHA-256 of the body', async () => {
    const body = 'grant_type=password&username=u&password=hunter22';
    const plain = createHash('sha256').update(body).digest('hex');
    const hashes: string[] = [];
    for (const name of ['salt-a.json', 'salt-b.json']) {
      const path = join(dir, name);
      const rec = createCassette({
        path,
        mode: 'record',
        upstream: scripted(() => new Response('{}')),
      });
      await rec.fetch(new Request('http://h/oauth/token', { method: 'POST', body }));
      await rec.save();
      const text = await readFile(path, 'utf8');
      expect(text).not.toContain(plain);
      expect(text).not.toContain('hunter22');
      hashes.push((await readJson(path)).entries[0]?.request.bodyHash ?? '');
    }
    expect(hashes[0]).not.toBe(hashes[1]);
  });
});

describe('cassette misuse', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sim-cassette-misuse-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const issuesOf = (make: () => unknown): string[] => {
    try {
      make();
    } catch (err) {
      if (err instanceof ConfigError) return err.issues.map((i) => i.path);
      throw err;
    }
    return [];
  };

  it('rejects bad options at creation with a ConfigError listing each one', () => {
    const path = join(dir, 'x.json');
    expect(issuesOf(() => createCassette({ path, mode: 'record' }))).toEqual(['upstream']);
    expect(issuesOf(() => createCassette({ path, mode: 'update' }))).toEqual(['upstream']);
    expect(issuesOf(() => createCassette({ path, mode: 'replay', recordIfMissing: true }))).toEqual(
      ['upstream'],
    );
    const up = () => Promise.resolve(new Response());
    expect(
      issuesOf(() => createCassette({ path, mode: 'record', upstream: up, recordIfMissing: true })),
    ).toEqual(['recordIfMissing']);
    const wrong = {
      path: '',
      mode: 'rewind',
      upstream: 'http://x',
      salt: 'short',
      inlineLimit: -1,
      clock: {},
      matchRequestsBy: { header: ['accept'], ignoreQuery: 'account' },
      extra: true,
    } as unknown as CassetteOptions;
    expect(issuesOf(() => createCassette(wrong)).sort()).toEqual(
      [
        'clock',
        'extra',
        'inlineLimit',
        'matchRequestsBy.header',
        'matchRequestsBy.ignoreQuery',
        'mode',
        'path',
        'salt',
        'upstream',
      ].sort(),
    );
    expect(issuesOf(() => createCassette(null as unknown as CassetteOptions))).toEqual(['']);
    const shapes = {
      path,
      mode: 'replay',
      recordIfMissing: 'yes',
      upstream: up,
      matchRequestsBy: { body: 'no' },
      redact: ['token'],
    } as unknown as CassetteOptions;
    expect(issuesOf(() => createCassette(shapes)).sort()).toEqual([
      'matchRequestsBy.body',
      'recordIfMissing',
      'redact',
    ]);
  });

  it('names the file when replay mode has no cassette to read', () => {
    const path = join(dir, 'never-recorded.json');
    expect(() => createCassette({ path, mode: 'replay' })).toThrow(CassetteInvalidError);
    expect(() => createCassette({ path, mode: 'replay' })).toThrow(path);
  });

  it('refuses a salt other than the one the file was recorded with', async () => {
    const path = join(dir, 'salted.json');
    const up = () => Promise.resolve(new Response('ok'));
    const rec = createCassette({ path, mode: 'record', upstream: up, salt: 'a'.repeat(16) });
    await rec.fetch(new Request('http://h/v2/'));
    await rec.save();
    const play = createCassette({ path, mode: 'replay', salt: 'b'.repeat(16) });
    await expect(play.fetch(new Request('http://h/v2/'))).rejects.toThrow(/different salt/);
  });

  it('fails with CassetteInvalidError naming the path when the cassette cannot be read', async () => {
    const path = join(dir, 'a-folder.json');
    await mkdir(path);
    const play = createCassette({ path, mode: 'replay' });
    await expect(play.fetch(new Request('http://h/v2/'))).rejects.toThrow(
      `cassette ${path} cannot be read`,
    );
  });

  it('refuses to update a schema version 1 file (its body digests are unsalted)', async () => {
    const path = join(dir, 'v1.json');
    await writeFile(path, JSON.stringify({ schemaVersion: 1, recordedWith: 'x', entries: [] }));
    const up = () => Promise.resolve(new Response());
    const update = createCassette({ path, mode: 'update', upstream: up });
    await expect(update.fetch(new Request('http://h/v2/'))).rejects.toThrow(/schema version 1/);
  });
});
