// DockerHubClient exposes the Hub API, vulnerability and rate-limit services over the same
// transport and auth as the registry services: a push through the registry shows up in the Hub
// API's repository and tag listings, an image without reports has no scan overview, and the
// Hub API's own budget is tracked apart from pull limits.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageReference, MediaType, serializeManifest } from '@llmdevops/docker-hub-core';
import { createSimulator, type Simulator } from '@llmdevops/docker-hub-simulation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerHubClient } from '../src/index.js';

const ORIGIN = 'http://127.0.0.1:65535';
const USERS = [{ name: 'alice', password: 'alice-pw', namespaces: ['alice'] }];

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

let sim: Simulator;
let client: DockerHubClient;
let empty: string;

beforeAll(() => {
  sim = createSimulator({ profile: 'dockerhub', auth: 'token', users: USERS, hubUrl: ORIGIN });
  empty = mkdtempSync(join(tmpdir(), 'svc-hub-wiring-'));
  client = new DockerHubClient(
    {
      registryUrl: ORIGIN,
      hubUrl: ORIGIN,
      authUrl: ORIGIN,
      dispatcher: sim.dispatcher,
      resilience: { maxRetries: 1 },
      auth: { username: 'alice', password: 'alice-pw' },
    },
    { env: { DOCKER_CONFIG: empty } },
  );
});

afterAll(async () => {
  await client.close();
  await sim.close();
  rmSync(empty, { recursive: true, force: true });
});

describe('DockerHubClient Hub API wiring', () => {
  it('lists a pushed repository and its tag metadata, and finds no scan report', async () => {
    const ref = ImageReference.parse('alice/wired:1.0');
    const config = new TextEncoder().encode(
      '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}',
    );
    const configDigest = await client.blobs.upload(ref, config);
    const manifest = serializeManifest({
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: configDigest, size: config.length },
      layers: [],
    });
    const digest = await client.manifests.put(ref, manifest);

    const repos = await collect(client.repositories.list('alice'));
    expect(repos.map((r) => r.name)).toContain('wired');
    const tags = await collect(client.hubTags.list('alice', 'wired'));
    expect(tags.map((t) => t.name)).toEqual(['1.0']);
    expect(await client.vulnerabilities.getScanOverview('alice', 'wired', digest)).toBeUndefined();
  });

  it('keeps the Hub API budget apart from registry pull limits', async () => {
    await client.manifests.get(ImageReference.parse('alice/wired:1.0'));
    const pulls = client.rateLimitStatus();
    expect(pulls?.limit).toBeGreaterThan(0);
    expect(pulls?.remaining).toBeLessThan(pulls?.limit ?? 0);
    // The Hub API's own budget (X-RateLimit-*, 600 a minute in the simulator) is tracked apart
    // from the registry's pull limit (ratelimit-*).
    const hub = client.hubRateLimitStatus();
    expect(hub?.limit).toBe(600);
    expect(hub?.limit).not.toBe(pulls?.limit);
  });
});
