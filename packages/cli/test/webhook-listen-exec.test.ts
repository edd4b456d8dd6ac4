// `dhub webhook listen` in-process: who may deliver (secret forms, --no-secret, non-loopback
// warning), one delivery detected whatever route authenticated it, and the bounded --exec queue.
import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runInProcess, startInProcess } from './helpers.js';

async function waitFor(check: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('timed out waiting');
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

const payload = (tag: string): string =>
  JSON.stringify({
    push_data: { tag, pusher: 'dana', pushed_at: 1_700_000_000 },
    repository: { repo_name: 'dana/app', name: 'app', namespace: 'dana' },
  });

function poster(url: string) {
  return (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
    });
}

const lines = (text: string): string[] => text.split('\n').filter(Boolean);

let work: string;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'dhub-listen-'));
  env = await cleanEnv();
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('webhook listen: who may deliver', () => {
  it('refuses --exec without a secret (exit 2, naming --secret) unless --no-secret is given', async () => {
    const refused = await runInProcess(['webhook', 'listen', '--exec', 'true'], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--secret');
    expect(refused.stderr).toContain('--no-secret');
    const open = await startInProcess(['webhook', 'listen', '--no-secret', '--exec', 'true'], env, 'stderr');
    expect(open.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(open.err()).toContain('--no-secret: anyone who can reach the port can make --exec run');
    expect((await poster(open.url)('/', payload('open'))).status).toBe(200);
    expect(await open.stop()).toBe(0);
  });

  it('refuses contradictory secret options with exit 2', async () => {
    const run = (argv: string[], extra: NodeJS.ProcessEnv = {}) =>
      runInProcess(['webhook', 'listen', ...argv], { env: { ...env, ...extra }, cwd: work });
    const both = await run(['--secret', 'a', '--secret-file', 'f']);
    expect([both.code, both.stderr]).toEqual([2, expect.stringContaining('not both')]);
    const contradicts = await run(['--secret', 'a', '--no-secret']);
    expect([contradicts.code, contradicts.stderr]).toEqual([2, expect.stringContaining('--no-secret contradicts')]);
    const envSet = await run(['--no-secret'], { DHUB_WEBHOOK_SECRET: 'x' });
    expect([envSet.code, envSet.stderr]).toEqual([2, expect.stringContaining('DHUB_WEBHOOK_SECRET')]);
    const missing = await run(['--secret-file', 'no-such-file']);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('cannot read --secret-file no-such-file: ENOENT')]);
    await writeFile(join(work, 'empty'), '\n');
    const empty = await run(['--secret-file', 'empty']);
    expect([empty.code, empty.stderr]).toEqual([2, expect.stringContaining('is empty')]);
    const tooBig = await run(['--secret-file', '/dev/zero']);
    expect([tooBig.code, tooBig.stderr]).toEqual([2, expect.stringContaining('larger than 65536 bytes')]);
    const badCount = await run(['--secret', 'a', '--max-concurrent', '0']);
    expect([badCount.code, badCount.stderr]).toEqual([2, expect.stringContaining('--max-concurrent must be a whole number >= 1')]);
  });

  it('warns on stderr when --host is not a loopback address, and not for loopback', async () => {
    const wide = await startInProcess(['webhook', 'listen', '--host', '0.0.0.0', '--secret', 's3'], env, 'stderr');
    expect(wide.err()).toContain('warning: --host 0.0.0.0 is not a loopback address');
    expect(await wide.stop()).toBe(0);
    const local = await startInProcess(['webhook', 'listen', '--host', '127.0.0.1', '--secret', 's3'], env, 'stderr');
    expect(local.err()).not.toContain('warning');
    expect(await local.stop()).toBe(0);
  });

  it('takes the secret from DHUB_WEBHOOK_SECRET or --secret-file, off the command line', async () => {
    await writeFile(join(work, 'hook-secret'), 'from-file-9\n', { mode: 0o600 });
    for (const [argv, extra, secret] of [
      [[], { DHUB_WEBHOOK_SECRET: 'from-env-7' }, 'from-env-7'],
      [['--secret-file', join(work, 'hook-secret')], {}, 'from-file-9'],
    ] as const) {
      const hook = await startInProcess(
        ['webhook', 'listen', ...argv, '--exec', 'cat > /dev/null'],
        { ...env, ...extra },
        'stderr',
      );
      const post = poster(hook.url);
      expect((await post('/hook', payload('anon'))).status).toBe(401);
      expect((await post('/hook?token=wrong', payload('anon'))).status).toBe(401);
      expect((await post(`/hook?token=${secret}`, payload('ok'))).status).toBe(200);
      expect(lines(hook.out())).toHaveLength(1);
      expect(await hook.stop()).toBe(0);
    }
  });

  it('says in --help that the inline secret forms are visible to other local users', async () => {
    const listen = await runInProcess(['webhook', 'listen', '--help'], { env });
    expect(listen.stdout).toContain('--secret S');
    expect(listen.stdout).toContain('visible to other local users');
    expect(listen.stdout).toContain('DHUB_WEBHOOK_SECRET');
    const serve = await runInProcess(['serve', '--help'], { env });
    expect(serve.stdout).toContain('visible to other local users');
    expect(serve.stdout).toContain('--password-file FILE');
    expect(serve.stdout).toContain('DHUB_SERVE_USERS_FILE');
  });
});

