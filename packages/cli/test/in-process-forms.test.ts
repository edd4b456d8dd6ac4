// Output forms (text, --quiet, --json) and argument errors of the commands, run in-process
// (runCli with captured streams) against an in-process `dhub serve` without auth or rate limits.
// The subprocess suites cover the binary; these are the runs coverage measures.
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GeneratedImage } from '../src/internal/demo-image.js';
import { cleanEnv, runInProcess, startInProcess, writeTestLayout } from './helpers.js';

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
}

describe('command output forms in-process', () => {
  let serve: Awaited<ReturnType<typeof startInProcess>>;
  let env: NodeJS.ProcessEnv;
  let work: string;
  let image: GeneratedImage;
  let repo: string;

  beforeAll(async () => {
    env = await cleanEnv();
    work = await mkdtemp(join(tmpdir(), 'dhub-forms-'));
    image = await writeTestLayout(join(work, 'layout'), 'v1');
    serve = await startInProcess(['serve', '--no-rate-limit'], env, 'stdout');
    repo = `${serve.host}/team/app`;
    const push = await runInProcess(['push', 'layout', `${repo}:v1`, '--quiet'], {
      env,
      cwd: work,
    });
    expect(push.code).toBe(0);
  });
  afterAll(async () => {
    expect(await serve.stop()).toBe(0);
    await rm(work, { recursive: true, force: true });
  });

  const dhub = (argv: string[], stdin?: string) =>
    runInProcess(argv, { env, cwd: work, ...(stdin === undefined ? {} : { stdin }) });

  it('digest and manifest: text and JSON, index and one platform', async () => {
    expect((await dhub(['digest', `${repo}:v1`])).stdout).toBe(`${image.index.digest}\n`);
    const platform = await dhub(['digest', `${repo}:v1`, '--platform', 'linux/arm64']);
    expect(platform.stdout).toBe(`${image.manifests[1]?.digest}\n`);
    const json = JSON.parse((await dhub(['manifest', `${repo}:v1`, '--json'])).stdout) as {
      digest?: string;
    };
    expect(JSON.stringify(json)).toContain(image.index.digest);
    const one = await dhub(['manifest', `${repo}:v1`, '--platform', 'linux/amd64']);
    expect(one.stdoutBytes.equals(Buffer.from(image.manifests[0]?.bytes ?? []))).toBe(true);
    expect((await dhub(['digest', 'Not A Ref'])).code).toBe(2);
  });

  it('tag and tags: text, quiet and JSON', async () => {
    const tagged = await dhub(['tag', `${repo}:v1`, 'stable']);
    expect(tagged.stdout).toBe(`${repo}:stable@${image.index.digest}\n`);
    expect(await dhub(['tag', `${repo}:v1`, 'quiet', '--quiet'])).toMatchObject({
      code: 0,
      stdout: '',
    });
    expect((await dhub(['tag', `${repo}:v1`, 'bad tag!'])).code).toBe(2);
    expect(JSON.parse((await dhub(['tags', repo, '--json'])).stdout)).toEqual({
      name: 'team/app',
      tags: ['quiet', 'stable', 'v1'],
    });
    expect((await dhub(['tags', `${repo}@${image.index.digest}`])).code).toBe(2);
  });

  it('copy refuses --platform with --all-platforms; copies every platform with --all-platforms', async () => {
    const both = await dhub([
      'copy',
      `${repo}:v1`,
      `${serve.host}/team/all:v1`,
      '--platform',
      'linux/amd64',
      '--all-platforms',
    ]);
    expect(both.code).toBe(2);
    const all = await dhub([
      'copy',
      `${repo}:v1`,
      `${serve.host}/team/all:v1`,
      '--all-platforms',
      '--json',
    ]);
    expect(JSON.parse(all.stdout)).toMatchObject({ digest: image.index.digest });
  });

  it('rate-limit says when the registry reports none, in text and JSON', async () => {
    expect((await dhub(['rate-limit', `${repo}:v1`])).stdout).toBe(
      `no rate limit reported for ${serve.host}\n`,
    );
    expect(JSON.parse((await dhub(['rate-limit', `${repo}:v1`, '--json'])).stdout)).toEqual({
      reference: `${repo}:v1`,
      limited: false,
      limit: null,
      remaining: null,
      windowSeconds: null,
      source: null,
      resetAt: null,
    });
  });

  it('scan reports an image without an attached report, in text and JSON', async () => {
    expect((await dhub(['scan', `${repo}:v1`])).stdout).toBe(
      `no scan report attached to ${repo}:v1\n`,
    );
    expect(JSON.parse((await dhub(['scan', `${repo}:v1`, '--json'])).stdout)).toEqual({
      reference: `${repo}:v1`,
      found: false,
    });
  });

  it('login refuses an empty or missing password on stdin; logout says when not logged in', async () => {
    const empty = await dhub(['login', serve.host, '-u', 'x', '--password-stdin'], '\n');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('no password on stdin');
    expect((await dhub(['logout', serve.host])).stdout).toBe(`Not logged in to ${serve.host}\n`);
    const long = await dhub(
      ['login', serve.host, '-u', 'x', '--password-stdin'],
      'p'.repeat(70_000),
    );
    expect(long.code).toBe(2);
    expect(long.stderr).toContain('password on stdin is too long');
    // No argument and a Docker Hub host both mean Docker Hub, stored under docker.io.
    expect(JSON.parse((await dhub(['logout', '--json'])).stdout)).toEqual({
      registry: 'docker.io',
      removed: false,
    });
    expect((await dhub(['logout', 'registry-1.docker.io'])).stdout).toBe(
      'Not logged in to docker.io\n',
    );
  });

  it('delete: by tag (text, quiet), by digest (JSON), and refuses a bare repository', async () => {
    // A registry deletes a tag by deleting its manifest, so each case works on its own copy.
    const copyTo = async (name: string) => {
      const r = await dhub([
        'copy',
        `${repo}:v1`,
        `${serve.host}/team/${name}:v1`,
        '--all-platforms',
        '--quiet',
      ]);
      expect(r.code).toBe(0);
      return `${serve.host}/team/${name}`;
    };
    const text = await copyTo('del-text');
    expect((await dhub(['delete', `${text}:v1`])).stdout).toBe(`Deleted ${text}:v1\n`);
    const quiet = await copyTo('del-quiet');
    expect(await dhub(['delete', `${quiet}:v1`, '--quiet'])).toMatchObject({ code: 0, stdout: '' });
    const bare = await dhub(['delete', repo]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('REF must name a tag or digest');
    const gone = await copyTo('gone');
    const digest = image.index.digest;
    const del = await dhub(['delete', `${gone}@${digest}`, '--json']);
    expect(del.stderr).toBe('');
    expect(JSON.parse(del.stdout)).toEqual({
      reference: `${gone}@${digest}`,
      via: 'registry',
      digest,
    });
    expect((await dhub(['tags', gone])).stdout).toBe('');
    expect((await dhub(['digest', `${repo}:v1`])).stdout).toBe(`${digest}\n`);
  });

  it('a failed pull into a new directory leaves no directory behind', async () => {
    const r = await dhub(['pull', `${repo}:missing`, 'fresh']);
    expect(r.code).toBe(1);
    expect(existsSync(join(work, 'fresh'))).toBe(false);
  });
});

describe('webhook listen --secret in-process', () => {
  const secret = 'forms-secret-42';
  const payload = JSON.stringify({
    push_data: { tag: 't9', pusher: 'carol', pushed_at: 1_700_000_000 },
    repository: { repo_name: 'carol/app', name: 'app', namespace: 'carol' },
  });

  it('accepts the secret as query, header, path segment or HMAC signature, and nothing else', async () => {
    const env = await cleanEnv();
    const hook = await startInProcess(
      ['webhook', 'listen', '--secret', secret, '--exec', 'cat >/dev/null; exit 5'],
      env,
      'stderr',
    );
    const post = (path: string, body: string, headers: Record<string, string> = {}) =>
      fetch(`${hook.url}${path}`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...headers },
      });
    const hmac = (body: string) =>
      `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    const variant = (tag: string) => payload.replace('t9', tag);
    expect((await post('/hook', payload)).status).toBe(401);
    expect((await post(`/hook?token=${secret}`, variant('q'))).status).toBe(200);
    expect((await post('/hook', variant('h'), { 'x-webhook-token': secret })).status).toBe(200);
    expect((await post(`/hooks/${secret}`, variant('p'))).status).toBe(200);
    const signed = variant('s');
    expect((await post('/hook', signed, { 'x-hub-signature-256': hmac(signed) })).status).toBe(200);
    expect((await post('/hook', signed, { 'x-hub-signature-256': hmac('other') })).status).toBe(
      401,
    );
    await waitFor(() => hook.out().split('\n').filter(Boolean).length >= 4);
    const tags = hook
      .out()
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { tag: string }).tag);
    expect(tags.sort()).toEqual(['h', 'p', 'q', 's']);
    await waitFor(() => hook.err().includes('exited with 5'));
    expect(hook.err()).toContain('dhub webhook listen: --exec command exited with 5');
    expect(await hook.stop()).toBe(0);
  });

  it('rejects a bad --port as a usage error', async () => {
    const r = await runInProcess(['webhook', 'listen', '--port', 'eighty'], {
      env: await cleanEnv(),
    });
    expect(r.code).toBe(2);
  });
});
