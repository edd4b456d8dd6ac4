// `dhub webhook listen` as a subprocess: deliveries from `dhub serve --webhook`, secrets, --exec.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runBin, startBackground, writeTestLayout, type Background } from './helpers.js';

async function waitFor<T>(read: () => Promise<T | undefined> | T | undefined): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out waiting');
}

const payload = JSON.stringify({
  push_data: { tag: 'v7', pusher: 'bob', pushed_at: 1_700_000_000 },
  repository: { repo_name: 'bob/app', name: 'app', namespace: 'bob' },
});

describe('dhub webhook listen', () => {
  let listener: Background;
  let env: NodeJS.ProcessEnv;
  let work: string;
  const secret = 'hook-secret-1b2c';

  beforeAll(async () => {
    env = await cleanEnv();
    work = await mkdtemp(join(tmpdir(), 'dhub-hook-'));
    const exec = `cat >> ${join(work, 'events.jsonl')}`;
    listener = await startBackground(
      ['webhook', 'listen', '--secret', secret, '--exec', exec],
      env,
      'stderr',
    );
  });
  afterAll(async () => {
    expect(await listener.stop('SIGTERM')).toBe(0);
    await rm(work, { recursive: true, force: true });
  });

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${listener.url}${path}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
    });

  it('rejects a delivery without the secret and prints nothing', async () => {
    expect((await post('/hook', payload)).status).toBe(401);
    expect((await post('/hook?token=wrong', payload)).status).toBe(401);
    expect(listener.stdout()).toBe('');
  });

  it('accepts the secret as ?token=, prints one JSON line and runs --exec with it on stdin', async () => {
    expect((await post(`/hook?token=${secret}`, payload)).status).toBe(200);
    const line = await waitFor(() =>
      listener
        .stdout()
        .split('\n')
        .find((l) => l.includes('bob/app')),
    );
    expect(JSON.parse(line)).toMatchObject({
      source: 'dockerhub',
      action: 'push',
      repository: 'bob/app',
      tag: 'v7',
      pusher: 'bob',
    });
    const logged = await waitFor(async () => {
      const text = await readFile(join(work, 'events.jsonl'), 'utf8').catch(() => '');
      return text.includes('bob/app') ? text : undefined;
    });
    expect(logged.trim()).toBe(line);
  });

  it('receives the simulator push webhook, signed with the secret (HMAC)', async () => {
    const server = await startBackground(
      ['serve', '--webhook', `${listener.url}/hooks`, '--webhook-secret', secret],
      env,
    );
    try {
      await writeTestLayout(join(work, 'layout'), 'v1');
      expect(
        (await runBin(['push', 'layout', `${server.host}/team/svc:v1`], { env, cwd: work })).code,
      ).toBe(0);
      const line = await waitFor(() =>
        listener
          .stdout()
          .split('\n')
          .find((l) => l.includes('team/svc')),
      );
      expect(JSON.parse(line)).toMatchObject({ action: 'push', repository: 'team/svc', tag: 'v1' });
    } finally {
      await server.stop();
    }
  });

  it('prints exactly one line per accepted event (a redelivery is dropped)', async () => {
    const before = listener.stdout().split('\n').filter(Boolean).length;
    const other = payload.replace('v7', 'v8');
    expect((await post('/x', other, { 'x-webhook-token': secret })).status).toBe(200);
    expect((await post('/x', other, { 'x-webhook-token': secret })).status).toBe(200);
    await waitFor(() => (listener.stdout().includes('"v8"') ? true : undefined));
    expect(listener.stdout().split('\n').filter(Boolean)).toHaveLength(before + 1);
  });
});
