import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulator } from '@llmdevops/docker-hub-simulation';
import { afterAll, describe, expect, it } from 'vitest';
import { DockerHubClient, checkArtifactTitle, checkArtifactType } from '../index.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const work = mkdtempSync(join(tmpdir(), 'svc-artifacts-'));
const clients: DockerHubClient[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  rmSync(work, { recursive: true, force: true });
});

const sha = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function setup(profile: 'oci' | 'distribution', port: number): { c: DockerHubClient; repo: string } {
  const sim = createSimulator({ profile });
  const c = new DockerHubClient({ registryUrl: `http://127.0.0.1:${port}`, dispatcher: sim.dispatcher, resilience: { maxRetries: 0 } }, { env: { DOCKER_CONFIG: work } });
  clients.push(c);
  return { c, repo: `127.0.0.1:${port}/team/art` };
}

describe('artifact type and title checks', () => {
  it.each(['application/spdx+json', 'application/vnd.dev.cosign.artifact.sig.v1+json', 'text/plain'])('accepts %s', (t) => {
    expect(() => { checkArtifactType(t); }).not.toThrow();
  });
  it.each(['', 'spdx', 'application/', '/json', 'application/spdx+json; charset=utf-8', 'application/a/b', 'application/sp dx'])('refuses %j with INVALID_MEDIA_TYPE', (t) => {
    expect(() => { checkArtifactType(t); }).toThrow(expect.objectContaining({ code: 'INVALID_MEDIA_TYPE', message: expect.stringContaining('type/subtype') }));
  });
  it.each(['../evil', '..', '.', '', '/etc/passwd', 'a/b', 'a\\b', 'C:evil', 'nul\0'])('refuses the title %j', (t) => {
    expect(() => { checkArtifactTitle(t); }).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
  it.each(['sbom.spdx.json', '..hidden', 'a..b', 'sig'])('accepts the title %j', (t) => {
    expect(() => { checkArtifactTitle(t); }).not.toThrow();
  });
});

describe.each([
  ['oci', 65501],
  ['distribution', 65502],
] as const)('artifacts on the %s profile', (profile, port) => {
  it('push tags an artifact without subject; pull writes each file under its title, byte-identical', async () => {
    const { c, repo } = setup(profile, port);
    const a = Buffer.from('{"policy":"deny-all"}');
    const b = Buffer.from([0, 1, 2, 3, 255]);
    const pushed = await c.artifacts.push(`${repo}:policy`, {
      artifactType: 'application/vnd.example.policy.v1+json',
      files: [{ title: 'policy.json', bytes: a, mediaType: 'application/json' }, { title: 'data.bin', bytes: b }],
      annotations: { team: 'core' },
      created: new Date('2026-01-01T00:00:00Z'),
    });
    const stored = await c.manifests.get(`${repo}:policy`);
    expect(stored.digest).toBe(pushed.digest);
    const doc = JSON.parse(new TextDecoder().decode(stored.bytes)) as Record<string, unknown>;
    expect(doc).toMatchObject({
      artifactType: 'application/vnd.example.policy.v1+json',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', size: 2 },
      annotations: { team: 'core', 'org.opencontainers.image.created': '2026-01-01T00:00:00.000Z' },
    });
    expect(doc['subject']).toBeUndefined();
    const dir = join(work, `pull-${profile}`);
    const pulled = await c.artifacts.pull(`${repo}:policy`, dir);
    expect(pulled).toMatchObject({ digest: pushed.digest, artifactType: 'application/vnd.example.policy.v1+json' });
    expect(pulled.files.map((f) => [f.title, f.digest, f.mediaType])).toEqual([
      ['policy.json', sha(a), 'application/json'],
      ['data.bin', sha(b), 'application/octet-stream'],
    ]);
    expect(readFileSync(join(dir, 'policy.json')).equals(a)).toBe(true);
    expect(readFileSync(join(dir, 'data.bin')).equals(b)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['data.bin', 'policy.json']);
  });

  it('an attached SBOM pulls back byte-identical with its subject', async () => {
    const { c, repo } = setup(profile, port + 10);
    const subject = await c.artifacts.push(`${repo}:base`, { artifactType: 'application/vnd.example.thing', files: [{ title: 'x', bytes: Buffer.from('x') }] });
    const sbom = Buffer.from('{"spdxVersion":"SPDX-2.3"}');
    const attached = await c.referrers.attach(`${repo}:base`, { artifactType: 'application/spdx+json', files: [{ title: 'sbom.spdx.json', bytes: sbom }] });
    const dir = join(work, `sbom-${profile}`);
    const pulled = await c.artifacts.pull(`${repo}@${attached.digest}`, dir);
    expect(pulled.subject).toBe(subject.digest);
    expect(readFileSync(join(dir, 'sbom.spdx.json')).equals(sbom)).toBe(true);
  });
});

describe('refusals', () => {
  it('push refuses a bad type, no files, a ../ title or a repeated title before any request', async () => {
    const { c, repo } = setup('oci', 65505);
    const file = { title: 'a', bytes: Buffer.from('a') };
    await expect(c.artifacts.push(`${repo}:x`, { artifactType: 'sbom', files: [file] })).rejects.toMatchObject({ code: 'INVALID_MEDIA_TYPE' });
    await expect(c.artifacts.push(`${repo}:x`, { artifactType: 'text/plain', files: [] })).rejects.toThrow('at least one file');
    await expect(c.artifacts.push(`${repo}:x`, { artifactType: 'text/plain', files: [{ ...file, title: '../a' }] })).rejects.toThrow('plain file name');
    await expect(c.artifacts.push(`${repo}:x`, { artifactType: 'text/plain', files: [file, file] })).rejects.toThrow('two artifact files are titled "a"');
    await expect(c.referrers.attach(`${repo}:x`, { artifactType: 'not a type', files: [file] })).rejects.toMatchObject({ code: 'INVALID_MEDIA_TYPE' });
    // Nothing reached the registry: the repository does not exist.
    await expect(c.blobs.exists(repo, sha(Buffer.from('a')))).resolves.toBe(false);
  });

  it.each(['../escape', '/abs/path', 'dir/file'])('pull refuses a layer titled %j and writes nothing', async (title) => {
    const { c, repo } = setup('oci', 65506);
    const bytes = Buffer.from(`payload ${title}`);
    const empty = await c.blobs.upload(repo, Buffer.from('{}'));
    const good = Buffer.from('fine');
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: 'text/plain',
        config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: empty, size: 2 },
        layers: [
          { mediaType: 'text/plain', digest: await c.blobs.upload(repo, good), size: good.length, annotations: { 'org.opencontainers.image.title': 'ok.txt' } },
          { mediaType: 'text/plain', digest: await c.blobs.upload(repo, bytes), size: bytes.length, annotations: { 'org.opencontainers.image.title': title } },
        ],
      }),
    );
    await c.manifests.put(`${repo}:hostile`, manifest, { mediaType: OCI_MANIFEST });
    const dir = join(work, `hostile-${title.replace(/\W/g, '_')}`);
    await expect(c.artifacts.pull(`${repo}:hostile`, dir)).rejects.toThrow(`artifact file title ${JSON.stringify(title)} must be a plain file name`);
    expect(() => readdirSync(dir)).toThrow();
  });

  it('pull verifies every blob: a corrupted one fails with DIGEST_MISMATCH and leaves no file, not even the good one', async () => {
    const good = Buffer.from('good bytes');
    const bad = Buffer.from('bytes the registry will corrupt');
    const sim = createSimulator({ profile: 'oci', faults: [{ match: { method: 'GET', path: `/blobs/${sha(bad)}` }, corrupt: true }] });
    const c = new DockerHubClient({ registryUrl: 'http://127.0.0.1:65508', dispatcher: sim.dispatcher, resilience: { maxRetries: 0 } }, { env: { DOCKER_CONFIG: work } });
    clients.push(c);
    const repo = '127.0.0.1:65508/team/corrupt';
    await c.artifacts.push(`${repo}:v1`, { artifactType: 'text/plain', files: [{ title: 'good.txt', bytes: good }, { title: 'bad.txt', bytes: bad }] });
    const dir = join(work, 'corrupt');
    await expect(c.artifacts.pull(`${repo}:v1`, dir)).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('pull refuses an index and a layer without title', async () => {
    const { c, repo } = setup('oci', 65507);
    const empty = await c.blobs.upload(repo, Buffer.from('{}'));
    const layer = Buffer.from('untitled');
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: empty, size: 2 },
        layers: [{ mediaType: 'text/plain', digest: await c.blobs.upload(repo, layer), size: layer.length }],
      }),
    );
    const digest = await c.manifests.put(`${repo}:untitled`, manifest, { mediaType: OCI_MANIFEST });
    await expect(c.artifacts.pull(`${repo}:untitled`, join(work, 'untitled'))).rejects.toThrow('has no org.opencontainers.image.title annotation');
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ mediaType: OCI_MANIFEST, digest, size: manifest.length }] }));
    await c.manifests.put(`${repo}:index`, index, { mediaType: 'application/vnd.oci.image.index.v1+json' });
    await expect(c.artifacts.pull(`${repo}:index`, join(work, 'index'))).rejects.toThrow('is an index, not an artifact');
  });
});

describe('the fallback index under concurrent attaches', () => {
  it('six attaches at once on a registry without referrers API: every one is listed (lost updates written again)', async () => {
    const { c, repo } = setup('distribution', 65510);
    await c.artifacts.push(`${repo}:base`, { artifactType: 'text/plain', files: [{ title: 'x', bytes: Buffer.from('base') }] });
    const attached = await Promise.all(
      [0, 1, 2, 3, 4, 5].map((i) => c.referrers.attach(`${repo}:base`, { artifactType: 'application/vnd.example.n', files: [{ title: 'n', bytes: Buffer.from(String(i)) }] })),
    );
    const listed = await c.referrers.list(`${repo}:base`);
    expect(listed.via).toBe('referrers-tag');
    expect(listed.referrers.map((d) => d.digest).sort()).toEqual(attached.map((a) => a.digest).sort());
  });
});
