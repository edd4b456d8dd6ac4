// The commands run in-process (runCli with captured streams) against an in-process `dhub serve`:
// the same behaviour as the subprocess suites, measured by coverage, plus the JSON forms.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GeneratedImage } from '../src/internal/demo-image.js';
import { cleanEnv, runInProcess, startInProcess, writeTestLayout } from './helpers.js';

describe('commands in-process', () => {
  let serve: Awaited<ReturnType<typeof startInProcess>>;
  let env: NodeJS.ProcessEnv;
  let work: string;
  let image: GeneratedImage;
  let repo: string;

  beforeAll(async () => {
    env = await cleanEnv();
    work = await mkdtemp(join(tmpdir(), 'dhub-inproc-'));
    image = await writeTestLayout(join(work, 'layout'), 'v1');
    serve = await startInProcess(
      [
        'serve',
        '--auth',
        'basic',
        '--user',
        'bob:bob-pw',
        '--rate-limit',
        '50/600',
        '--storage',
        join(work, 'store'),
      ],
      env,
      'stdout',
    );
    repo = `${serve.host}/bob/app`;
  });
  afterAll(async () => {
    expect(await serve.stop()).toBe(0);
    await rm(work, { recursive: true, force: true });
  });

  const dhub = (argv: string[], stdin?: string) =>
    runInProcess(argv, { env, cwd: work, ...(stdin === undefined ? {} : { stdin }) });

  it('logs in (JSON), pushes by DIR:NAME, reads back every way', async () => {
    expect((await dhub(['login', serve.host, '-u', 'bob', '--password-stdin'], 'nope')).code).toBe(
      1,
    );
    const login = await dhub(
      ['login', `http://${serve.host}`, '-u', 'bob', '--password-stdin', '--json'],
      'bob-pw\n',
    );
    expect(JSON.parse(login.stdout)).toEqual({
      registry: serve.host,
      username: 'bob',
      storedIn: 'docker-config',
    });
    const push = await dhub(['push', 'layout:v1', `${repo}:v1`, '--json']);
    expect(JSON.parse(push.stdout)).toMatchObject({
      digest: image.index.digest,
      manifests: 3,
      blobsTransferred: 4,
    });
    const again = await dhub(['push', 'layout', `${repo}:v1`, '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ blobsTransferred: 0, blobsSkipped: 4 });
    expect((await dhub(['push', 'layout:nope', `${repo}:v1`])).stderr).toMatch(
      /^INVALID_ARGUMENT: /,
    );
    expect((await dhub(['tags', repo])).stdout).toBe('v1\n');
    const manifest = await dhub(['manifest', `${repo}:v1`]);
    expect(manifest.stdoutBytes.equals(Buffer.from(image.index.bytes))).toBe(true);
    const digest = JSON.parse(
      (await dhub(['digest', `${repo}:v1`, '--platform', 'linux/amd64', '--json'])).stdout,
    ) as { digest: string };
    expect(digest.digest).toBe(image.manifests[0]?.digest);
    const config = image.blobs[1];
    expect(
      (await dhub(['blob', `${repo}@${config?.digest ?? ''}`])).stdoutBytes.equals(
        Buffer.from(config?.bytes ?? []),
      ),
    ).toBe(true);
  });

  it('pulls, tags, copies, reports the rate limit, deletes', async () => {
    const pull = await dhub(['pull', `${repo}:v1`, 'out', '--platform', 'linux/arm64', '--json']);
    expect(JSON.parse(pull.stdout)).toMatchObject({
      digest: image.manifests[1]?.digest,
      manifests: 1,
    });
    const index = JSON.parse(await readFile(join(work, 'out', 'index.json'), 'utf8')) as {
      manifests: { digest: string }[];
    };
    expect(index.manifests[0]?.digest).toBe(image.manifests[1]?.digest);
    expect(JSON.parse((await dhub(['tag', `${repo}:v1`, 'v1.0', '--json'])).stdout)).toEqual({
      reference: `${repo}:v1.0`,
      digest: image.index.digest,
    });
    const copy = await dhub([
      'copy',
      `${repo}:v1`,
      `${serve.host}/bob/other:v1`,
      '--platform',
      'linux/arm64',
      '--json',
    ]);
    expect(JSON.parse(copy.stdout)).toMatchObject({ digest: image.manifests[1]?.digest });
    const rate = await dhub(['rate-limit', `${repo}:v1`]);
    expect(rate.stdout).toMatch(/^limit: 50 per 600s\nremaining: \d+\nsource: /);
    const del = await dhub(['delete', `${serve.host}/bob/other:v1`, '--json']);
    expect(JSON.parse(del.stdout)).toMatchObject({
      via: 'registry',
      digest: image.manifests[1]?.digest,
    });
    expect((await dhub(['delete', `${serve.host}/bob/other:v1`])).code).toBe(1);
  });

  it('logs out, and fails without credentials', async () => {
    expect(JSON.parse((await dhub(['logout', serve.host, '--json'])).stdout)).toEqual({
      registry: serve.host,
      removed: true,
    });
    const r = await dhub(['tags', repo, '--debug']);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toMatch(/^UNAUTHORIZED: /);
    expect(r.stderr).toContain('    at ');
  });

  it('logs in from the library variables; a secret never shows, even with --debug', async () => {
    const secret = 'wrong-Secret-9d8e7f';
    const wrong = await runInProcess(['login', serve.host, '--debug'], {
      env: { ...env, DOCKER_HUB_USERNAME: 'bob', DOCKER_HUB_ACCESS_TOKEN: secret },
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^UNAUTHORIZED: /);
    expect(wrong.stdout + wrong.stderr).not.toContain(secret);
    const right = await runInProcess(['login', serve.host], {
      env: { ...env, DOCKER_HUB_USERNAME: 'bob', DOCKER_HUB_PASSWORD: 'bob-pw' },
    });
    expect(right).toMatchObject({ code: 0, stdout: 'Login Succeeded\n' });
    expect((await dhub(['logout', serve.host])).code).toBe(0);
  });

  it('a failed pull into an existing directory keeps the directory and adds nothing', async () => {
    const r = await dhub(['pull', `${repo}:missing`, 'layout']);
    expect(r.code).toBe(1);
    expect(existsSync(join(work, 'layout', 'index.json'))).toBe(true);
  });

  it('reads the config file given with --config and reports a bad one', async () => {
    const bad = await dhub(['tags', repo, '--config', 'missing.yaml']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^CONFIG_INVALID: /);
  });
});

describe('webhook listen in-process', () => {
  it('prints accepted events and stops on abort', async () => {
    const env = await cleanEnv();
    const hook = await startInProcess(
      ['webhook', 'listen', '--no-secret', '--exec', 'exit 3'],
      env,
      'stderr',
    );
    const body = JSON.stringify({
      push_data: { tag: 't1', pusher: 'p', pushed_at: 1_700_000_000 },
      repository: { repo_name: 'p/r', name: 'r', namespace: 'p' },
    });
    const res = await fetch(`${hook.url}/`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(hook.out().trim())).toMatchObject({
      repository: 'p/r',
      tag: 't1',
      pusher: 'p',
    });
    expect(await hook.stop()).toBe(0);
  });
});
