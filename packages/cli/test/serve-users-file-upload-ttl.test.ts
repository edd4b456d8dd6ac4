// `dhub serve` in-process: accounts from a file (off the command line) and the upload TTL option.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runInProcess, startInProcess } from './helpers.js';

let work: string;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'dhub-serve-file-'));
  env = await cleanEnv();
  await writeFile(
    join(work, 'users.txt'),
    '# simulator accounts\nalice:pw-from-file-1\n\nbob:colon:in:password\n',
    { mode: 0o600 },
  );
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function ping(url: string, authorization?: string): Promise<number> {
  const res = await fetch(`${url}/v2/`, {
    headers: authorization === undefined ? {} : { authorization },
  });
  await res.arrayBuffer();
  return res.status;
}

describe('dhub serve accounts from a file', () => {
  it('--password-file FILE: every NAME:PASSWORD line is an account', async () => {
    const serve = await startInProcess(
      ['serve', '--auth', 'basic', '--password-file', join(work, 'users.txt')],
      env,
      'stdout',
    );
    expect(await ping(serve.url)).toBe(401);
    expect(await ping(serve.url, basic('alice', 'pw-from-file-1'))).toBe(200);
    expect(await ping(serve.url, basic('bob', 'colon:in:password'))).toBe(200);
    expect(await ping(serve.url, basic('alice', 'wrong'))).toBe(401);
    expect(await serve.stop()).toBe(0);
  });

  it('DHUB_SERVE_USERS_FILE names the file when --password-file is not given; --user adds to it', async () => {
    const serve = await startInProcess(
      ['serve', '--auth', 'basic', '--user', 'carol:inline-pw'],
      { ...env, DHUB_SERVE_USERS_FILE: join(work, 'users.txt') },
      'stdout',
    );
    expect(await ping(serve.url, basic('alice', 'pw-from-file-1'))).toBe(200);
    expect(await ping(serve.url, basic('carol', 'inline-pw'))).toBe(200);
    expect(await serve.stop()).toBe(0);
  });

  it('a missing or malformed users file is a usage error naming the file and line, never a password', async () => {
    const missing = await runInProcess(['serve', '--password-file', 'nope.txt'], { env, cwd: work });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read --password-file nope.txt: ENOENT');
    await writeFile(join(work, 'bad.txt'), 'alice:fine-pw\nsecret-without-name\n');
    const bad = await runInProcess(['serve'], {
      env: { ...env, DHUB_SERVE_USERS_FILE: join(work, 'bad.txt') },
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('line 2 is not NAME:PASSWORD');
    expect(bad.stderr).not.toContain('secret-without-name');
    expect(bad.stderr).not.toContain('fine-pw');
    await writeFile(join(work, 'none.txt'), '# nobody\n');
    const none = await runInProcess(['serve', '--password-file', 'none.txt'], { env, cwd: work });
    expect([none.code, none.stderr]).toEqual([2, expect.stringContaining('holds no NAME:PASSWORD line')]);
  });
});

describe('dhub serve --upload-ttl', () => {
  it('purges upload sessions unused for the TTL', async () => {
    const serve = await startInProcess(['serve', '--upload-ttl', '1s'], env, 'stdout');
    const open = async (): Promise<string> => {
      const res = await fetch(`${serve.url}/v2/team/app/blobs/uploads/`, { method: 'POST' });
      await res.arrayBuffer();
      expect(res.status).toBe(202);
      return res.headers.get('location') ?? '';
    };
    const status = async (location: string): Promise<number> => {
      const res = await fetch(location);
      await res.arrayBuffer();
      return res.status;
    };
    const stale = await open();
    expect(await status(stale)).toBe(204);
    await new Promise((r) => setTimeout(r, 1_200));
    await open(); // an upload request sweeps
    expect(await status(stale)).toBe(404);
    expect(await serve.stop()).toBe(0);
  });

  it('refuses a malformed or zero --upload-ttl as a usage error, and documents the default', async () => {
    for (const bad of ['soon', '0', '1y']) {
      const r = await runInProcess(['serve', '--upload-ttl', bad], { env });
      expect([r.code, r.stderr]).toEqual([2, expect.stringContaining('--upload-ttl must be')]);
    }
    expect((await runInProcess(['serve', '--help'], { env })).stdout).toContain('--upload-ttl DURATION');
  });
});