describe('webhook listen: one delivery, whatever route authenticated it', () => {
  it('runs --exec once for the same body sent with the query token, the header, the path and an HMAC', async () => {
    const secret = 'routes-secret-5';
    const ran = join(work, 'ran-routes.jsonl');
    const hook = await startInProcess(
      ['webhook', 'listen', '--secret', secret, '--exec', `cat >> ${ran}`],
      env,
      'stderr',
    );
    const post = poster(hook.url);
    const body = payload('same');
    const hmac = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    const answers = [
      await post(`/hook?token=${secret}`, body),
      await post('/hook', body, { 'x-webhook-token': secret }),
      await post(`/hook/${secret}`, body),
      await post('/hook', body, { 'x-hub-signature-256': hmac }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(await Promise.all(answers.map(async (a) => ((await a.json()) as { status: string }).status))).toEqual([
      'accepted',
      'duplicate',
      'duplicate',
      'duplicate',
    ]);
    await waitFor(async () => (await readFile(ran, 'utf8').catch(() => '')).includes('"same"'));
    await pause(200);
    expect(lines(await readFile(ran, 'utf8'))).toHaveLength(1);
    expect(lines(hook.out())).toHaveLength(1);
    expect(await hook.stop()).toBe(0);
  });
});

describe('webhook listen: the --exec queue', () => {
  /** A command that logs its start, waits for the gate file, then logs its end. */
  function gatedCommand(name: string): { command: string; log: string; gate: string } {
    const log = join(work, `${name}.log`);
    const gate = join(work, `${name}.gate`);
    const command = `cat > /dev/null; echo start >> ${log}; while [ ! -e ${gate} ]; do sleep 0.02; done; echo end >> ${log}`;
    return { command, log, gate };
  }
  const readLog = async (log: string) => lines(await readFile(log, 'utf8').catch(() => ''));

  it('runs one command at a time by default, holds a bounded backlog, then answers 503 with Retry-After', async () => {
    const { command, log, gate } = gatedCommand('serial');
    const hook = await startInProcess(
      ['webhook', 'listen', '--secret', 'q', '--exec', command, '--max-queued', '1'],
      env,
      'stderr',
    );
    const post = poster(hook.url);
    expect((await post('/?token=q', payload('a'))).status).toBe(200);
    expect((await post('/?token=q', payload('b'))).status).toBe(200);
    const busy = await post('/?token=q', payload('c'));
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('10');
    await waitFor(async () => (await readLog(log)).length >= 1);
    await pause(300);
    expect(await readLog(log)).toEqual(['start']);
    // A refused delivery is not printed, and is not remembered as a duplicate.
    expect(lines(hook.out())).toHaveLength(2);
    await writeFile(gate, '');
    await waitFor(async () => (await readLog(log)).length >= 4);
    expect(await readLog(log)).toEqual(['start', 'end', 'start', 'end']);
    const retried = await post('/?token=q', payload('c'));
    expect(((await retried.json()) as { status: string }).status).toBe('accepted');
    await waitFor(async () => (await readLog(log)).length >= 6);
    expect(await hook.stop()).toBe(0);
  });

  it('--max-concurrent N runs up to N commands at once', async () => {
    const { command, log, gate } = gatedCommand('parallel');
    const hook = await startInProcess(
      ['webhook', 'listen', '--secret', 'q', '--exec', command, '--max-concurrent', '2', '--max-queued', '0'],
      env,
      'stderr',
    );
    const post = poster(hook.url);
    expect((await post('/?token=q', payload('a'))).status).toBe(200);
    expect((await post('/?token=q', payload('b'))).status).toBe(200);
    expect((await post('/?token=q', payload('c'))).status).toBe(503);
    await waitFor(async () => (await readLog(log)).length >= 2);
    expect(await readLog(log)).toEqual(['start', 'start']);
    await writeFile(gate, '');
    await waitFor(async () => (await readLog(log)).length >= 4);
    expect(await hook.stop()).toBe(0);
  });
});
