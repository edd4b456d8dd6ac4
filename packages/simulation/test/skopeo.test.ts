// Real client interop: skopeo 1.9 pushes, inspects, lists, pulls and deletes a multi-arch image
// through the simulator over loopback with token auth on.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../src/index.js';
import { writeMultiArchLayout, type Layout } from './oci-layout.js';

const run = promisify(execFile);
const skopeo = async (...args: string[]) => (await run('skopeo', args, { timeout: 60_000 })).stdout;

describe('skopeo against the simulator (token auth, loopback)', () => {
  let sim: Simulator;
  let url: string;
  let host: string;
  let work: string;
  let layout: Layout;
  const creds = 'alice:alice-secret-pw';
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'sim-skopeo-'));
    layout = await writeMultiArchLayout(join(work, 'src'), 'v1');
    sim = createSimulator({
      profile: 'oci',
      auth: 'token',
      users: [{ name: 'alice', password: 'alice-secret-pw', namespaces: ['alice'] }],
    });
    url = (await sim.listen()).url;
    host = new URL(url).host;
  });
  afterAll(async () => {
    await sim.close();
    await rm(work, { recursive: true, force: true });
  });

  it('copies --all into the simulator, inspects, lists, copies back with identical digests, deletes', async () => {
    await skopeo(
      'copy',
      '--all',
      '--dest-tls-verify=false',
      '--dest-creds',
      creds,
      `oci:${layout.dir}:v1`,
      `docker://${host}/alice/multi:v1`,
    );
    expect(
      sim.tokenRequests.some(
        (r) => r.account === 'alice' && r.scopes.some((s) => s.includes('push')),
      ),
    ).toBe(true);

    const raw = await skopeo(
      'inspect',
      '--raw',
      '--tls-verify=false',
      '--creds',
      creds,
      `docker://${host}/alice/multi:v1`,
    );
    const srcIndex = await readFile(
      join(layout.dir, 'blobs', 'sha256', layout.indexDigest.slice(7)),
      'utf8',
    );
    expect(raw).toBe(srcIndex);

    const tags = JSON.parse(
      await skopeo(
        'list-tags',
        '--tls-verify=false',
        '--creds',
        creds,
        `docker://${host}/alice/multi`,
      ),
    ) as { Tags: string[] };
    expect(tags.Tags).toEqual(['v1']);

    const out = join(work, 'out');
    await skopeo(
      'copy',
      '--all',
      '--src-tls-verify=false',
      '--src-creds',
      creds,
      `docker://${host}/alice/multi:v1`,
      `oci:${out}:v1`,
    );
    const outIndex = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as {
      manifests: { digest: string }[];
    };
    expect(outIndex.manifests[0]?.digest).toBe(layout.indexDigest);
    const outBlobs = (await readdir(join(out, 'blobs', 'sha256'))).map((h) => `sha256:${h}`).sort();
    expect(outBlobs).toEqual(
      [layout.indexDigest, ...layout.manifestDigests, ...layout.blobDigests].sort(),
    );

    await skopeo(
      'delete',
      '--tls-verify=false',
      '--creds',
      creds,
      `docker://${host}/alice/multi:v1`,
    );
    await expect(
      skopeo(
        'inspect',
        '--raw',
        '--tls-verify=false',
        '--creds',
        creds,
        `docker://${host}/alice/multi:v1`,
      ),
    ).rejects.toThrow(/manifest unknown|not found/i);
  });

  it('refuses a push with wrong credentials', async () => {
    await expect(
      skopeo(
        'copy',
        '--all',
        '--dest-tls-verify=false',
        '--dest-creds',
        'alice:wrong',
        `oci:${layout.dir}:v1`,
        `docker://${host}/alice/denied:v1`,
      ),
    ).rejects.toThrow(/unauthorized|authentication/i);
  });
});

describe('skopeo against the dockerhub profile', () => {
  it('pushes and inspects through the Docker Hub token flow; delete is refused as on Docker Hub', async () => {
    const work = await mkdtemp(join(tmpdir(), 'sim-skopeo-hub-'));
    const sim = createSimulator({
      profile: 'dockerhub',
      users: [{ name: 'hubuser', password: 'hub-pw-123', namespaces: ['hubuser'] }],
    });
    try {
      const layout = await writeMultiArchLayout(join(work, 'src'), 'v1');
      const host = new URL((await sim.listen()).url).host;
      const creds = 'hubuser:hub-pw-123';
      await skopeo(
        'copy',
        '--all',
        '--dest-tls-verify=false',
        '--dest-creds',
        creds,
        `oci:${layout.dir}:v1`,
        `docker://${host}/hubuser/app:v1`,
      );
      const raw = await skopeo(
        'inspect',
        '--raw',
        '--tls-verify=false',
        `docker://${host}/hubuser/app:v1`,
      );
      expect(createHash('sha256').update(raw).digest('hex')).toBe(layout.indexDigest.slice(7));
      await expect(
        skopeo('inspect', '--raw', '--tls-verify=false', `docker://${host}/nobody/missing:v1`),
      ).rejects.toThrow(/unauthorized|denied|authentication/i);
      await expect(
        skopeo('delete', '--tls-verify=false', '--creds', creds, `docker://${host}/hubuser/app:v1`),
      ).rejects.toThrow(/unsupported|405/i);
    } finally {
      await sim.close();
      await rm(work, { recursive: true, force: true });
    }
  });
});
