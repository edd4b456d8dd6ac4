// Pull, push and copy walk an image's manifest graph once per digest, within caps: a diamond of
// indexes listing the same child 50 times costs one GET or PUT per distinct manifest, nesting
// past 8 levels and more manifests than maxManifests fail with LimitExceededError before
// anything is written, and an abort in the middle of the walk stops it. Against the simulator,
// in-process, through a dispatcher that records every request.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LimitExceededError } from '@llmdevops/docker-hub-core';
import { createSimulator, type Simulator } from '@llmdevops/docker-hub-simulation';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DockerHubClient } from '../src/index.js';
import { CountingDispatcher } from './counting-dispatcher.js';
import { listFiles } from './oci-fixture.js';
import { chain, diamond, seedGraph, wide, writeGraphLayout, type Graph } from './graph-fixture.js';

const SRC = '127.0.0.1:1';
const DST = '127.0.0.2:1';
let sim: Simulator;
let work: string;
let seeder: DockerHubClient;
const clients: DockerHubClient[] = [];

beforeAll(() => {
  sim = createSimulator({ auth: 'none', profile: 'oci' });
  work = mkdtempSync(join(tmpdir(), 'svc-graph-'));
  seeder = new DockerHubClient({ dispatcher: sim.dispatcher }, { env: { DOCKER_CONFIG: work } });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await seeder.close();
  await sim.close();
  rmSync(work, { recursive: true, force: true });
});

/** A client whose every request is recorded; the manifest cache is off, so each GET is real. */
function counted(options: ConstructorParameters<typeof CountingDispatcher>[1] = {}): { client: DockerHubClient; seen: CountingDispatcher } {
  const seen = new CountingDispatcher(sim.dispatcher, options);
  const client = new DockerHubClient({ dispatcher: seen, cache: { enabled: false } }, { env: { DOCKER_CONFIG: work } });
  clients.push(client);
  return { client, seen };
}

const manifestRequests = (seen: CountingDispatcher, method: string, repo: string): string[] =>
  seen.seen.filter((s) => s.startsWith(`${method} /v2/${repo}/manifests/`));

/** Each manifest of the graph appears exactly once among the requests. */
function expectOncePerManifest(requests: string[], graph: Graph, topRef: string): void {
  const refs = requests.map((r) => r.slice(r.lastIndexOf('/') + 1));
  const expected = graph.manifests.map((m) => (m === graph.top ? topRef : m.digest));
  expect(refs.sort()).toEqual(expected.sort());
}

