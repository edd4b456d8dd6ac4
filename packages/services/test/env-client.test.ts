// The way most programs use the client: `new DockerHubClient()` configured only by the
// environment, with DOCKER_REGISTRY_URL sending Docker Hub references to a registry (here the
// real distribution registry with Basic auth) and credentials only in DOCKER_CONFIG.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRealRegistry, type RealRegistry } from '../../../tooling/registry/real-registry.js';
import { DockerHubClient } from '../src/index.js';
import { dockerConfigDir } from './helpers.js';

let reg: RealRegistry;
let cfg: { dir: string; remove(): void };

beforeAll(async () => {
  reg = await startRealRegistry({ auth: 'basic' });
  const alice = reg.users.find((u) => u.name !== 'reader');
  cfg = dockerConfigDir(reg.host, alice?.name ?? '', alice?.password ?? '');
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await reg.stop();
  cfg.remove();
});

describe('a client configured by the environment', () => {
  it('sends docker.io references to DOCKER_REGISTRY_URL with DOCKER_CONFIG credentials', async () => {
    vi.stubEnv('DOCKER_REGISTRY_URL', reg.url);
    vi.stubEnv('DOCKER_CONFIG', cfg.dir);
    vi.stubEnv('DOCKER_CHUNK_SIZE_MB', '0.0625');
    const client = new DockerHubClient();
    try {
      expect(await client.login()).toEqual({ registry: reg.host, username: reg.users.find((u) => u.name !== 'reader')?.name });
      const bytes = randomBytes(200 * 1024);
      const progress: number[] = [];
      const digest = await client.blobs.upload('team/app', bytes, { strategy: 'chunked', onProgress: (p) => progress.push(p.bytesSent) });
      // 64 KiB chunks from DOCKER_CHUNK_SIZE_MB (a buffer would otherwise go in one streamed PATCH).
      expect(progress).toEqual([65536, 131072, 196608, 204800]);
      expect(await client.blobs.exists(`${reg.host}/team/app`, digest)).toBe(true);
      const manifest = {
        schemaVersion: 2 as const,
        mediaType: 'application/vnd.oci.image.manifest.v1+json' as const,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest, size: bytes.length },
        layers: [],
      };
      const m = await client.manifests.put('team/app:v1', manifest);
      expect((await client.manifests.get('docker.io/team/app:v1')).digest).toBe(m);
      expect(await client.tags.list('team/app')).toEqual(['v1']);
      // DOCKER_HUB_URL was not redirected, so tags are deleted through the registry.
      expect(await client.tags.delete('team/app:v1')).toEqual({ via: 'registry', digest: m });
    } finally {
      await client.close();
    }
  });

  it('fails login without credentials', async () => {
    vi.stubEnv('DOCKER_REGISTRY_URL', reg.url);
    vi.stubEnv('DOCKER_CONFIG', `${cfg.dir}-missing`);
    const client = new DockerHubClient();
    try {
      await expect(client.login()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
      await expect(client.login({ registry: reg.host })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    } finally {
      await client.close();
    }
  });
});
