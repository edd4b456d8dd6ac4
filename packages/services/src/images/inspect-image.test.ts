import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PlatformNotFoundError } from '@llmdevops/docker-hub-core';
import { createSimulator, type Simulator } from '@llmdevops/docker-hub-simulation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerHubClient } from '../index.js';

const SIM = 'http://127.0.0.1:65534';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
let sim: Simulator;
let client: DockerHubClient;
const empty = mkdtempSync(join(tmpdir(), 'svc-inspect-'));

/** Pushes one image (config + layers) and returns its manifest descriptor. */
async function image(repo: string, arch: string, config: object, layerSizes: number[]): Promise<{ digest: string; size: number }> {
  const layers = [];
  for (const [i, n] of layerSizes.entries()) {
    const bytes = Buffer.alloc(n, i + 1);
    layers.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: await client.blobs.upload(repo, bytes), size: n });
  }
  const configBytes = Buffer.from(JSON.stringify({ os: 'linux', architecture: arch, rootfs: { type: 'layers', diff_ids: [] }, ...config }));
  const configDigest = await client.blobs.upload(repo, configBytes);
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: configBytes.length }, layers }));
  const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
  await client.manifests.put(`${repo}@${digest}`, manifest, { mediaType: OCI_MANIFEST });
  return { digest, size: manifest.length };
}

beforeAll(() => {
  sim = createSimulator({ profile: 'oci' });
  client = new DockerHubClient({ registryUrl: SIM, dispatcher: sim.dispatcher, resilience: { maxRetries: 0 } }, { env: { DOCKER_CONFIG: empty } });
});
afterAll(async () => {
  await client.close();
  rmSync(empty, { recursive: true, force: true });
});

describe('images.inspect', () => {
  it("reports an image's config, layer count and compressed size", async () => {
    const repo = '127.0.0.1:65534/team/app';
    const config = {
      created: '2026-01-02T03:04:05Z',
      author: 'team',
      config: { Env: ['PATH=/bin'], Entrypoint: ['/app'], Cmd: ['--serve'], WorkingDir: '/srv', User: 'app', ExposedPorts: { '8080/tcp': {} }, Labels: { 'org.opencontainers.image.source': 'https://example.test' } },
      history: [{ created_by: 'COPY app /app' }, { created_by: 'CMD ["--serve"]', empty_layer: true }],
    };
    const { digest } = await image(repo, 'amd64', config, [1000, 2345]);
    await client.manifests.put(`${repo}:v1`, (await client.manifests.get(`${repo}@${digest}`)).bytes, { mediaType: OCI_MANIFEST });
    const details = await client.images.inspect(`${repo}:v1`);
    expect(details).toMatchObject({
      kind: 'image',
      digest,
      platform: 'linux/amd64',
      created: '2026-01-02T03:04:05Z',
      author: 'team',
      env: ['PATH=/bin'],
      entrypoint: ['/app'],
      cmd: ['--serve'],
      workingDir: '/srv',
      user: 'app',
      exposedPorts: ['8080/tcp'],
      labels: { 'org.opencontainers.image.source': 'https://example.test' },
      history: ['COPY app /app', 'CMD ["--serve"]'],
      layers: 2,
      compressedSize: 3345,
    });
  });

  it('lists the platforms of an index and keeps attestation manifests apart; --platform resolves one', async () => {
    const repo = '127.0.0.1:65534/team/multi';
    const amd = await image(repo, 'amd64', {}, [10]);
    const arm = await image(repo, 'arm64', { variant: 'v8' }, [20, 30]);
    const att = await image(repo, 'unknown', { os: 'unknown' }, [5]);
    const index = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: OCI_MANIFEST, ...amd, platform: { os: 'linux', architecture: 'amd64' } },
        { mediaType: OCI_MANIFEST, ...arm, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
        { mediaType: OCI_MANIFEST, ...att, platform: { os: 'unknown', architecture: 'unknown' }, annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': amd.digest } },
      ],
    };
    await client.manifests.put(`${repo}:v1`, Buffer.from(JSON.stringify(index)), { mediaType: index.mediaType });
    const details = await client.images.inspect(`${repo}:v1`);
    expect(details.kind).toBe('index');
    if (details.kind !== 'index') return;
    expect(details.platforms.map((p) => [p.platform, p.digest])).toEqual([['linux/amd64', amd.digest], ['linux/arm64/v8', arm.digest]]);
    expect(details.attestations).toEqual([{ digest: att.digest, mediaType: OCI_MANIFEST, size: att.size, platform: 'unknown/unknown', kind: 'attestation', attests: amd.digest }]);
    const armDetails = await client.images.inspect(`${repo}:v1`, { platform: 'linux/arm64' });
    expect(armDetails).toMatchObject({ kind: 'image', digest: arm.digest, platform: 'linux/arm64/v8', layers: 2, compressedSize: 50 });
    await expect(client.images.inspect(`${repo}:v1`, { platform: 'linux/s390x' })).rejects.toBeInstanceOf(PlatformNotFoundError);
  });
});
