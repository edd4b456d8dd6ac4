// Repository copies between two real distribution registries (token auth): whole-image copy by
// default, a rewritten index for chosen platforms, every tag with filters, unchanged tags skipped
// by HEAD alone, shared blobs moved once, dry runs that write nothing, a target without push
// rights; skopeo reads what was written.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealRegistry, type RealRegistry } from '../../../tooling/registry/real-registry.js';
import { NotFoundError, ValidationError } from '@llmdevops/docker-hub-core';
import { DockerHubClient, type CopyRepositoryEvent } from '../src/index.js';
import { CountingDispatcher } from './counting-dispatcher.js';
import { dockerConfigDir } from './helpers.js';
import { seedRepository, type SeededRepository } from './repo-fixture.js';

const run = promisify(execFile);
const sha = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const TAGS = ['1.0.0', '1.1.0', 'v1.2.0', '1.3.0-rc.1', '2.0.0', 'latest', 'edge'];

let a: RealRegistry;
let b: RealRegistry;
let counting: CountingDispatcher;
let client: DockerHubClient;
let config: { dir: string; remove(): void };
let seeded: SeededRepository;
let SRC: string;
/** The tags in the order the registry lists them (distribution 2.8 does not sort them). */
let listed: string[];

function user(reg: RealRegistry, name: 'writer' | 'reader'): { name: string; password: string } {
  const u = reg.users.find((x) => (name === 'reader' ? x.name === 'reader' : x.name !== 'reader'));
  return { name: u?.name ?? '', password: u?.password ?? '' };
}

/** A DOCKER_CONFIG with credentials for both registries (as `role` on b). */
function configFor(role: 'writer' | 'reader'): { dir: string; remove(): void } {
  const wa = user(a, 'writer');
  const ub = user(b, role);
  const cfg = dockerConfigDir(a.host, wa.name, wa.password);
  const auth = (u: { name: string; password: string }): string => Buffer.from(`${u.name}:${u.password}`).toString('base64');
  writeFileSync(join(cfg.dir, 'config.json'), JSON.stringify({ auths: { [a.host]: { auth: auth(wa) }, [b.host]: { auth: auth(ub) } } }));
  return cfg;
}

