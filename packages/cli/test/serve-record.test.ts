// `dhub serve --record DIR --upstream URL` in front of the real registry (token auth), then
// `dhub serve --replay DIR` with the registry stopped: skopeo and dhub get the same bytes offline,
// a second recording of the same session is byte-identical, and no password reaches the files.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { findSecrets } from '@llmdevops/docker-hub-simulation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealRegistry, type RealRegistry } from '../../../tooling/registry/real-registry.js';
import { cleanEnv, runBin, startBackground, writeTestLayout } from './helpers.js';

const run = promisify(execFile);
const SALT = 'serve-record-test-salt-0001';

/** Every file under `dir`, by relative path, with its bytes. */
function tree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

describe('dhub serve --record / --replay against the real registry (token auth)', () => {
  let registry: RealRegistry;
  let env: NodeJS.ProcessEnv;
  let work: string;
  let password: string;

  beforeAll(async () => {
    registry = await startRealRegistry({ auth: 'token' });
    env = await cleanEnv();
    work = await mkdtemp(join(tmpdir(), 'dhub-serve-record-'));
    password = registry.users.find((u) => u.name === 'alice')?.password ?? '';
    await writeTestLayout(join(work, 'layout'), 'v1', 'recorded image');
    const dhub = (args: string[], stdin?: string) =>
      runBin(args, { env, cwd: work, ...(stdin === undefined ? {} : { stdin }) });
    expect(
      (await dhub(['login', registry.host, '-u', 'alice', '--password-stdin'], password)).code,
    ).toBe(0);
    expect((await dhub(['push', 'layout', `${registry.host}/alice/app:v1`])).code).toBe(0);
  });
  afterAll(async () => {
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  });

  /** The session: dhub logs in and pulls, then skopeo copies, one after the other, through `host`. */
  async function session(host: string, out: string, login: boolean): Promise<void> {
    if (login) {
      const r = await runBin(['login', host, '-u', 'alice', '--password-stdin'], {
        env,
        cwd: work,
        stdin: password,
      });
      expect(r.code).toBe(0);
    }
    const pull = await runBin(
      ['pull', `${host}/alice/app:v1`, join(out, 'dhub'), '--all-platforms'],
      {
        env,
        cwd: work,
      },
    );
    expect(pull.stderr).toBe('');
    expect(pull.code).toBe(0);
    await run(
      'skopeo',
      [
        'copy',
        '--all',
        '--quiet',
        '--src-tls-verify=false',
        '--src-creds',
        `alice:${password}`,
        `docker://${host}/alice/app:v1`,
        `oci:${join(out, 'skopeo')}:v1`,
      ],
      { env, timeout: 60_000 },
    );
  }

  async function record(dir: string, out: string): Promise<string> {
    const proxy = await startBackground(
      ['serve', '--record', dir, '--upstream', registry.url, '--salt', SALT],
      env,
    );
    await session(proxy.host, out, true);
    expect(await proxy.stop('SIGTERM')).toBe(0);
    expect(proxy.stderr()).toContain(`wrote ${join(dir, 'cassette.json')}`);
    return readFile(join(dir, 'cassette.json'), 'utf8');
  }

  let first = '';

  it('records a session of dhub and skopeo; the cassette is written 0600 on SIGTERM', async () => {
    first = await record(join(work, 'cassette-1'), join(work, 'recorded'));
    expect(statSync(join(work, 'cassette-1', 'cassette.json')).mode & 0o777).toBe(0o600);
    // The token dance went through the proxy: the challenge points at it and is recorded.
    expect(first).toContain('realm=\\"{{origin}}/__dhub/auth/127.0.0.1/token\\"');
    expect(first).toContain('"url": "/__dhub/auth/127.0.0.1/token?');
  });

  it('a second recording of the same session is byte-identical', async () => {
    const second = await record(join(work, 'cassette-2'), join(work, 'recorded-2'));
    expect(second).toBe(first);
    expect(tree(join(work, 'cassette-2'))).toEqual(tree(join(work, 'cassette-1')));
  });

  it('holds no password or token, raw or base64-encoded', () => {
    const files = [...tree(join(work, 'cassette-1')).values()].map((b) => b.toString('latin1'));
    const tokens = registry.tokenRequests.length;
    expect(tokens).toBeGreaterThan(0);
    for (const text of files)
      expect(findSecrets(text, [password, `alice:${password}`])).toEqual([]);
    expect(first).toContain('"token\\":\\"[REDACTED]\\"');
  });

  it('replays with the registry stopped: dhub pull and skopeo copy get byte-identical content', async () => {
    await registry.stop();
    const proxy = await startBackground(['serve', '--replay', join(work, 'cassette-1')], env);
    try {
      await session(proxy.host, join(work, 'replayed'), false);
    } finally {
      expect(await proxy.stop('SIGINT')).toBe(0);
    }
    expect(proxy.stderr()).toBe(`replaying ${join(work, 'cassette-1', 'cassette.json')}\n`);
    const recorded = tree(join(work, 'recorded'));
    expect(recorded.size).toBeGreaterThan(4);
    expect(tree(join(work, 'replayed'))).toEqual(recorded);
    // Replaying wrote nothing.
    expect(readFileSync(join(work, 'cassette-1', 'cassette.json'), 'utf8')).toBe(first);
  });
});

describe('dhub serve --record / --replay usage', () => {
  let env: NodeJS.ProcessEnv;
  let work: string;
  beforeAll(async () => {
    env = await cleanEnv();
    work = await mkdtemp(join(tmpdir(), 'dhub-serve-record-usage-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });
  const dhub = (args: string[]) => runBin(args, { env, cwd: work });

  it('needs --upstream to record, and exits 2 naming it', async () => {
    const r = await dhub(['serve', '--record', 'dir']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--record needs --upstream URL');
  });

  it('rejects an upstream that is not an origin, simulator options, and both modes at once', async () => {
    const path = await dhub(['serve', '--record', 'dir', '--upstream', 'http://127.0.0.1:1/v2/']);
    expect(path.code).toBe(2);
    expect(path.stderr).toContain('--upstream must be the http(s) origin');
    const fault = await dhub(['serve', '--replay', 'dir', '--fault', 'status=503']);
    expect(fault.code).toBe(2);
    expect(fault.stderr).toContain('--fault configure the simulator');
    const both = await dhub(['serve', '--replay', 'a', '--record', 'b']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--record and --replay exclude each other');
    const stray = await dhub(['serve', '--upstream', 'http://127.0.0.1:1']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('--upstream only applies with --record or --replay');
  });

  it('replaying a folder without a cassette fails naming the file', async () => {
    const r = await dhub(['serve', '--replay', 'empty']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(join(work, 'empty', 'cassette.json'));
  });
});
