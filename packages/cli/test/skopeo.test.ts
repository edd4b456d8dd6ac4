// Interop with skopeo: `skopeo copy --all` into `dhub serve` and back, and `dhub push` read by
// `skopeo inspect`, with identical digests.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GeneratedImage } from '../src/internal/demo-image.js';
import { cleanEnv, runBin, startBackground, writeTestLayout, type Background } from './helpers.js';

const run = promisify(execFile);
const sha = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('skopeo and dhub serve', () => {
  let server: Background;
  let env: NodeJS.ProcessEnv;
  let work: string;
  let image: GeneratedImage;
  const skopeo = async (...args: string[]) =>
    (await run('skopeo', args, { env, timeout: 60_000 })).stdout;

  beforeAll(async () => {
    env = await cleanEnv();
    work = await mkdtemp(join(tmpdir(), 'dhub-skopeo-'));
    image = await writeTestLayout(join(work, 'src'), 'v1', 'skopeo interop');
    server = await startBackground(['serve', '--auth', 'token', '--user', 'alice:alice-pw'], env);
    const login = await runBin(['login', server.host, '-u', 'alice', '--password-stdin'], {
      env,
      stdin: 'alice-pw',
    });
    expect(login.code).toBe(0);
  });
  afterAll(async () => {
    await server.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('skopeo copy --all in (with the login dhub stored), dhub pull back, skopeo copy --all out', async () => {
    const ref = `${server.host}/alice/multi:v1`;
    await skopeo(
      'copy',
      '--all',
      '--dest-tls-verify=false',
      `oci:${join(work, 'src')}:v1`,
      `docker://${ref}`,
    );
    expect((await runBin(['digest', ref], { env })).stdout).toBe(`${image.index.digest}\n`);
    const pulled = await runBin(['pull', ref, join(work, 'dhub-out'), '--all-platforms'], { env });
    expect(pulled.code).toBe(0);
    for (const b of [...image.blobs, ...image.manifests, image.index]) {
      expect(
        sha(await readFile(join(work, 'dhub-out', 'blobs', 'sha256', b.digest.slice(7)))),
      ).toBe(b.digest);
    }
    // What dhub wrote is a layout skopeo reads.
    const raw = await skopeo('inspect', '--raw', `oci:${join(work, 'dhub-out')}:v1`);
    expect(sha(Buffer.from(raw))).toBe(image.index.digest);
    await skopeo(
      'copy',
      '--all',
      '--src-tls-verify=false',
      `docker://${ref}`,
      `oci:${join(work, 'skopeo-out')}:v1`,
    );
    const index = JSON.parse(await readFile(join(work, 'skopeo-out', 'index.json'), 'utf8')) as {
      manifests: { digest: string }[];
    };
    expect(index.manifests[0]?.digest).toBe(image.index.digest);
  });

  it('dhub push, then skopeo inspect sees the same digests', async () => {
    const ref = `${server.host}/alice/pushed:v2`;
    expect((await runBin(['push', join(work, 'src'), ref], { env })).code).toBe(0);
    const raw = await skopeo('inspect', '--raw', '--tls-verify=false', `docker://${ref}`);
    expect(sha(Buffer.from(raw))).toBe(image.index.digest);
    const arm = JSON.parse(
      await skopeo(
        'inspect',
        '--tls-verify=false',
        '--override-arch',
        'arm64',
        '--override-os',
        'linux',
        `docker://${ref}`,
      ),
    ) as { Digest: string; Architecture: string; Layers: string[] };
    // skopeo reports the top-level digest and the chosen platform's image.
    expect(arm).toMatchObject({
      Digest: image.index.digest,
      Architecture: 'arm64',
      Layers: [image.blobs[2]?.digest],
    });
    const tags = JSON.parse(
      await skopeo('list-tags', '--tls-verify=false', `docker://${server.host}/alice/pushed`),
    ) as { Tags: string[] };
    expect(tags.Tags).toEqual(['v2']);
  });
});
