// `dhub copy` between two real distribution registries (token auth), in-process: the whole image
// by default, --platform (rewritten index), --all-tags with filters, dry runs, unchanged tags,
// bad input (exit 2) and a target without push rights (per-tag failures, exit 1); skopeo reads
// what was written.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
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
const TAGS = ['1.0.0', '1.1.0', 'v1.2.0', '1.3.0-rc.1', '2.0.0', 'latest'];

let a: RealRegistry;
let b: RealRegistry;
let env: NodeJS.ProcessEnv;
let readerEnv: NodeJS.ProcessEnv;
let work: string;
let seeder: DockerHubClient;
const digests = new Map<string, string>();

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

async function skopeoRaw(ref: string): Promise<Buffer> {
  const u = creds(b, false);
  const { stdout } = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', '--creds', `${u.name}:${u.password}`, `docker://${ref}`], { encoding: 'buffer' });
  return stdout;
}

const dhub = (args: string[], e: NodeJS.ProcessEnv = env) => runInProcess(args, { env: e, cwd: work });

beforeAll(async () => {
  [a, b] = await Promise.all([startRealRegistry({ auth: 'token' }), startRealRegistry({ auth: 'token' })]);
  work = await mkdtemp(join(tmpdir(), 'dhub-copy-tags-'));
  env = await envWith(false);
  readerEnv = await envWith(true);
  seeder = new DockerHubClient({}, { env: { DOCKER_CONFIG: env['DOCKER_CONFIG'] ?? '' } });
  for (const [k, v] of await seedRepository(seeder, `${a.host}/src/app`, TAGS, ['amd64', 'arm64'])) digests.set(k, v);
  for (const [k, v] of await seedRepository(seeder, `${a.host}/src/three`, ['v1'], ['amd64', 'arm64', 's390x'])) digests.set(k, v);
}, 120_000);

afterAll(async () => {
  await seeder.close();
  await Promise.all([a.stop(), b.stop()]);
  await rm(work, { recursive: true, force: true });
});

describe('dhub copy (one image)', () => {
  it('copies the whole image by default; --platform twice rewrites the index and says so', async () => {
    const top = digests.get(`${a.host}/src/three:v1`);
    const whole = await dhub(['copy', `${a.host}/src/three:v1`, `${b.host}/dst/three:v1`]);
    expect(whole).toMatchObject({ code: 0, stdout: `${top ?? ''}\n`, stderr: '' });
    expect(sha(await skopeoRaw(`${b.host}/dst/three:v1`))).toBe(top);
    // Still accepted, same result.
    expect((await dhub(['copy', `${a.host}/src/three:v1`, `${b.host}/dst/three:all`, '--all-platforms'])).stdout).toBe(`${top ?? ''}\n`);

    const two = await dhub(['copy', `${a.host}/src/three:v1`, `${b.host}/dst/three:two`, '--platform', 'linux/amd64', '--platform', 'linux/arm64']);
    expect(two.code).toBe(0);
    expect(two.stderr).toBe("note: the index was rewritten to list only linux/amd64, linux/arm64, so its digest differs from the source's\n");
    const raw = await skopeoRaw(`${b.host}/dst/three:two`);
    expect(`${sha(raw)}\n`).toBe(two.stdout);
    expect(sha(raw)).not.toBe(top);
    expect((JSON.parse(raw.toString()) as { manifests: unknown[] }).manifests).toHaveLength(2);
  });
});

