// `dhub sync FILE.yaml` between two real distribution registries (token auth), in-process: dry run
// writes nothing, a round copies what the filters select and a second finds it unchanged, YAML
// mistakes exit 2 with file:line:column, a target without push rights fails per tag (exit 1),
// and --interval runs rounds until the signal stops it.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DockerHubClient } from '@llmdevops/docker-hub-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealRegistry, type RealRegistry } from '../../../tooling/registry/real-registry.js';
import { cleanEnv, runInProcess } from './helpers.js';
import { seedRepository } from './repo-seed.js';

const run = promisify(execFile);
const sha = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

let a: RealRegistry;
let b: RealRegistry;
let env: NodeJS.ProcessEnv;
let readerEnv: NodeJS.ProcessEnv;
let work: string;
let seeder: DockerHubClient;
let digests: Map<string, string>;

function creds(reg: RealRegistry, reader: boolean): { name: string; password: string } {
  const u = reg.users.find((x) => (reader ? x.name === 'reader' : x.name !== 'reader'));
  return { name: u?.name ?? '', password: u?.password ?? '' };
}

async function envWith(bAsReader: boolean): Promise<NodeJS.ProcessEnv> {
  const e = await cleanEnv();
  const dir = e['DOCKER_CONFIG'] ?? '';
  await mkdir(dir, { recursive: true });
  const auth = (u: { name: string; password: string }): string => Buffer.from(`${u.name}:${u.password}`).toString('base64');
  await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { [a.host]: { auth: auth(creds(a, false)) }, [b.host]: { auth: auth(creds(b, bAsReader)) } } }));
  return e;
}

