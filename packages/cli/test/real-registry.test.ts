// Every registry command as a subprocess against the real CNCF distribution registry (2.8), with
// token auth and with Basic auth; credentials only through DOCKER_CONFIG (written by `dhub login`).
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerHubClient } from '@llmdevops/docker-hub-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealRegistry, type RealRegistry } from '../../../tooling/registry/real-registry.js';
import { type GeneratedImage } from '../src/internal/demo-image.js';
import { cleanEnv, runBin, writeTestLayout } from './helpers.js';

describe.each(['token', 'basic'] as const)('dhub against the real registry (%s auth)', (auth) => {
  let registry: RealRegistry;
  let env: NodeJS.ProcessEnv;
  let work: string;
  let image: GeneratedImage;
  let repo: string;

  beforeAll(async () => {
    registry = await startRealRegistry({ auth });
    env = await cleanEnv();
    work = await mkdtemp(join(tmpdir(), `dhub-real-${auth}-`));
    image = await writeTestLayout(join(work, 'layout'), 'v1', `real ${auth}`);
    repo = `${registry.host}/alice/app`;
  });
  afterAll(async () => {
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  });

  const dhub = (args: string[], stdin?: string) =>
    runBin(args, { env, cwd: work, ...(stdin === undefined ? {} : { stdin }) });
  const password = (name: string): string =>
    registry.users.find((u) => u.name === name)?.password ?? '';

  it('login refuses a wrong password (exit 1) and accepts the right one', async () => {
    const wrong = await dhub(
      ['login', registry.host, '-u', 'alice', '--password-stdin'],
      'not-the-password',
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^UNAUTHORIZED: /);
    expect(existsSync(join(env['DOCKER_CONFIG'] ?? '', 'config.json'))).toBe(false);
    const ok = await dhub(
      ['login', registry.host, '-u', 'alice', '--password-stdin'],
      password('alice'),
    );
    expect(ok.stderr).toBe('');
    expect(ok).toMatchObject({ code: 0, stdout: 'Login Succeeded\n' });
  });

  it('push, tags, manifest, digest, blob', async () => {
    expect(await dhub(['push', 'layout', `${repo}:v1`])).toMatchObject({
      code: 0,
      stdout: `${image.index.digest}\n`,
    });
    expect((await dhub(['tags', repo])).stdout).toBe('v1\n');
    expect(
      (await dhub(['manifest', `${repo}:v1`])).stdoutBytes.equals(Buffer.from(image.index.bytes)),
    ).toBe(true);
    const arm = image.manifests[1];
    expect((await dhub(['digest', `${repo}:v1`, '--platform', 'linux/arm64'])).stdout).toBe(
      `${arm?.digest ?? ''}\n`,
    );
    expect((await dhub(['digest', `${repo}:v1`, '--json'])).stdout).toContain(image.index.digest);
    const layer = image.blobs[0];
    expect(
      (await dhub(['blob', `${repo}@${layer?.digest ?? ''}`])).stdoutBytes.equals(
        Buffer.from(layer?.bytes ?? []),
      ),
    ).toBe(true);
  });

  it('pull --all-platforms, tag, copy, rate-limit, delete', async () => {
    expect((await dhub(['pull', `${repo}:v1`, 'pulled', '--all-platforms'])).code).toBe(0);
    expect(await readdir(join(work, 'pulled', 'blobs', 'sha256'))).toHaveLength(7);
    expect((await dhub(['tag', `${repo}:v1`, 'v1-copy'])).code).toBe(0);
    expect(
      (await dhub(['copy', `${repo}:v1`, `${registry.host}/alice/mirror:v1`, '--all-platforms']))
        .stdout,
    ).toBe(`${image.index.digest}\n`);
    expect((await dhub(['rate-limit', `${repo}:v1`])).stdout).toBe(
      `no rate limit reported for ${registry.host}\n`,
    );
    expect(
      (await dhub(['delete', `${registry.host}/alice/mirror@${image.index.digest}`])).code,
    ).toBe(0);
    const gone = await dhub(['manifest', `${registry.host}/alice/mirror:v1`]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^(MANIFEST_UNKNOWN|NOT_FOUND): .*\n$/);
  });

  it('scan reads a report attached through the referrers tag fallback (2.8 has no referrers API)', async () => {
    const client = new DockerHubClient({}, { env });
    try {
      const report = await readFile(
        new URL('../../../fixtures/vuln-reports/trivy-alpine.json', import.meta.url),
        'utf8',
      );
      await client.vulnerabilities.attach(`${repo}:v1`, report);
    } finally {
      await client.close();
    }
    const scan = await dhub(['scan', `${repo}:v1`, '--json']);
    expect(scan.code).toBe(0);
    expect(JSON.parse(scan.stdout)).toMatchObject({
      found: true,
      digest: image.index.digest,
      scanner: { name: 'Trivy' },
    });
  });

  it('token grants decide pushes (htpasswd has no per-user rights); logout forgets the login', async () => {
    await dhub(['logout', registry.host]);
    expect(
      (await dhub(['login', registry.host, '-u', 'reader', '--password-stdin'], password('reader')))
        .code,
    ).toBe(0);
    const push = await dhub(['push', 'layout', `${repo}:v2`]);
    if (auth === 'token') {
      expect(push.code).toBe(1);
      expect(push.stderr).toMatch(/^(DENIED|UNAUTHORIZED): /);
    } else {
      expect(push).toMatchObject({ code: 0, stdout: `${image.index.digest}\n` });
    }
    expect((await dhub(['tags', repo])).code).toBe(0);
    expect((await dhub(['logout', registry.host])).code).toBe(0);
    const anonymous = await dhub(['tags', repo]);
    expect(anonymous.code).toBe(1);
  });
});
