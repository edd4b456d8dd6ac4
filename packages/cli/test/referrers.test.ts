// `dhub referrers` against `dhub serve`: lists, filters and walks the artifacts referring to an image.
import { createHash } from 'node:crypto';
import { DockerHubClient } from '@llmdevops/docker-hub-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runInProcess, startBackground, type Background } from './helpers.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
let server: Background;
let client: DockerHubClient;
let repo: string;
const digests: Record<string, string> = {};

async function put(name: string, artifactType?: string, subject?: string): Promise<void> {
  const layer = Buffer.from(name);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      ...(artifactType === undefined ? {} : { artifactType }),
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: await client.blobs.upload(repo, Buffer.from('{}')), size: 2 },
      layers: [{ mediaType: 'application/octet-stream', digest: await client.blobs.upload(repo, layer), size: layer.length }],
      ...(subject === undefined ? {} : { subject: { mediaType: OCI_MANIFEST, digest: subject, size: 1 } }),
    }),
  );
  const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
  await client.manifests.put(`${repo}@${digest}`, manifest, { mediaType: OCI_MANIFEST });
  digests[name] = digest;
}

beforeAll(async () => {
  server = await startBackground(['serve', '--auth', 'none'], await cleanEnv());
  repo = `${server.host}/team/app`;
  client = new DockerHubClient({}, { env: await cleanEnv() });
  await put('image');
  await put('sbom', 'application/spdx+json', digests['image']);
  await put('sbom-sig', 'application/vnd.example.sig', digests['sbom']);
});
afterAll(async () => {
  await client.close();
  await server.stop('SIGINT');
});

describe('dhub attach', () => {
  it('attaches a file to an image and dhub referrers finds it by type', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'dhub-attach-'));
    try {
      await writeFile(join(dir, 'report.txt'), 'all clear');
      const attached = await runInProcess(['attach', `${repo}@${digests['image'] ?? ''}`, '--artifact-type', 'application/vnd.example.report', '--annotation', 'team=core', 'report.txt', '--json'], { env: await cleanEnv(), cwd: dir });
      expect(attached.code).toBe(0);
      const result = JSON.parse(attached.stdout) as { digest: string; subject: string; via: string };
      expect(result).toMatchObject({ subject: digests['image'], via: 'referrers' });
      const found = await runInProcess(['referrers', `${repo}@${digests['image'] ?? ''}`, '--artifact-type', 'application/vnd.example.report'], { env: await cleanEnv() });
      expect(found.stdout.startsWith(`${result.digest}  application/vnd.example.report`)).toBe(true);
      const missing = await runInProcess(['attach', `${repo}@${digests['image'] ?? ''}`, 'report.txt'], { env: await cleanEnv(), cwd: dir });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('--artifact-type is required');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('dhub referrers', () => {
  it('lists the referrers of an image with their artifact types', async () => {
    const res = await runInProcess(['referrers', `${repo}@${digests['image'] ?? ''}`], { env: await cleanEnv() });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`^${digests['sbom'] ?? 'missing'}  application/spdx\\+json  \\d+$`, 'm'));
    expect(res.stdout).not.toContain(digests['sbom-sig'] ?? 'missing');
  });

  it('--artifact-type filters, --tree walks referrers of referrers', async () => {
    const none = await runInProcess(['referrers', `${repo}@${digests['image'] ?? ''}`, '--artifact-type', 'application/vnd.example.sig'], { env: await cleanEnv() });
    expect(none).toMatchObject({ code: 0, stdout: '' });
    const tree = await runInProcess(['referrers', `${repo}@${digests['image'] ?? ''}`, '--tree', '--json'], { env: await cleanEnv() });
    const parsed = JSON.parse(tree.stdout) as { subject: string; referrers: { descriptor: { digest: string }; referrers: { descriptor: { digest: string } }[] }[] };
    expect(parsed.subject).toBe(digests['image']);
    expect(parsed.referrers[0]?.descriptor.digest).toBe(digests['sbom']);
    expect(parsed.referrers[0]?.referrers[0]?.descriptor.digest).toBe(digests['sbom-sig']);
  });
});
