// The credential pool of a shared pull budget against the simulator's Docker Hub profile (token
// auth, per-account pull limits): pulls spread over the account with the most pulls left, a
// repository in an account's namespace (a private one) uses its owner, and the pool's tokens
// never show in the budget's state.
import { createSimulator, type Simulator } from '@llmdevops/docker-hub-simulation';
import { RateLimitError } from '@llmdevops/docker-hub-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DockerHubClient } from '../src/index.js';

const ALICE = { name: 'alice', password: 'alice-token-1f2e' };
const BOB = { name: 'bob', password: 'bob-token-9c8d' };

async function seed(url: string): Promise<void> {
  const client = new DockerHubClient({ registryUrl: url, auth: { username: ALICE.name, accessToken: ALICE.password }, cache: { enabled: false } });
  try {
    const config = new TextEncoder().encode(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
    for (const repo of ['library/app', 'bob/secret']) {
      const digest = await client.blobs.upload(repo, config);
      await client.manifests.put(`${repo}:v0`, {
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest, size: config.length },
        layers: [],
      });
    }
  } finally {
    await client.close();
  }
}

describe('pull budget with a pool of Docker Hub accounts', () => {
  let sim: Simulator;
  let url: string;
  let client: DockerHubClient;
  let host: string;

  beforeEach(async () => {
    sim = createSimulator({
      profile: 'dockerhub',
      users: [ALICE, BOB],
      repositories: { 'bob/secret': { private: true } },
      rateLimits: { authenticatedLimit: 2, anonymousLimit: 1, windowSeconds: 3600 },
    });
    url = (await sim.listen()).url;
    host = new URL(url).host;
    await seed(url);
    client = new DockerHubClient(
      {
        registryUrl: url,
        cache: { enabled: false },
        budget: { url: 'memory:', onExhausted: 'fail' },
        accounts: [
          { username: ALICE.name, accessToken: ALICE.password },
          { username: BOB.name, accessToken: BOB.password },
        ],
      },
      { env: {} },
    );
  });
  afterEach(async () => {
    await client.close();
    await sim.close();
  });

  it('spreads pulls over the account with the most left, then refuses before sending', async () => {
    for (let i = 0; i < 4; i++) await client.manifests.get('library/app:v0');
    const status = await client.budgetStatus();
    expect(status?.keys.map((k) => [k.key, k.used, k.remaining])).toEqual([
      [`${host}/alice`, 2, 0],
      [`${host}/bob`, 2, 0],
    ]);
    const err = await client.manifests.get('library/app:v0').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as Error).message).toMatch(/no pull left: needed 1, remaining 0; nothing was sent/);
    // The registry counted them against two different accounts.
    expect(new Set(status?.keys.map((k) => k.source)).size).toBe(2);
    expect(JSON.stringify(status)).not.toContain(ALICE.password);
    expect(JSON.stringify(status)).not.toContain(BOB.password);
  });

  it('pulls a private repository with the account that owns its namespace', async () => {
    // Alice has spent nothing, so she has the most left; bob/secret still goes to bob.
    await client.manifests.get('bob/secret:v0');
    const status = await client.budgetStatus();
    expect(status?.keys.map((k) => [k.key, k.used])).toEqual([[`${host}/bob`, 1]]);
  });

  it('pushes to a pool account\'s namespace as that account (the client has no credentials of its own)', async () => {
    const config = new TextEncoder().encode('{"architecture":"arm64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
    const digest = await client.blobs.upload('bob/pushed', config);
    await client.manifests.put('bob/pushed:v1', {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest, size: config.length },
      layers: [],
    });
    expect((await client.manifests.head('bob/pushed:v1')).digest).toMatch(/^sha256:/);
    // Without the pool, the same client is anonymous and may not push.
    const anonymous = new DockerHubClient({ registryUrl: url, cache: { enabled: false } }, { env: {} });
    try {
      await expect(anonymous.blobs.upload('bob/pushed', config)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    } finally {
      await anonymous.close();
    }
  });
});