describe('a diamond of indexes (each lists the level below 50 times, 3 levels)', () => {
  const graph = diamond(3, 50);

  it('is pulled with one GET per distinct manifest, and each blob once', async () => {
    await seedGraph(seeder, `${SRC}/graph/pull`, graph, 'v1');
    const { client, seen } = counted();
    const dest = join(work, 'diamond-pull');
    const result = await client.images.pull(`${SRC}/graph/pull:v1`, dest, { allPlatforms: true });
    expect(result).toMatchObject({ digest: graph.top.digest, manifests: 4, blobsTransferred: 2 });
    expectOncePerManifest(manifestRequests(seen, 'GET', 'graph/pull'), graph, 'v1');
    expect(seen.count(/^GET \/v2\/graph\/pull\/blobs\//)).toBe(2);
    expect(listFiles(dest).filter((f) => f.startsWith('blobs/'))).toHaveLength(6);
  }, 20_000);

  it('is pushed from a layout with one PUT per distinct manifest', async () => {
    const dir = join(work, 'diamond-layout');
    writeGraphLayout(dir, graph, 'v1');
    const { client, seen } = counted();
    const result = await client.images.push(dir, `${SRC}/graph/push:v1`);
    expect(result).toMatchObject({ digest: graph.top.digest, manifests: 4, blobsTransferred: 2 });
    expectOncePerManifest(manifestRequests(seen, 'PUT', 'graph/push'), graph, 'v1');
  }, 20_000);

  it('is copied to another registry with one GET and one PUT per distinct manifest', async () => {
    await seedGraph(seeder, `${SRC}/graph/copy`, graph, 'v1');
    const { client, seen } = counted();
    const result = await client.images.copy(`${SRC}/graph/copy:v1`, `${DST}/graph/copied:v1`, { allPlatforms: true });
    expect(result).toMatchObject({ digest: graph.top.digest, manifests: 4, blobsTransferred: 2 });
    expectOncePerManifest(manifestRequests(seen, 'GET', 'graph/copy'), graph, 'v1');
    expectOncePerManifest(manifestRequests(seen, 'PUT', 'graph/copied'), graph, 'v1');
  }, 20_000);
});

describe('nesting depth is capped at 8 levels', () => {
  it('pulls, pushes and copies 8 levels', async () => {
    const graph = chain(8);
    await seedGraph(seeder, `${SRC}/graph/deep8`, graph, 'v1');
    const dir = join(work, 'deep8-layout');
    writeGraphLayout(dir, graph, 'v1');
    const { client } = counted();
    await expect(client.images.pull(`${SRC}/graph/deep8:v1`, join(work, 'deep8-pull'), { allPlatforms: true })).resolves.toMatchObject({ manifests: 8 });
    await expect(client.images.push(dir, `${SRC}/graph/deep8-pushed:v1`)).resolves.toMatchObject({ manifests: 8 });
    await expect(client.images.copy(`${SRC}/graph/deep8:v1`, `${DST}/graph/deep8:v1`, { allPlatforms: true })).resolves.toMatchObject({ manifests: 8 });
  });

  it('refuses 9 levels with LimitExceededError (maxDepth) before writing anything', async () => {
    const graph = chain(9);
    await seedGraph(seeder, `${SRC}/graph/deep9`, graph, 'v1');
    const dir = join(work, 'deep9-layout');
    writeGraphLayout(dir, graph, 'v1');
    const { client, seen } = counted();
    const tooDeep = { code: 'LIMIT_EXCEEDED', limit: 'maxDepth', max: 8 };
    const dest = join(work, 'deep9-pull');
    const pull = client.images.pull(`${SRC}/graph/deep9:v1`, dest, { allPlatforms: true });
    await expect(pull).rejects.toBeInstanceOf(LimitExceededError);
    await expect(pull).rejects.toMatchObject(tooDeep);
    expect(listFiles(dest)).toEqual([]);
    await expect(client.images.push(dir, `${SRC}/graph/deep9-pushed:v1`)).rejects.toMatchObject(tooDeep);
    await expect(client.images.copy(`${SRC}/graph/deep9:v1`, `${DST}/graph/deep9:v1`, { allPlatforms: true })).rejects.toMatchObject(tooDeep);
    // Nothing was sent to either destination.
    expect(seen.seen.filter((s) => /^(PUT|POST|PATCH) /.test(s))).toEqual([]);
  });
});

describe('manifests per image are capped by maxManifests', () => {
  const graph = wide(6);

  it('refuses an image with more manifests than maxManifests before loading them', async () => {
    await seedGraph(seeder, `${SRC}/graph/wide`, graph, 'v1');
    const dir = join(work, 'wide-layout');
    writeGraphLayout(dir, graph, 'v1');
    const { client, seen } = counted();
    const over = { code: 'LIMIT_EXCEEDED', limit: 'maxManifests', max: 6 };
    await expect(client.images.pull(`${SRC}/graph/wide:v1`, join(work, 'wide-pull'), { allPlatforms: true, maxManifests: 6 })).rejects.toMatchObject(over);
    await expect(client.images.push(dir, `${SRC}/graph/wide-pushed:v1`, { maxManifests: 6 })).rejects.toMatchObject(over);
    await expect(client.images.copy(`${SRC}/graph/wide:v1`, `${DST}/graph/wide:v1`, { allPlatforms: true, maxManifests: 6 })).rejects.toMatchObject(over);
    // Only the top manifest was read (once by pull, once by copy), none of its 6 children.
    expect(manifestRequests(seen, 'GET', 'graph/wide')).toEqual(['GET /v2/graph/wide/manifests/v1', 'GET /v2/graph/wide/manifests/v1']);
    expect(seen.seen.filter((s) => /^(PUT|POST|PATCH) /.test(s))).toEqual([]);
  });

  it('takes an image of exactly maxManifests manifests, and rejects a cap below 1', async () => {
    const { client } = counted();
    await expect(client.images.pull(`${SRC}/graph/wide:v1`, join(work, 'wide-pull-7'), { allPlatforms: true, maxManifests: 7 })).resolves.toMatchObject({ manifests: 7 });
    await expect(client.images.pull(`${SRC}/graph/wide:v1`, join(work, 'wide-pull-0'), { allPlatforms: true, maxManifests: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('a damaged layout', () => {
  it('refuses to push a layout missing a child manifest, or with one of the wrong size, before sending anything', async () => {
    const graph = wide(2);
    const dir = join(work, 'damaged-layout');
    writeGraphLayout(dir, graph, 'v1');
    const child = graph.manifests[0];
    if (child === undefined) throw new Error('no child');
    const file = join(dir, 'blobs', 'sha256', child.digest.slice('sha256:'.length));
    const { client, seen } = counted();
    writeFileSync(file, Buffer.concat([child.bytes, Buffer.from(' ')]));
    await expect(client.images.push(dir, `${SRC}/graph/damaged:v1`)).rejects.toMatchObject({ code: 'SIZE_MISMATCH' });
    rmSync(file);
    await expect(client.images.push(dir, `${SRC}/graph/damaged:v1`)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', input: child.digest });
    expect(seen.seen.filter((s) => /^(PUT|POST|PATCH) /.test(s))).toEqual([]);
  });
});

describe('an abort during the walk', () => {
  it('stops loading manifests and fails with AbortedError, leaving no files', async () => {
    const graph = wide(40);
    await seedGraph(seeder, `${SRC}/graph/abort`, graph, 'v1');
    const abort = new AbortController();
    let gets = 0;
    const { client, seen } = counted({
      onRequest: (method, path) => {
        if (method === 'GET' && path.includes('/manifests/sha256:') && ++gets === 2) abort.abort(new Error('enough'));
      },
    });
    const dest = join(work, 'abort-pull');
    await expect(client.images.pull(`${SRC}/graph/abort:v1`, dest, { allPlatforms: true, signal: abort.signal })).rejects.toMatchObject({ code: 'ABORTED' });
    // The walk loads 4 children at a time: the ones already started, and no more.
    expect(manifestRequests(seen, 'GET', 'graph/abort').length).toBeLessThanOrEqual(1 + 4);
    expect(seen.count(/\/blobs\//)).toBe(0);
    expect(listFiles(dest)).toEqual([]);
  });
});
