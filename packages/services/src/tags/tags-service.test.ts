import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulator, type Simulator } from '@llmdevops/docker-hub-simulation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerHubClient } from '../index.js';

const SIM = 'http://127.0.0.1:65535';
let sim: Simulator;
let client: DockerHubClient;
const empty = mkdtempSync(join(tmpdir(), 'svc-tags-'));

async function pushImage(c: DockerHubClient, ref: string): Promise<Uint8Array> {
  const config = await c.blobs.upload(ref, Buffer.from('{"os":"linux","architecture":"amd64"}'));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 37 },
      layers: [],
    }),
  );
  await c.manifests.put(ref, manifest);
  return manifest;
}

beforeAll(() => {
  sim = createSimulator({ profile: 'dockerhub', auth: 'token', users: [{ name: 'alice', password: 'alice-pw' }], hubUrl: SIM });
  client = new DockerHubClient(
    { registryUrl: SIM, hubUrl: SIM, auth: { username: 'alice', password: 'alice-pw' }, dispatcher: sim.dispatcher, resilience: { maxRetries: 0 } },
    { env: { DOCKER_CONFIG: empty } },
  );
});
afterAll(async () => {
  await client.close();
  await sim.close();
  rmSync(empty, { recursive: true, force: true });
});

describe('tags on Docker Hub (simulated)', () => {
  it('deletes only the named tag through the Hub API', async () => {
    const manifest = await pushImage(client, 'alice/app:v1');
    await client.manifests.put('alice/app:v2', manifest);
    expect(await client.tags.delete('alice/app:v1')).toEqual({ via: 'hub-api' });
    expect(await client.tags.list('alice/app')).toEqual(['v2']);
    await expect(client.tags.delete('alice/app:gone')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('pages with Link, enforces the page cap and validates the page size', async () => {
    const manifest = await pushImage(client, 'alice/paged:t0');
    for (const t of ['t1', 't2', 't3', 't4']) await client.manifests.put(`alice/paged:${t}`, manifest);
    const pages: string[][] = [];
    for await (const p of client.tags.pages('alice/paged', { pageSize: 2 })) pages.push(p);
    expect(pages).toEqual([['t0', 't1'], ['t2', 't3'], ['t4']]);
    await expect(client.tags.list('alice/paged', { pageSize: 2, maxPages: 2 })).rejects.toMatchObject({ code: 'REGISTRY_ERROR' });
    await expect(client.tags.list('alice/paged', { pageSize: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(client.tags.delete('alice/paged@sha256:' + '0'.repeat(64))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('refuses a Hub tag delete without Hub credentials, saying which are needed', async () => {
    const anon = new DockerHubClient({ registryUrl: SIM, hubUrl: SIM, dispatcher: sim.dispatcher }, { env: { DOCKER_CONFIG: empty } });
    try {
      await expect(anon.tags.delete('alice/app:v2')).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringContaining('DOCKER_HUB_USERNAME') });
    } finally {
      await anon.close();
    }
  });

  it('reports the rate-limit headers the registry sent', async () => {
    await client.manifests.head('alice/app:v2');
    const status = client.rateLimitStatus();
    expect(status?.limit).toBeGreaterThan(0);
    expect(status?.remaining).toBeDefined();
  });
});