const dhub = (args: string[], options: { env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {}) =>
  runInProcess(args, { env: options.env ?? env, cwd: work, ...(options.signal === undefined ? {} : { signal: options.signal }) });

async function file(name: string, lines: readonly string[]): Promise<string> {
  await writeFile(join(work, name), `${lines.join('\n')}\n`);
  return name;
}

beforeAll(async () => {
  [a, b] = await Promise.all([startRealRegistry({ auth: 'token' }), startRealRegistry({ auth: 'token' })]);
  work = await mkdtemp(join(tmpdir(), 'dhub-sync-'));
  env = await envWith(false);
  readerEnv = await envWith(true);
  seeder = new DockerHubClient({}, { env: { DOCKER_CONFIG: env['DOCKER_CONFIG'] ?? '' } });
  digests = new Map([
    ...(await seedRepository(seeder, `${a.host}/src/app`, ['1.0.0', '1.1.0', '1.2.0-rc.1', '2.0.0'], ['amd64', 'arm64'])),
    ...(await seedRepository(seeder, `${a.host}/src/tool`, ['v1', 'v2', 'dev'], ['amd64'])),
  ]);
}, 120_000);

afterAll(async () => {
  await seeder.close();
  await Promise.all([a.stop(), b.stop()]);
  await rm(work, { recursive: true, force: true });
});

const mirror = (to = 'mirror'): readonly string[] => [
  'defaults:',
  '  tags:',
  '    exclude: ".*-rc.*"',
  'parallel: 2',
  'syncs:',
  `  - source: ${a.host}/src/app`,
  `    target: ${b.host}/${to}/app`,
  '    tags: { semver: "^1.0.0" }',
  `  - source: ${a.host}/src/tool`,
  `    target: ${b.host}/${to}/tool`,
  '    tags:',
  '      include: [v1, v2]',
];

describe('dhub sync FILE.yaml', () => {
  it('--dry-run plans every entry and writes nothing; a round copies the selection; the next finds it unchanged', async () => {
    const name = await file('mirror.yaml', mirror());
    const dry = await dhub(['sync', name, '--dry-run']);
    expect(dry.code).toBe(0);
    const planned = dry.stdout.split('\n').filter((l) => l.includes(': would copy '));
    expect(planned.map((l) => l.split(': would copy')[0]).sort()).toEqual([
      `${b.host}/mirror/app:1.0.0`,
      `${b.host}/mirror/app:1.1.0`,
      `${b.host}/mirror/tool:v1`,
      `${b.host}/mirror/tool:v2`,
    ]);
    expect(dry.stdout.trimEnd().split('\n').at(-1)).toMatch(/^dry run: 4 to copy, 0 unchanged, 0 failed; .* of blobs to move; 10 manifest GETs$/);
    expect((await dhub(['tags', `${b.host}/mirror/app`])).code).toBe(1);

    const first = await dhub(['sync', name]);
    expect(first.code).toBe(0);
    expect(first.stdout.trimEnd().split('\n').at(-1)).toBe('4 copied, 0 unchanged, 0 failed');
    const { stdout } = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', '--creds', `${creds(b, false).name}:${creds(b, false).password}`, `docker://${b.host}/mirror/app:1.1.0`], { encoding: 'buffer' });
    expect(sha(stdout)).toBe(digests.get(`${a.host}/src/app:1.1.0`));

    const again = await dhub(['sync', name, '--json']);
    const result = JSON.parse(again.stdout) as { copied: number; unchanged: number; failed: number; entries: { result: { manifestGets: number } }[] };
    expect(result).toMatchObject({ copied: 0, unchanged: 4, failed: 0 });
    expect(result.entries.map((e) => e.result.manifestGets)).toEqual([0, 0]);
  });

  it('exits 2 with file, line and column for an unknown key, a bad range or a bad pattern', async () => {
    const unknown = await file('unknown.yaml', ['syncs:', `  - source: ${a.host}/src/app`, `    target: ${b.host}/x/app`, '    tagz: {}']);
    const r = await dhub(['sync', unknown]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('CONFIG_INVALID: invalid sync file');
    expect(r.stderr).toContain(`syncs.0.tagz: unknown key; expected one of source, target, tags, platforms, referrers, jobs (at ${join(work, unknown)}:4:5)`);
    const bad = await file('bad.yaml', ['syncs:', `  - source: ${a.host}/src/app`, `    target: ${b.host}/x/app`, '    tags: { semver: "banana", include: "(" }']);
    const r2 = await dhub(['sync', bad]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/syncs\.0\.tags\.semver: tag filter semver: invalid semver range "banana".*:4:21\)/);
    expect(r2.stderr).toMatch(/syncs\.0\.tags\.include: tag filter include: invalid regular expression "\(".*:4:40\)/);
    const missing = await dhub(['sync', 'nope.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the sync file \(ENOENT\)/);
  });

  it('a target without push rights: a failure line per tag, exit 1', async () => {
    const r = await dhub(['sync', await file('mirror-reader.yaml', mirror('locked')), '--keep-going'], { env: readerEnv });
    expect(r.code).toBe(1);
    const failures = r.stdout.split('\n').filter((l) => l.includes(': failed: '));
    expect(failures).toHaveLength(4);
    for (const l of failures) expect(l).toMatch(/: failed: (UNAUTHORIZED|DENIED): /);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('0 copied, 0 unchanged, 4 failed');
  });

  it('--interval runs rounds until the signal, then exits 0', async () => {
    const name = await file('loop.yaml', mirror());
    const stop = new AbortController();
    const running = dhub(['sync', name, '--interval', '1s'], { signal: stop.signal });
    // Two rounds: the summary line twice (the second after the 1 s wait).
    await new Promise((r) => setTimeout(r, 2500));
    stop.abort(new Error('interrupted by SIGINT'));
    const r = await running;
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l === '0 copied, 4 unchanged, 0 failed').length).toBeGreaterThanOrEqual(2);
    expect(r.stderr).toContain('round 1 done; next in 1s');
  });

  it('refuses --once with --interval and a malformed interval (exit 2)', async () => {
    expect((await dhub(['sync', 'x.yaml', '--once', '--interval', '5m'])).code).toBe(2);
    const r = await dhub(['sync', 'x.yaml', '--interval', 'soon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--interval must be a duration');
  });
});