async function skopeoRaw(ref: string): Promise<Buffer> {
  const u = user(b, 'writer');
  const { stdout } = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', '--creds', `${u.name}:${u.password}`, `docker://${ref}`], {
    encoding: 'buffer',
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

beforeAll(async () => {
  [a, b] = await Promise.all([startRealRegistry({ auth: 'token' }), startRealRegistry({ auth: 'token' })]);
  config = configFor('writer');
  counting = new CountingDispatcher(new Agent());
  client = new DockerHubClient({ dispatcher: counting, resilience: { maxRetries: 0 } }, { env: { DOCKER_CONFIG: config.dir } });
  SRC = `${a.host}/src/app`;
  seeded = await seedRepository(client, SRC, TAGS);
  listed = await client.tags.list(SRC);
}, 120_000);

afterAll(async () => {
  await client.close();
  await Promise.all([a.stop(), b.stop()]);
  config.remove();
});

describe('images.copy platform choice', () => {
  it('copies the whole image by default (same digest); several platforms give a rewritten index skopeo reads', async () => {
    const three = await seedRepository(client, `${a.host}/src/three`, ['v1'], ['amd64', 'arm64', 's390x'], 1024);
    const top = three.tags[0];
    const whole = await client.images.copy(`${a.host}/src/three:v1`, `${b.host}/dst/three:whole`);
    expect(whole.digest).toBe(top?.digest);
    expect(whole.indexRewritten).toBeUndefined();
    expect(sha(await skopeoRaw(`${b.host}/dst/three:whole`))).toBe(top?.digest);

    const two = await client.images.copy(`${a.host}/src/three:v1`, `${b.host}/dst/three:two`, { platforms: ['linux/amd64', 'linux/s390x'] });
    expect(two.indexRewritten).toBe(true);
    expect(two.digest).not.toBe(top?.digest);
    const raw = await skopeoRaw(`${b.host}/dst/three:two`);
    expect(sha(raw)).toBe(two.digest);
    const index = JSON.parse(raw.toString('utf8')) as { manifests: { digest: string; platform: { architecture: string } }[] };
    expect(index.manifests.map((m) => m.platform.architecture)).toEqual(['amd64', 's390x']);
    expect(index.manifests.map((m) => m.digest)).toEqual([top?.images['amd64'], top?.images['s390x']]);

    // Naming every platform leaves the index as it was: same bytes, same digest, not rewritten.
    const every = await client.images.copy(`${a.host}/src/three:v1`, `${b.host}/dst/three:every`, { platforms: ['linux/s390x', 'linux/amd64', 'linux/arm64'] });
    expect(every.digest).toBe(top?.digest);
    expect(every.indexRewritten).toBeUndefined();

    const one = await client.images.copy(`${a.host}/src/three:v1`, `${b.host}/dst/three:one`, { platforms: ['linux/arm64'] });
    expect(one.digest).toBe(top?.images['arm64']);
    expect(one.indexRewritten).toBeUndefined();
  });
});

describe('images.copyRepository between real registries', () => {
  it('dry run plans every tag with blobs and sizes and writes nothing', async () => {
    counting.seen.length = 0;
    const result = await client.images.copyRepository(SRC, `${b.host}/mirror/app`, { dryRun: true });
    expect(result.dryRun).toBe(true);
    expect(result.planned).toBe(TAGS.length);
    expect(result.tags.map((t) => t.tag)).toEqual(listed);
    expect([...listed].sort()).toEqual([...TAGS].sort());
    const planned = result.tags.flatMap((t) => t.blobs ?? []).map((x) => x.digest);
    // Each blob the destination lacks is listed once in the run, under the first tag needing it.
    expect(new Set(planned).size).toBe(planned.length);
    expect([...planned].sort()).toEqual([...seeded.blobs].sort());
    // Top index + 2 images per tag.
    expect(result.manifestGets).toBe(TAGS.length * 3);
    expect(counting.count(/^(PUT|POST|PATCH|DELETE) /)).toBe(0);
    await expect(client.tags.list(`${b.host}/mirror/app`)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('copies every tag, each shared blob once, digests equal; a re-run only HEADs', async () => {
    counting.seen.length = 0;
    const events: CopyRepositoryEvent[] = [];
    const result = await client.images.copyRepository(SRC, `${b.host}/mirror/app`, { onEvent: (e) => events.push(e) });
    expect(result).toMatchObject({ copied: TAGS.length, unchanged: 0, failed: 0, notStarted: [] });
    for (const t of seeded.tags) {
      expect(result.tags.find((r) => r.tag === t.tag)).toMatchObject({ state: 'copied', digest: t.digest, sourceDigest: t.digest });
      expect(sha(await skopeoRaw(`${b.host}/mirror/app:${t.tag}`))).toBe(t.digest);
    }
    // Every distinct blob was uploaded once (one upload session each), shared base layers included.
    expect(counting.count(/^POST \/v2\/mirror\/app\/blobs\/uploads\//)).toBe(seeded.blobs.length);
    expect(counting.count(/^GET \/v2\/src\/app\/blobs\//)).toBe(seeded.blobs.length);
    expect(result.blobsTransferred).toBe(seeded.blobs.length);
    expect(events[0]).toEqual({ type: 'tags', tags: listed });
    expect(events.filter((e) => e.type === 'tag')).toHaveLength(TAGS.length);

    counting.seen.length = 0;
    const again = await client.images.copyRepository(SRC, `${b.host}/mirror/app`);
    expect(again).toMatchObject({ copied: 0, unchanged: TAGS.length, failed: 0, manifestGets: 0 });
    const calls = counting.seen.filter((s) => !s.startsWith('GET /token') && !s.startsWith('POST /token'));
    // One tag list, then one HEAD per tag per side: nothing else.
    expect(calls.filter((s) => s.startsWith('GET /v2/src/app/tags/list'))).toHaveLength(1);
    expect(calls.filter((s) => s.startsWith('HEAD /v2/src/app/manifests/'))).toHaveLength(TAGS.length);
    expect(calls.filter((s) => s.startsWith('HEAD /v2/mirror/app/manifests/'))).toHaveLength(TAGS.length);
    expect(calls.length).toBe(1 + 2 * TAGS.length + calls.filter((s) => s === 'GET /v2/').length);
  });

  it('filters: include/exclude (full match), semver with v prefix and pre-releases, last N', async () => {
    const dst = `${b.host}/mirror/filtered`;
    const semver = await client.images.copyRepository(SRC, dst, { tags: { semver: '>=1.1 <2' } });
    expect(semver.tags.map((t) => t.tag).sort()).toEqual(['1.1.0', 'v1.2.0']);
    const pre = await client.images.copyRepository(SRC, dst, { tags: { semver: '>=1.3.0-rc.0 <2' }, dryRun: true });
    expect(pre.tags.map((t) => t.tag)).toEqual(['1.3.0-rc.1']);
    const regex = await client.images.copyRepository(SRC, dst, { tags: { include: ['1\\..*', 'edge'], exclude: '.*-rc.*' } });
    // 1.1.0 is already there: unchanged, no GET.
    expect(Object.fromEntries(regex.tags.map((t) => [t.tag, t.state]))).toEqual({ '1.0.0': 'copied', '1.1.0': 'unchanged', edge: 'copied' });
    expect(regex.tags.find((t) => t.tag === '1.1.0')?.manifestGets).toBe(0);
    // The base layers were already at the destination (from 1.1.0): HEAD found them, only each tag's own blobs moved.
    expect(regex.tags.find((t) => t.tag === '1.0.0')).toMatchObject({ blobsTransferred: 4, blobsSkipped: 2 });
    const last = await client.images.copyRepository(SRC, dst, { tags: { last: 2 }, dryRun: true });
    // Without Hub times, the last two in the order the registry lists them.
    expect(last.tags.map((t) => t.tag)).toEqual(listed.slice(-2));
    expect((await client.tags.list(dst)).sort()).toEqual(['1.0.0', '1.1.0', 'edge', 'v1.2.0']);
  });

  it('bad input fails before any request: invalid regex, semver range, jobs', async () => {
    counting.seen.length = 0;
    await expect(client.images.copyRepository(SRC, `${b.host}/x/y`, { tags: { include: '([' } })).rejects.toMatchObject({ name: 'ValidationError', input: '([' });
    await expect(client.images.copyRepository(SRC, `${b.host}/x/y`, { tags: { semver: 'not a range' } })).rejects.toBeInstanceOf(ValidationError);
    await expect(client.images.copyRepository(SRC, `${b.host}/x/y`, { jobs: 0 })).rejects.toBeInstanceOf(ValidationError);
    expect(counting.seen).toEqual([]);
  });

  it('a target without push rights: every tag fails with a clear reason (keep-going), or the first failure stops new tags', async () => {
    const readerConfig = configFor('reader');
    const reader = new DockerHubClient({ resilience: { maxRetries: 0 } }, { env: { DOCKER_CONFIG: readerConfig.dir } });
    try {
      const all = await reader.images.copyRepository(SRC, `${b.host}/locked/app`, { keepGoing: true });
      expect(all).toMatchObject({ copied: 0, failed: TAGS.length, notStarted: [] });
      for (const t of all.tags) expect(t.message).toMatch(/^(UNAUTHORIZED|DENIED): /);
      const first = await reader.images.copyRepository(SRC, `${b.host}/locked/app`, { jobs: 1 });
      expect(first).toMatchObject({ failed: 1, copied: 0 });
      expect(first.notStarted).toEqual(listed.slice(1));
      await expect(client.tags.list(`${b.host}/locked/app`)).rejects.toBeInstanceOf(NotFoundError);
    } finally {
      await reader.close();
      readerConfig.remove();
    }
  });
});
