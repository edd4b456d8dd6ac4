import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulator } from '@llmdevops/docker-hub-simulation';
import { afterAll, describe, expect, it } from 'vitest';
import { DockerHubClient } from '../index.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const EMPTY = 'application/vnd.oci.empty.v1+json';
const SIG = 'application/vnd.example.signature';
const SBOM = 'application/spdx+json';
const empty = mkdtempSync(join(tmpdir(), 'svc-referrers-'));
const clients: DockerHubClient[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  rmSync(empty, { recursive: true, force: true });
});

const sha = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function client(profile: 'oci' | 'distribution', port: number): { c: DockerHubClient; repo: string } {
  const sim = createSimulator({ profile });
  const c = new DockerHubClient({ registryUrl: `http://127.0.0.1:${port}`, dispatcher: sim.dispatcher, resilience: { maxRetries: 0 } }, { env: { DOCKER_CONFIG: empty } });
  clients.push(c);
  return { c, repo: `127.0.0.1:${port}/team/app` };
}

/** Pushes a manifest (an image, or an artifact referring to `subject`) by digest; returns its descriptor. */
async function put(c: DockerHubClient, repo: string, layer: string, artifactType?: string, subject?: { digest: string; size: number }): Promise<{ digest: string; size: number }> {
  const emptyDigest = await c.blobs.upload(repo, Buffer.from('{}'));
  const bytes = Buffer.from(layer);
  const layerDigest = await c.blobs.upload(repo, bytes);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      ...(artifactType === undefined ? {} : { artifactType }),
      config: { mediaType: EMPTY, digest: emptyDigest, size: 2 },
      layers: [{ mediaType: 'application/octet-stream', digest: layerDigest, size: bytes.length }],
      ...(subject === undefined ? {} : { subject: { mediaType: OCI_MANIFEST, ...subject } }),
    }),
  );
  const digest = sha(manifest);
  await c.manifests.put(`${repo}@${digest}`, manifest, { mediaType: OCI_MANIFEST });
  return { digest, size: manifest.length };
}

describe.each([
  ['oci', 'referrers', 65521],
  ['distribution', 'referrers-tag', 65522],
] as const)('referrers on the %s profile', (profile, via, port) => {
  it(`lists an image's referrers by tag (via ${via}), filtered by artifact type`, async () => {
    const { c, repo } = client(profile, port);
    const image = await put(c, repo, 'image');
    await c.manifests.put(`${repo}:v1`, (await c.manifests.get(`${repo}@${image.digest}`)).bytes, { mediaType: OCI_MANIFEST });
    const sig = await put(c, repo, 'sig', SIG, image);
    const sbom = await put(c, repo, 'sbom', SBOM, image);
    if (profile === 'distribution') {
      // Without a referrers API, pushers keep the sha256-<hex> tag index up to date themselves.
      const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ mediaType: OCI_MANIFEST, artifactType: SIG, ...sig }, { mediaType: OCI_MANIFEST, artifactType: SBOM, ...sbom }] };
      await c.manifests.put(`${repo}:${image.digest.replace(':', '-')}`, Buffer.from(JSON.stringify(index)), { mediaType: index.mediaType });
    }
    const all = await c.referrers.list(`${repo}:v1`);
    expect(all.subject).toBe(image.digest);
    expect(all.via).toBe(via);
    expect(all.referrers.map((d) => d.digest).sort()).toEqual([sig.digest, sbom.digest].sort());
    const onlySboms = await c.referrers.list(`${repo}@${image.digest}`, { artifactType: SBOM });
    expect(onlySboms.referrers.map((d) => d.digest)).toEqual([sbom.digest]);
  });
});

describe('referrer trees', () => {
  it('follows referrers of referrers down to the depth cap, each digest once', async () => {
    const { c, repo } = client('oci', 65523);
    const image = await put(c, repo, 'image');
    const sbom = await put(c, repo, 'sbom', SBOM, image);
    const sbomSig = await put(c, repo, 'sbom-sig', SIG, sbom);
    const deep = await put(c, repo, 'deep', SIG, sbomSig);
    const tree = await c.referrers.tree(`${repo}@${image.digest}`, { maxDepth: 2 });
    expect(tree.referrers).toHaveLength(1);
    const [top] = tree.referrers;
    expect(top?.descriptor.digest).toBe(sbom.digest);
    expect(top?.referrers.map((n) => [n.descriptor.digest, n.truncated])).toEqual([[sbomSig.digest, true]]);
    const full = await c.referrers.tree(`${repo}@${image.digest}`);
    expect(full.referrers[0]?.referrers[0]?.referrers[0]?.descriptor.digest).toBe(deep.digest);
    await expect(c.referrers.tree(`${repo}@${image.digest}`, { maxDepth: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
