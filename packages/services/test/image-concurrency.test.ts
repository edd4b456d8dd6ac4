// Pull, push and copy move as many blobs at once as configured, no more and no fewer: with more
// blobs than the limit, the most blob transfers the server side sees in flight at once (blob GETs
// for downloads, upload PATCH/PUTs for uploads) equals upload.maxConcurrentDownloads (pull) or
// upload.maxConcurrentUploads (push, copy), or the call's own `concurrency`. The dispatcher in
// front of the simulator holds each transfer until the limit is reached (or 300 ms pass), so a
// fast server cannot hide a client that runs fewer, and one that runs more shows it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulator, type Simulator } from '@llmdevops/docker-hub-simulation';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DockerHubClient, type DockerHubConfigInput } from '../src/index.js';
import { CountingDispatcher } from './counting-dispatcher.js';
import { seedGraph, wide, writeGraphLayout } from './graph-fixture.js';

const SRC = '127.0.0.1:1';
const DST = '127.0.0.2:1';
// 6 images of a config and 2 layers each: 18 distinct blobs, more than any limit below.
const graph = wide(6, 2, 4096);
const BLOBS = graph.blobs.length;
let sim: Simulator;
let work: string;
const clients: DockerHubClient[] = [];

beforeAll(async () => {
  sim = createSimulator({ auth: 'none', profile: 'oci' });
  work = mkdtempSync(join(tmpdir(), 'svc-concurrency-'));
  writeGraphLayout(join(work, 'layout'), graph, 'v1');
  const seeder = new DockerHubClient({ dispatcher: sim.dispatcher }, { env: { DOCKER_CONFIG: work } });
  await seedGraph(seeder, `${SRC}/conc/src`, graph, 'v1');
  await seeder.close();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await sim.close();
  rmSync(work, { recursive: true, force: true });
});

/** A client configured with `upload`, behind a dispatcher holding blob transfers until `gate` run. */
function client(upload: NonNullable<DockerHubConfigInput['upload']>, gate: number): { client: DockerHubClient; seen: CountingDispatcher } {
  const seen = new CountingDispatcher(sim.dispatcher, { gate });
  const c = new DockerHubClient({ dispatcher: seen, upload }, { env: { DOCKER_CONFIG: work } });
  clients.push(c);
  return { client: c, seen };
}

describe('blob transfers in flight', () => {
  it('pull downloads upload.maxConcurrentDownloads blobs at once', async () => {
    const { client: c, seen } = client({ maxConcurrentDownloads: 3 }, 3);
    const result = await c.images.pull(`${SRC}/conc/src:v1`, join(work, 'pulled'), { allPlatforms: true });
    expect(result.blobsTransferred).toBe(BLOBS);
    expect(seen.count(/^GET .*\/blobs\/sha256:/)).toBe(BLOBS);
    expect(seen.max.download).toBe(3);
  });

  it('pull takes its own concurrency over the configured one', async () => {
    const { client: c, seen } = client({ maxConcurrentDownloads: 3 }, 5);
    await c.images.pull(`${SRC}/conc/src:v1`, join(work, 'pulled-5'), { allPlatforms: true, concurrency: 5 });
    expect(seen.max.download).toBe(5);
  });

  it('push uploads upload.maxConcurrentUploads blobs at once', async () => {
    const { client: c, seen } = client({ maxConcurrentUploads: 4 }, 4);
    const result = await c.images.push(join(work, 'layout'), `${SRC}/conc/pushed:v1`);
    expect(result.blobsTransferred).toBe(BLOBS);
    expect(seen.max.upload).toBe(4);
  });

  it('push takes its own concurrency over the configured one', async () => {
    const { client: c, seen } = client({ maxConcurrentUploads: 4 }, 2);
    const result = await c.images.push(join(work, 'layout'), `${SRC}/conc/pushed-2:v1`, { concurrency: 2 });
    expect(result.blobsTransferred).toBe(BLOBS);
    expect(seen.max.upload).toBe(2);
  });

  it('copy to another registry streams upload.maxConcurrentUploads blobs at once, both ways', async () => {
    const { client: c, seen } = client({ maxConcurrentUploads: 4, maxConcurrentDownloads: 9 }, 4);
    const result = await c.images.copy(`${SRC}/conc/src:v1`, `${DST}/conc/copied:v1`, { allPlatforms: true });
    expect(result.blobsTransferred).toBe(BLOBS);
    expect(seen.max.download).toBe(4);
    expect(seen.max.upload).toBe(4);
  });
});
