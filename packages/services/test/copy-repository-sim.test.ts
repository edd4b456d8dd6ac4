// Repository copies on the simulator in its Docker Hub profile (token auth, Hub API, pull rate
// limits): `last` N goes by the Hub's push times (not the registry's name order), a re-run spends
// no pull (HEADs only), and blobs shared by tags are mounted once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulator, type Simulator } from '@llmdevops/docker-hub-simulation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerHubClient } from '../src/index.js';
import { CountingDispatcher } from './counting-dispatcher.js';
import { seedRepository } from './repo-fixture.js';

const SIM = 'http://127.0.0.1:65534';
let now = Date.parse('2026-01-01T00:00:00Z');
let sim: Simulator;
let counting: CountingDispatcher;
let client: DockerHubClient;
const empty = mkdtempSync(join(tmpdir(), 'svc-copy-sim-'));
// Pushed in this order, one hour apart: the newest two are `alpha` and `mid`, the last two by name `mid` and `zeta`.
const PUSH_ORDER = ['zeta', 'alpha', 'mid'];

beforeAll(async () => {
  sim = createSimulator({
    profile: 'dockerhub',
    auth: 'token',
    users: [{ name: 'alice', password: 'alice-pw' }],
    hubUrl: SIM,
    clock: { now: () => now },
    rateLimits: { authenticatedLimit: 1000, windowSeconds: 21_600 },
  });
  counting = new CountingDispatcher(sim.dispatcher);
  client = new DockerHubClient(
    { registryUrl: SIM, hubUrl: SIM, auth: { username: 'alice', password: 'alice-pw' }, dispatcher: counting, resilience: { maxRetries: 0 } },
    { env: { DOCKER_CONFIG: empty } },
  );
  for (const tag of PUSH_ORDER) {
    now += 3_600_000;
    await seedRepository(client, 'alice/app', [tag], ['amd64', 'arm64'], 4096);
  }
});

afterAll(async () => {
  await client.close();
  await sim.close();
  rmSync(empty, { recursive: true, force: true });
});

describe('copyRepository on the simulated Docker Hub', () => {
  it('last N takes the most recently pushed by the Hub API, then a re-run spends no manifest GET', async () => {
    expect(await client.tags.list('alice/app')).toEqual(['alpha', 'mid', 'zeta']);
    counting.seen.length = 0;
    const first = await client.images.copyRepository('alice/app', 'alice/mirror', { tags: { last: 2 } });
    expect(first.tags.map((t) => [t.tag, t.state])).toEqual([['alpha', 'copied'], ['mid', 'copied']]);
    expect(counting.count(/\/v2\/namespaces\/alice\/repositories\/app\/tags/)).toBeGreaterThanOrEqual(1);
    // Within one registry every blob is mounted, none streamed.
    expect(counting.count(/^GET \/v2\/alice\/app\/blobs\//)).toBe(0);
    expect(first.blobsTransferred).toBe(0);

    counting.seen.length = 0;
    const again = await client.images.copyRepository('alice/app', 'alice/mirror', { tags: { last: 2 } });
    expect(again).toMatchObject({ copied: 0, unchanged: 2, manifestGets: 0 });
    expect(counting.count(/^GET \/v2\/alice\/(app|mirror)\/manifests\//)).toBe(0);
    expect(counting.count(/^HEAD \/v2\/alice\/app\/manifests\//)).toBe(2);
  });

  it('referrers: an artifact attached to a tag follows it, and one attached later follows on the next run', async () => {
    const sbom = await client.referrers.attach('alice/app:alpha', { artifactType: 'application/spdx+json', files: [{ title: 'sbom.json', bytes: Buffer.from('{"spdxVersion":"SPDX-2.3"}') }] });
    const first = await client.images.copyRepository('alice/app', 'alice/signed', { tags: { include: 'alpha' }, referrers: true });
    expect(first.tags[0]).toMatchObject({ tag: 'alpha', state: 'copied', referrers: 1 });
    const digest = first.tags[0]?.digest ?? '';
    expect((await client.referrers.list(`alice/signed@${digest}`)).referrers.map((d) => d.digest)).toEqual([sbom.digest]);

    const sig = await client.referrers.attach('alice/app:alpha', { artifactType: 'application/vnd.example.signature', files: [{ title: 'sig', bytes: Buffer.from('signed') }] });
    const again = await client.images.copyRepository('alice/app', 'alice/signed', { tags: { include: 'alpha' }, referrers: true });
    expect(again.tags[0]).toMatchObject({ tag: 'alpha', state: 'unchanged', manifestGets: 0 });
    expect((await client.referrers.list(`alice/signed@${digest}`)).referrers.map((d) => d.digest).sort()).toEqual([sbom.digest, sig.digest].sort());
  });
});
