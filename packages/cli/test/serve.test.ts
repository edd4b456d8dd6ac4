// Every registry command as a subprocess against `dhub serve` (token auth, rate limits on).
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GeneratedImage } from '../src/internal/demo-image.js';
import { cleanEnv, runBin, startBackground, writeTestLayout, type Background } from './helpers.js';

describe('dhub commands against dhub serve (token auth)', () => {
  let server: Background;
  let env: NodeJS.ProcessEnv;
  let work: string;
  let image: GeneratedImage;
  let repo: string;
  const password = 'alice-pw-7f3a9c';

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'dhub-serve-'));
    env = await cleanEnv();
    image = await writeTestLayout(join(work, 'layout'), 'v1');
    server = await startBackground(
      ['serve', '--auth', 'token', '--user', `alice:${password}`, '--rate-limit', '100/3600'],
      env,
    );
    repo = `${server.host}/alice/app`;
  });
  afterAll(async () => {
    expect(await server.stop('SIGINT')).toBe(0);
    await rm(work, { recursive: true, force: true });
  });

  const dhub = (args: string[], stdin?: string) =>
    runBin(args, { env, cwd: work, ...(stdin === undefined ? {} : { stdin }) });

  it('prints exactly one line, listening URL, on start', () => {
    expect(server.stdout()).toBe(`listening ${server.url}\n`);
  });

  it('refuses a push without login (exit 1, one line, no stack)', async () => {
    const r = await dhub(['push', 'layout', `${repo}:v1`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^UNAUTHORIZED: .*\n$/);
  });

  it('login: wrong password exits 1 and stores nothing; right one stores it for docker and skopeo', async () => {
    const wrong = await dhub(['login', server.host, '-u', 'alice', '--password-stdin'], 'nope\n');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^UNAUTHORIZED: /);
    expect(existsSync(join(env['DOCKER_CONFIG'] ?? '', 'config.json'))).toBe(false);
    const ok = await dhub(
      ['login', server.host, '-u', 'alice', '--password-stdin'],
      `${password}\n`,
    );
    expect(ok).toMatchObject({ code: 0, stdout: 'Login Succeeded\n' });
    expect(ok.stdout + ok.stderr).not.toContain(password);
    const config = JSON.parse(
      await readFile(join(env['DOCKER_CONFIG'] ?? '', 'config.json'), 'utf8'),
    ) as {
      auths: Record<string, { auth: string }>;
    };
    expect(Buffer.from(config.auths[server.host]?.auth ?? '', 'base64').toString()).toBe(
      `alice:${password}`,
    );
  });

  it('push, then tags, manifest (exact bytes), digest, --platform and blob', async () => {
    const push = await dhub(['push', 'layout', `${repo}:v1`]);
    expect(push).toMatchObject({ code: 0, stdout: `${image.index.digest}\n`, stderr: '' });
    expect(await dhub(['tags', repo])).toMatchObject({ code: 0, stdout: 'v1\n' });
    expect(JSON.parse((await dhub(['tags', repo, '--json'])).stdout)).toEqual({
      name: 'alice/app',
      tags: ['v1'],
    });
    const manifest = await dhub(['manifest', `${repo}:v1`]);
    expect(manifest.code).toBe(0);
    expect(manifest.stdoutBytes.equals(Buffer.from(image.index.bytes))).toBe(true);
    const arm = image.manifests[1];
    const armManifest = await dhub(['manifest', `${repo}:v1`, '--platform', 'linux/arm64']);
    expect(armManifest.stdoutBytes.equals(Buffer.from(arm?.bytes ?? []))).toBe(true);
    const json = JSON.parse(
      (await dhub(['manifest', `${repo}:v1`, '--platform', 'linux/arm64', '--json'])).stdout,
    ) as Record<string, unknown>;
    expect(json).toMatchObject({
      digest: arm?.digest,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
    });
    expect((await dhub(['digest', `${repo}:v1`])).stdout).toBe(`${image.index.digest}\n`);
    expect((await dhub(['digest', `${repo}:v1`, '--platform', 'linux/arm64'])).stdout).toBe(
      `${arm?.digest ?? ''}\n`,
    );
    const layer = image.blobs[2];
    const blob = await dhub(['blob', `${repo}@${layer?.digest ?? ''}`]);
    expect(blob.code).toBe(0);
    expect(blob.stdoutBytes.equals(Buffer.from(layer?.bytes ?? []))).toBe(true);
  });

  it('pull one platform and all platforms into OCI layouts', async () => {
    const one = await dhub(['pull', `${repo}:v1`, 'arm', '--platform', 'linux/arm64']);
    expect(one).toMatchObject({ code: 0, stdout: `${image.manifests[1]?.digest ?? ''}\n` });
    const all = await dhub(['pull', `${repo}:v1`, 'all', '--all-platforms', '--json']);
    expect(all.code).toBe(0);
    expect(JSON.parse(all.stdout)).toMatchObject({ digest: image.index.digest, manifests: 3 });
    const files = await readdir(join(work, 'all', 'blobs', 'sha256'));
    expect(files.sort()).toEqual(
      [...image.blobs, ...image.manifests, image.index].map((b) => b.digest.slice(7)).sort(),
    );
  });

  it('tag, copy --all-platforms, delete', async () => {
    expect((await dhub(['tag', `${repo}:v1`, 'stable'])).code).toBe(0);
    expect((await dhub(['tags', repo])).stdout.split('\n').filter(Boolean).sort()).toEqual([
      'stable',
      'v1',
    ]);
    const copy = await dhub([
      'copy',
      `${repo}:v1`,
      `${server.host}/alice/copy:v2`,
      '--all-platforms',
    ]);
    expect(copy).toMatchObject({ code: 0, stdout: `${image.index.digest}\n` });
    expect((await dhub(['digest', `${server.host}/alice/copy:v2`])).stdout).toBe(
      `${image.index.digest}\n`,
    );
    expect((await dhub(['delete', `${server.host}/alice/copy@${image.index.digest}`])).code).toBe(
      0,
    );
    const gone = await dhub(['digest', `${server.host}/alice/copy:v2`]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^(MANIFEST_UNKNOWN|NOT_FOUND): /);
  });

  it('rate-limit reads the window from a HEAD without spending a pull', async () => {
    const first = JSON.parse((await dhub(['rate-limit', `${repo}:v1`, '--json'])).stdout) as {
      limit: number;
      remaining: number;
    };
    expect(first).toMatchObject({ limited: true, limit: 100, windowSeconds: 3600 });
    const again = JSON.parse((await dhub(['rate-limit', `${repo}:v1`, '--json'])).stdout) as {
      remaining: number;
    };
    expect(again.remaining).toBe(first.remaining);
    expect((await dhub(['rate-limit', `${repo}:v1`])).stdout).toMatch(
      /^limit: 100 per 3600s\nremaining: \d+\n/,
    );
  });

  it('a missing image fails the pull with exit 1 and leaves no directory', async () => {
    const r = await dhub(['pull', `${repo}:missing`, 'nothing']);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(existsSync(join(work, 'nothing'))).toBe(false);
  });

  it('logout removes the credentials', async () => {
    expect(await dhub(['logout', server.host])).toMatchObject({
      code: 0,
      stdout: `Removing login credentials for ${server.host}\n`,
    });
    expect((await dhub(['logout', server.host])).stdout).toBe(`Not logged in to ${server.host}\n`);
    const anonymous = await dhub(['push', 'layout', `${repo}:v3`]);
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toMatch(/^UNAUTHORIZED: /);
  });
});

