// `dhub copy --all-tags` against an in-process `dhub serve --profile dockerhub` with token auth and
// a pull rate limit: a budget too small for the manifest GETs stops the run with needed, remaining
// and the reset (before any GET when it cannot even cover one per tag, e.g. with a reserve);
// --wait-for-reset waits (a progress line on stderr) and completes.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerHubClient } from '@llmdevops/docker-hub-services';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanEnv, runInProcess, startInProcess } from './helpers.js';
import { seedRepository } from './repo-seed.js';

const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** A rate-limited simulator with alice/app:1.0..1.2 (an index and 2 images each: 3 GETs a tag). */
async function limited(rate: string): Promise<{ host: string; env: NodeJS.ProcessEnv; work: string }> {
  const env = await cleanEnv();
  const work = await mkdtemp(join(tmpdir(), 'dhub-rate-'));
  const serve = await startInProcess(['serve', '--profile', 'dockerhub', '--auth', 'token', '--user', 'alice:alice-pw', '--rate-limit', rate], env, 'stdout');
  const dir = env['DOCKER_CONFIG'] ?? '';
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { [serve.host]: { auth: Buffer.from('alice:alice-pw').toString('base64') } } }));
  const seeder = new DockerHubClient({}, { env: { DOCKER_CONFIG: dir } });
  await seedRepository(seeder, `${serve.host}/alice/app`, ['1.0', '1.1', '1.2'], ['amd64', 'arm64']);
  await seeder.close();
  stops.push(serve.stop, () => rm(work, { recursive: true, force: true }));
  return { host: serve.host, env, work };
}

describe('dhub copy --all-tags with a pull budget', () => {
  it('stops before any GET when the HEADs show the budget is short, after the first image when the rest would not fit, and keeps a reserve', async () => {
    const { host, env, work } = await limited('5/3600');
    const r = await runInProcess(['copy', `${host}/alice/app`, `${host}/alice/mirror`, '--all-tags'], { env, cwd: work });
    expect(r.code).toBe(1);
    // Three changed indexes: at least 6 GETs, 5 left.
    expect(r.stderr).toMatch(/^TOOMANYREQUESTS: [^\n]*alice\/app: the run needs 6 manifest GETs but 5 remain; wait for the reset or narrow the tags; resets at \d{4}-\d\d-\d\dT[\d:.]+Z\n$/);
    expect(r.stdout).toBe('');
    const reserved = await runInProcess(['copy', `${host}/alice/app`, `${host}/alice/mirror`, '--all-tags', '--include', '1\\.0', '--rate-limit-reserve', '4'], { env, cwd: work });
    expect(reserved.code).toBe(1);
    expect(reserved.stderr).toContain('the run needs 2 manifest GETs but 5 remain (4 kept in reserve)');
    // Nothing was spent: the whole budget is still there for a run that fits.
    const fits = await runInProcess(['copy', `${host}/alice/app`, `${host}/alice/mirror`, '--all-tags', '--include', '1\\.0'], { env, cwd: work });
    expect(fits).toMatchObject({ code: 0 });
    expect(fits.stdout.trimEnd().split('\n').at(-1)).toBe('1 copied, 0 unchanged, 0 failed');

    const { host: h2, env: e2, work: w2 } = await limited('7/3600');
    const second = await runInProcess(['copy', `${h2}/alice/app`, `${h2}/alice/mirror`, '--all-tags'], { env: e2, cwd: w2 });
    expect(second.code).toBe(1);
    // The first image took 3 GETs; the other two need 6 and 4 remain.
    expect(second.stderr).toContain('the run needs 6 manifest GETs but 4 remain');
  });

  it('--wait-for-reset prints a progress line, waits for the budget and copies every tag', async () => {
    const { host, env, work } = await limited('4/2');
    const r = await runInProcess(['copy', `${host}/alice/app`, `${host}/alice/mirror`, '--all-tags', '--wait-for-reset', '--jobs', '1'], { env, cwd: work });
    expect(r.stderr).toMatch(/^waiting for the pull budget: 6 manifest GETs needed, 4 remain; resuming at /m);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('3 copied, 0 unchanged, 0 failed');
  });
});
