// Whole-image pull/push/copy against the real distribution registry (token auth), and skopeo
// interop: what our client pushes skopeo reads with the same digests, and what skopeo pushes
// (`copy --all`, multi-arch) our client pulls into a layout with byte-identical blobs.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealRegistry, type RealRegistry } from '../../../tooling/registry/real-registry.js';
import type { DockerHubClient } from '../src/index.js';
import { realRegistryClient } from './helpers.js';
import { layoutBlobs, listFiles, writeLayout } from './oci-fixture.js';

const run = promisify(execFile);
let reg: RealRegistry;
let client: DockerHubClient;
let work: string;
let creds: string;

beforeAll(async () => {
  reg = await startRealRegistry({ auth: 'token' });
  client = realRegistryClient(reg, 'writer');
  work = mkdtempSync(join(tmpdir(), 'svc-images-'));
  const alice = reg.users.find((u) => u.name !== 'reader');
  creds = `${alice?.name ?? ''}:${alice?.password ?? ''}`;
});
afterAll(async () => {
  await client.close();
  await reg.stop();
  rmSync(work, { recursive: true, force: true });
});

const sha = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function skopeo(...args: string[]): Promise<Buffer> {
  const { stdout } = await run('skopeo', args, { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

describe('images against the real registry', () => {
  it('pushes a multi-arch layout and pulls it back, one platform or all, byte for byte', async () => {
    const src = join(work, 'src-multi');
    const top = writeLayout(src, 'v1', ['amd64', 'arm64']);
    const ref = `${reg.host}/images/multi:v1`;
    const pushed = await client.images.push(src, ref);
    expect(pushed.digest).toBe(top);
    expect(pushed.manifests).toBe(3);
    expect(pushed.blobsTransferred).toBe(6);
    // Pushing again moves no blob.
    expect((await client.images.push(src, ref)).blobsTransferred).toBe(0);

    const all = join(work, 'pull-all');
    const events: string[] = [];
    const pulled = await client.images.pull(ref, all, { allPlatforms: true, onBlob: (b) => events.push(b.state) });
    expect(pulled.digest).toBe(top);
    expect(events).toEqual(Array(6).fill('transferred'));
    expect(layoutBlobs(all)).toEqual(layoutBlobs(src));
    const index = JSON.parse(readFileSync(join(all, 'index.json'), 'utf8')) as { manifests: { digest: string; annotations: Record<string, string> }[] };
    expect(index.manifests).toHaveLength(1);
    expect(index.manifests[0]?.digest).toBe(top);
    expect(index.manifests[0]?.annotations['org.opencontainers.image.ref.name']).toBe('v1');

    const arm = join(work, 'pull-arm');
    const one = await client.images.pull(ref, arm, { platform: 'linux/arm64' });
    expect(one.digest).toBe((await client.manifests.getForPlatform(ref, 'linux/arm64')).digest);
    expect(listFiles(arm).filter((f) => f.startsWith('blobs/'))).toHaveLength(4);
    // skopeo reads what we pulled.
    const raw = await skopeo('inspect', '--raw', `oci:${arm}:v1`);
    expect(sha(raw)).toBe(one.digest);
  });

  it('copies within a registry by mounting and to another registry by streaming', async () => {
    const src = join(work, 'src-copy');
    const top = writeLayout(src, 'c1', ['amd64', 'arm64']);
    await client.images.push(src, `${reg.host}/images/copy-src:c1`);
    const mounted = await client.images.copy(`${reg.host}/images/copy-src:c1`, `${reg.host}/images/copy-dst:c1`, { allPlatforms: true });
    expect(mounted.digest).toBe(top);
    expect(mounted.blobsTransferred).toBe(0);
    expect(mounted.blobsSkipped).toBe(6);
    const again: string[] = [];
    await client.images.copy(`${reg.host}/images/copy-src:c1`, `${reg.host}/images/copy-dst:c1`, { allPlatforms: true, onBlob: (b) => again.push(b.state) });
    expect(again).toEqual(Array(6).fill('skipped'));
    const other = await startRealRegistry({ auth: 'token' });
    try {
      // One client, two registries: credentials for both come from one DOCKER_CONFIG.
      const { dockerConfigDir } = await import('./helpers.js');
      const alice = reg.users.find((u) => u.name !== 'reader');
      const alice2 = other.users.find((u) => u.name !== 'reader');
      const cfg = dockerConfigDir(reg.host, alice?.name ?? '', alice?.password ?? '');
      const { writeFileSync } = await import('node:fs');
      const auth = (n: string, p: string): string => Buffer.from(`${n}:${p}`).toString('base64');
      writeFileSync(join(cfg.dir, 'config.json'), JSON.stringify({ auths: { [reg.host]: { auth: auth(alice?.name ?? '', alice?.password ?? '') }, [other.host]: { auth: auth(alice2?.name ?? '', alice2?.password ?? '') } } }));
      const { DockerHubClient } = await import('../src/index.js');
      const both = new DockerHubClient({}, { env: { DOCKER_CONFIG: cfg.dir } });
      try {
        // The whole image by default: the destination digest is the source's.
        const copied = await both.images.copy(`${reg.host}/images/copy-src:c1`, `${other.host}/mirror/copy:c1`);
        expect(copied.digest).toBe(top);
        expect(copied.blobsTransferred).toBe(6);
        const single = await both.images.copy(`${reg.host}/images/copy-src:c1`, `${other.host}/mirror/amd:c1`, { platform: 'linux/amd64' });
        expect(single.digest).toBe((await both.manifests.getForPlatform(`${reg.host}/images/copy-src:c1`, 'linux/amd64')).digest);
        // Another repository on the other registry: its blobs are not linked there yet, so they move.
        expect(single.blobsTransferred).toBe(3);
      } finally {
        await both.close();
        cfg.remove();
      }
    } finally {
      await other.stop();
    }
  });

  it('refuses to push a layout whose blob was damaged, and names missing images', async () => {
    const src = join(work, 'src-bad');
    writeLayout(src, 'b1', ['amd64']);
    const blobs = [...layoutBlobs(src).entries()];
    const victim = blobs.find(([, b]) => b[0] === 0x1f);
    expect(victim).toBeDefined();
    const { writeFileSync } = await import('node:fs');
    if (victim !== undefined) writeFileSync(join(src, 'blobs', 'sha256', victim[0]), Buffer.concat([victim[1], Buffer.from('x')]));
    await expect(client.images.push(src, `${reg.host}/images/bad:b1`)).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    await expect(client.images.push(src, `${reg.host}/images/bad:nope`)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('skopeo interop', () => {
  it('reads an image pushed by our client with identical digests (inspect --raw, copy)', async () => {
    const src = join(work, 'ours');
    const top = writeLayout(src, 'o1', ['amd64', 'arm64']);
    const ref = `${reg.host}/interop/ours:o1`;
    await client.images.push(src, ref);
    const raw = await skopeo('inspect', '--raw', '--tls-verify=false', '--creds', creds, `docker://${ref}`);
    expect(sha(raw)).toBe(top);
    const out = join(work, 'skopeo-out');
    await skopeo('copy', '--all', '--src-tls-verify=false', '--src-creds', creds, `docker://${ref}`, `oci:${out}:o1`);
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    expect(index.manifests[0]?.digest).toBe(top);
    expect(layoutBlobs(out)).toEqual(layoutBlobs(src));
  });

  it('pulls an image pushed by skopeo copy --all into a layout with byte-identical blobs', async () => {
    const src = join(work, 'theirs');
    const top = writeLayout(src, 't1', ['amd64', 'arm64', 's390x']);
    const ref = `${reg.host}/interop/theirs:t1`;
    await skopeo('copy', '--all', '--dest-tls-verify=false', '--dest-creds', creds, `oci:${src}:t1`, `docker://${ref}`);
    const dest = join(work, 'theirs-pulled');
    const pulled = await client.images.pull(ref, dest, { allPlatforms: true });
    expect(pulled.digest).toBe(top);
    expect(layoutBlobs(dest)).toEqual(layoutBlobs(src));
    // And skopeo reads our layout back with the same digest.
    expect(sha(await skopeo('inspect', '--raw', `oci:${dest}:t1`))).toBe(top);
  });
});