describe('dhub serve faults and storage', () => {
  it('a digest-corrupting registry fails pull and blob cleanly: exit 1, no files, nothing on stdout', async () => {
    const env = await cleanEnv();
    const work = await mkdtemp(join(tmpdir(), 'dhub-corrupt-'));
    const image = await writeTestLayout(join(work, 'layout'), 'v1');
    const server = await startBackground(
      ['serve', '--fault', 'corrupt,method=GET,path=/blobs/sha256:'],
      env,
    );
    try {
      const ref = `${server.host}/team/app:v1`;
      expect((await runBin(['push', 'layout', ref], { env, cwd: work })).code).toBe(0);
      const pull = await runBin(['pull', ref, 'out', '--platform', 'linux/arm64'], {
        env,
        cwd: work,
      });
      expect(pull.code).toBe(1);
      expect(pull.stderr).toMatch(/^DIGEST_MISMATCH: /);
      expect(existsSync(join(work, 'out'))).toBe(false);
      const blob = await runBin(
        ['blob', `${server.host}/team/app@${image.blobs[0]?.digest ?? ''}`],
        { env, cwd: work },
      );
      expect(blob.code).toBe(1);
      expect(blob.stdout).toBe('');
    } finally {
      await server.stop();
      await rm(work, { recursive: true, force: true });
    }
  });

  it('keeps directory storage across a SIGTERM restart', async () => {
    const env = await cleanEnv();
    const work = await mkdtemp(join(tmpdir(), 'dhub-storage-'));
    try {
      await writeTestLayout(join(work, 'layout'), 'v1');
      const first = await startBackground(['serve', '--storage', join(work, 'data')], env);
      expect(
        (await runBin(['push', 'layout', `${first.host}/keep/app:v1`], { env, cwd: work })).code,
      ).toBe(0);
      expect(await first.stop('SIGTERM')).toBe(0);
      const second = await startBackground(['serve', '--storage', join(work, 'data')], env);
      try {
        expect((await runBin(['tags', `${second.host}/keep/app`], { env })).stdout).toBe('v1\n');
      } finally {
        await second.stop();
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });

  it("takes the profile's auth default when --auth is not given", async () => {
    const env = await cleanEnv();
    const hub = await startBackground(['serve', '--profile', 'dockerhub'], env);
    const plain = await startBackground(['serve', '--profile', 'distribution'], env);
    try {
      const challenge = await fetch(`${hub.url}/v2/`);
      await challenge.arrayBuffer();
      expect(challenge.status).toBe(401);
      expect(challenge.headers.get('www-authenticate')).toMatch(/^Bearer /);
      const open = await fetch(`${plain.url}/v2/`);
      await open.arrayBuffer();
      expect(open.status).toBe(200);
    } finally {
      await hub.stop();
      await plain.stop();
    }
  });

  it('bad serve options exit 2 with the usage line', async () => {
    const r = await runBin(['serve', '--auth', 'kerberos'], { env: await cleanEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage: dhub serve');
  });
});