describe('dhub copy --all-tags', () => {
  const SRC = (): string => `${a.host}/src/app`;
  const DST = (): string => `${b.host}/mirror/app`;

  it('--dry-run prints the plan with blobs and manifest GETs and writes nothing', async () => {
    const dry = await dhub(['copy', SRC(), DST(), '--all-tags', '--dry-run', '--semver', '>=1.1 <2']);
    expect(dry.code).toBe(0);
    const lines = dry.stdout.trimEnd().split('\n');
    expect(lines.filter((l) => l.includes(' would copy ')).map((l) => l.split(':')[0]).sort()).toEqual(['1.1.0', 'v1.2.0']);
    // Each tag: index and 2 images, 3 manifest GETs; its own config and layer per platform, and the
    // two shared base layers once (under the first tag).
    expect(lines.filter((l) => l.includes('3 manifests (3 manifest GETs)'))).toHaveLength(2);
    expect(lines.filter((l) => /^ {2}sha256:[0-9a-f]{64} \d/.test(l))).toHaveLength(2 * 4 + 2);
    expect(lines.at(-1)).toMatch(/^dry run: 2 to copy, 0 unchanged, 0 failed; .* of blobs to move; 6 manifest GETs$/);
    const tags = await dhub(['tags', DST()]);
    expect(tags.code).toBe(1);
    expect(tags.stderr).toMatch(/^NAME_UNKNOWN: /);
  });

  it('copies the filtered tags (include/exclude), then reports them unchanged; skopeo reads them', async () => {
    const first = await dhub(['copy', SRC(), DST(), '--all-tags', '--include', '1\\..*', '--include', 'latest', '--exclude', '.*-rc.*', '--jobs', '2']);
    expect(first.code).toBe(0);
    const lines = first.stdout.trimEnd().split('\n');
    expect(lines.slice(0, -1).map((l) => l.replace(/ sha256:.*/, '')).sort()).toEqual(['1.0.0: copied', '1.1.0: copied', 'latest: copied']);
    expect(lines.at(-1)).toBe('3 copied, 0 unchanged, 0 failed');
    for (const t of ['1.0.0', '1.1.0', 'latest']) expect(sha(await skopeoRaw(`${DST()}:${t}`))).toBe(digests.get(`${SRC()}:${t}`));

    const again = await dhub(['copy', SRC(), DST(), '--all-tags', '--semver', '1.x', '--json']);
    expect(again.code).toBe(0);
    const result = JSON.parse(again.stdout) as { copied: number; unchanged: number; failed: number; manifestGets: number; tags: { tag: string; state: string }[] };
    expect(result).toMatchObject({ copied: 1, unchanged: 2, failed: 0 });
    expect(Object.fromEntries(result.tags.map((t) => [t.tag, t.state]))).toEqual({ '1.0.0': 'unchanged', '1.1.0': 'unchanged', 'v1.2.0': 'copied' });
    // Only the changed tag spent manifest GETs.
    expect(result.manifestGets).toBe(3);
    const text = await dhub(['copy', SRC(), DST(), '--all-tags', '--include', '1\\.0\\.0']);
    expect(text.stdout).toBe('1.0.0: skipped (unchanged)\n0 copied, 1 unchanged, 0 failed\n');
  });

  it('--last N takes the last N tags the registry lists', async () => {
    const listed = (await dhub(['tags', SRC()])).stdout.trimEnd().split('\n');
    const dry = await dhub(['copy', SRC(), `${b.host}/mirror/last`, '--all-tags', '--last', '2', '--dry-run', '--json']);
    expect((JSON.parse(dry.stdout) as { tags: { tag: string }[] }).tags.map((t) => t.tag)).toEqual(listed.slice(-2));
  });

  it('--referrers brings an attached artifact along (the registry has no referrers API: fallback tags)', async () => {
    // A repository of its own: the fallback tag (sha256-<hex>) is a tag of the source too.
    const src = `${a.host}/src/signed`;
    const seeded = await seedRepository(seeder, src, ['2.0.0'], ['amd64']);
    const sbom = await seeder.referrers.attach(`${src}:2.0.0`, { artifactType: 'application/spdx+json', files: [{ title: 'sbom.json', bytes: Buffer.from('{}') }] });
    const r = await dhub(['copy', src, `${b.host}/signed/app`, '--all-tags', '--include', '2\\.0\\.0', '--referrers']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`2.0.0: copied ${seeded.get(`${src}:2.0.0`) ?? ''}, 1 referrer\n1 copied, 0 unchanged, 0 failed\n`);
    const listed = await dhub(['referrers', `${b.host}/signed/app:2.0.0`, '--json']);
    expect(listed.stdout).toContain(sbom.digest);
  });

  it.each([
    [['--include', '(']],
    [['--exclude', '[z-a]']],
    [['--semver', 'banana']],
    [['--last', '0']],
    [['--jobs', 'x']],
  ])('bad input %j exits 2 naming the value, before any request', async (extra) => {
    const r = await dhub(['copy', SRC(), `${b.host}/mirror/bad`, '--all-tags', ...extra]);
    expect(r.code).toBe(2);
    const value = extra[1] ?? extra[0] ?? '';
    expect(r.stderr).toContain(value);
  });

  it('refuses a tagged SRC with --all-tags and tag options without it (exit 2)', async () => {
    expect((await dhub(['copy', `${SRC()}:1.0.0`, DST(), '--all-tags'])).code).toBe(2);
    const stray = await dhub(['copy', `${SRC()}:1.0.0`, `${DST()}:x`, '--include', 'a']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('--include need --all-tags');
  });

  it('a target without push rights: one failure line per tag with the reason, summary, exit 1', async () => {
    const r = await dhub(['copy', SRC(), `${b.host}/locked/app`, '--all-tags', '--keep-going'], readerEnv);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.slice(0, -1)).toHaveLength(TAGS.length);
    for (const l of lines.slice(0, -1)) expect(l).toMatch(/^[\w.-]+: failed: (UNAUTHORIZED|DENIED): /);
    expect(lines.at(-1)).toBe(`0 copied, 0 unchanged, ${TAGS.length} failed`);
    const stop = await dhub(['copy', SRC(), `${b.host}/locked/app`, '--all-tags', '--jobs', '1'], readerEnv);
    expect(stop.code).toBe(1);
    expect(stop.stdout.trimEnd().split('\n').at(-1)).toBe(`0 copied, 0 unchanged, 1 failed (${TAGS.length - 1} not started)`);
  });
});
