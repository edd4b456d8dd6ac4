// client.tags.prune and client.tags.details on a registry without Docker Hub's API (the oci
// profile): tags and digests from the tag list and a HEAD per tag, deletion by manifest digest,
// and a selected tag kept when a kept tag shares its digest.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaType, serializeManifest } from '@llmdevops/docker-hub-core';
import { createSimulator, type Simulator } from '@llmdevops/docker-hub-simulation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerHubClient } from '../src/index.js';

const HOST = '127.0.0.1:65531';
let sim: Simulator;
let client: DockerHubClient;
let dir: string;

async function push(tag: string, seed: string): Promise<string> {
  const ref = `${HOST}/demo/app:${tag}`;
  const config = new TextEncoder().encode(
    JSON.stringify({ architecture: 'amd64', os: 'linux', seed }),
  );
  const digest = await client.blobs.upload(ref, config);
  return client.manifests.put(
    ref,
    serializeManifest({
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest, size: config.length },
      layers: [],
    }),
    { mediaType: MediaType.OciManifest },
  );
}

beforeAll(async () => {
  sim = createSimulator({ profile: 'oci' });
  dir = mkdtempSync(join(tmpdir(), 'prune-registry-'));
  client = new DockerHubClient({ dispatcher: sim.dispatcher }, { env: { DOCKER_CONFIG: dir } });
  await push('a', 'one');
  await push('b', 'two');
  await push('shared-old', 'three');
  await push('shared-new', 'three');
});

afterAll(async () => {
  await client.close();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('prune on a registry without the Hub API', () => {
  it('lists digests with a HEAD per tag and no times', async () => {
    const details = await client.tags.details(`${HOST}/demo/app`);
    expect(details.map((t) => t.name).sort()).toEqual(['a', 'b', 'shared-new', 'shared-old']);
    for (const t of details) {
      expect(t).toMatchObject({ source: 'registry', platforms: [] });
      expect(t.lastPushed).toBeUndefined();
      expect(t.lastPulled).toBeUndefined();
      expect(t.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
  });

  it('deletes by digest, keeping a selected tag whose digest a kept tag shares', async () => {
    const policy = { keepLast: 1, exclude: 'shared-new' };
    const plan = await client.tags.prune(`${HOST}/demo/app`, policy, { dryRun: true });
    expect(plan.via).toBe('registry');
    const rules = Object.fromEntries(plan.tags.map((t) => [t.name, `${t.action}:${t.rule}`]));
    // Without push times the registry's (lexical) order decides which is "newest": the first.
    expect(rules).toEqual({
      a: 'keep:keep-last',
      b: 'delete:beyond-keep-last',
      'shared-new': 'keep:excluded',
      'shared-old': 'keep:shares-digest',
    });
    expect(await client.tags.list(`${HOST}/demo/app`)).toHaveLength(4);
    const done = await client.tags.prune(`${HOST}/demo/app`, policy);
    expect(done.deleted).toEqual(['b']);
    expect((await client.tags.list(`${HOST}/demo/app`)).sort()).toEqual([
      'a',
      'shared-new',
      'shared-old',
    ]);
  });
});
