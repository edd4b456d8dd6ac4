// Platforms in index descriptors are OCI objects end to end: an index from buildImage and one
// assembled with createDescriptor (and with Platform instances left in the object) are pushed with
// DockerHubClient to the simulator and to the real registry (docker-registry), and read back with
// skopeo inspect --raw: every `platform` is { architecture, os, variant?, os.version?, os.features? }.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MediaType, Platform, createDescriptor, listPlatforms, type OciIndex } from '@llmdevops/docker-hub-core';
import { buildImage, createSimulator } from '@llmdevops/docker-hub-simulation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealRegistry, type RealRegistry } from '../../../tooling/registry/real-registry.js';
import { DockerHubClient } from '../src/index.js';

const run = promisify(execFile);
const sha256 = (b: Uint8Array | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

const PLATFORMS = [
  'linux/amd64',
  Platform.parse('linux/arm64/v8'),
  { os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.1', 'os.features': ['win32k'] },
] as const;
const EXPECTED = [
  { architecture: 'amd64', os: 'linux' },
  { architecture: 'arm64', os: 'linux', variant: 'v8' },
  { architecture: 'amd64', os: 'windows', 'os.version': '10.0.20348.1', 'os.features': ['win32k'] },
];

interface Target {
  readonly host: string;
  readonly client: DockerHubClient;
  close(): Promise<void>;
}

const empty = mkdtempSync(join(tmpdir(), 'platform-objects-'));
afterAll(() => {
  rmSync(empty, { recursive: true, force: true });
});

function client(): DockerHubClient {
  return new DockerHubClient({ resilience: { maxRetries: 1 } }, { env: { DOCKER_CONFIG: empty } });
}

async function skopeoRaw(reference: string): Promise<string> {
  const { stdout } = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${reference}`]);
  return stdout;
}

/** Pushes both indexes to a target and checks what skopeo reads back. */
function suite(name: string, start: () => Promise<Target>): void {
  describe(name, () => {
    let t: Target;
    beforeAll(async () => {
      t = await start();
    }, 60_000);
    afterAll(async () => {
      await t.close();
    });

    it('an index from buildImage reads back with platform objects, byte for byte', async () => {
      const image = buildImage({ platforms: PLATFORMS, layers: [{ files: { 'a.txt': 'a' } }], seed: 'platform-objects' });
      const ref = `${t.host}/team/platforms:built`;
      expect(await image.push(t.client, ref)).toBe(image.digest);
      const raw = await skopeoRaw(ref);
      expect(sha256(raw)).toBe(image.digest);
      const index = JSON.parse(raw) as OciIndex;
      expect(index.manifests.map((m) => m.platform)).toStrictEqual(EXPECTED);
      const got = await t.client.manifests.get(ref);
      if (got.kind !== 'index') throw new Error('expected an index');
      expect(listPlatforms(got.manifest).map(String)).toEqual(['linux/amd64', 'linux/arm64/v8', 'windows(10.0.20348.1)/amd64']);
    });

    it('an index assembled with createDescriptor, or holding Platform instances, is pushed with platform objects', async () => {
      const image = buildImage({ platforms: PLATFORMS, layers: [{ files: { 'b.txt': 'b' } }], seed: 'by-hand' });
      const repo = `${t.host}/team/by-hand`;
      await image.push(t.client, `${repo}:built`);
      const platforms = image.manifests.map((m) => Platform.fromObject({ ...m.platform, 'os.features': m.platform['os.features']?.slice() }));
      const described: OciIndex = {
        schemaVersion: 2,
        mediaType: MediaType.OciIndex,
        manifests: image.manifests.map((m, i) => createDescriptor(m.bytes, MediaType.OciManifest, { platform: platforms[i] })),
      };
      await t.client.manifests.put(`${repo}:described`, described);
      // A JavaScript caller may leave the Platform itself in the descriptor: buildManifest writes the object.
      const loose = {
        ...described,
        manifests: described.manifests.map((d, i) => ({ ...d, platform: platforms[i] })),
      } as unknown as OciIndex;
      await t.client.manifests.put(repo, loose, { tag: 'loose' });
      for (const tag of ['described', 'loose']) {
        const index = JSON.parse(await skopeoRaw(`${repo}:${tag}`)) as OciIndex;
        expect(index.manifests.map((m) => m.platform), tag).toStrictEqual(EXPECTED);
        expect(index.manifests.map((m) => m.digest)).toEqual(image.manifests.map((m) => m.digest));
      }
      // Without a tag (and without { tag }) nothing is pushed.
      await expect(t.client.manifests.put(repo, described)).rejects.toMatchObject({ code: 'TAG_REQUIRED' });
    });
  });
}

suite('simulator', async () => {
  const sim = createSimulator();
  const { url } = await sim.listen();
  const c = client();
  return {
    host: new URL(url).host,
    client: c,
    async close() {
      await c.close();
      await sim.close();
    },
  };
});

suite('real registry (docker-registry)', async () => {
  const reg: RealRegistry = await startRealRegistry({ auth: 'none' });
  const c = client();
  return {
    host: reg.host,
    client: c,
    async close() {
      await c.close();
      await reg.stop();
    },
  };
});
