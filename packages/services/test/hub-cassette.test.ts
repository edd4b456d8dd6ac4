// A Hub API session recorded through the simulation's cassette recorder replays offline with the
// same results, and the cassette holds no credential.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageReference, MediaType, serializeManifest } from '@llmdevops/docker-hub-core';
import { createCassette, createSimulator, findSecrets } from '@llmdevops/docker-hub-simulation';
import { type Dispatcher } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { DockerHubClient } from '../src/index.js';

const ORIGIN = 'http://127.0.0.1:65535';
const PASSWORD = 'alice-very-secret-pw';
const dir = mkdtempSync(join(tmpdir(), 'svc-hub-cassette-'));
const path = join(dir, 'hub.json');

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function clientOver(dispatcher: Dispatcher): DockerHubClient {
  return new DockerHubClient(
    {
      registryUrl: ORIGIN,
      hubUrl: ORIGIN,
      authUrl: ORIGIN,
      dispatcher,
      resilience: { maxRetries: 0 },
      auth: { username: 'alice', password: PASSWORD },
    },
    { env: { DOCKER_CONFIG: dir } },
  );
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function hubSession(client: DockerHubClient): Promise<unknown> {
  const repos = await collect(client.repositories.list('alice'));
  const repo = await client.repositories.get('alice', 'taped');
  const tags = await collect(client.hubTags.list('alice', 'taped'));
  return {
    repos: repos.map((r) => r.name),
    repo: { name: repo.name, namespace: repo.namespace },
    tags: tags.map((t) => t.name),
  };
}

describe('Hub API through a cassette', () => {
  it('records a session, replays it offline with the same results, and stores no secret', async () => {
    const sim = createSimulator({
      profile: 'dockerhub',
      auth: 'token',
      users: [{ name: 'alice', password: PASSWORD, namespaces: ['alice'] }],
      hubUrl: ORIGIN,
    });
    // Content pushed directly (not recorded), so the Hub API has something to list.
    const seeder = clientOver(sim.dispatcher);
    const ref = ImageReference.parse('alice/taped:2.0');
    const config = new TextEncoder().encode(
      '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}',
    );
    const configDigest = await seeder.blobs.upload(ref, config);
    await seeder.manifests.put(
      ref,
      serializeManifest({
        schemaVersion: 2,
        mediaType: MediaType.OciManifest,
        config: { mediaType: MediaType.OciConfig, digest: configDigest, size: config.length },
        layers: [],
      }),
    );
    await seeder.close();

    const recorder = createCassette({ path, mode: 'record', upstream: sim.fetch });
    const live = clientOver(recorder.dispatcher);
    const recorded = await hubSession(live);
    await live.close();
    await recorder.save();
    await sim.close();
    expect(recorded).toEqual({
      repos: ['taped'],
      repo: { name: 'taped', namespace: 'alice' },
      tags: ['2.0'],
    });

    const text = readFileSync(path, 'utf8');
    expect(
      findSecrets(text, [PASSWORD, Buffer.from(`alice:${PASSWORD}`).toString('base64')]),
    ).toEqual([]);

    const player = createCassette({ path, mode: 'replay' });
    const offline = clientOver(player.dispatcher);
    expect(await hubSession(offline)).toEqual(recorded);
    await offline.close();
  });
});
