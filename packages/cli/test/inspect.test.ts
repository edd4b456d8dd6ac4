// `dhub inspect` against `dhub serve`: an index lists its platforms; --platform inspects one image.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runInProcess, startBackground, writeTestLayout, type Background } from './helpers.js';

let server: Background;
let work: string;
let repo: string;

beforeAll(async () => {
  server = await startBackground(['serve', '--auth', 'none'], await cleanEnv());
  work = await mkdtemp(join(tmpdir(), 'dhub-inspect-'));
  const layout = join(work, 'layout');
  await writeTestLayout(layout, 'v1');
  repo = `${server.host}/team/app`;
  expect((await runInProcess(['push', '-q', layout, `${repo}:v1`], { env: await cleanEnv() })).code).toBe(0);
});
afterAll(async () => {
  await server.stop('SIGINT');
  await rm(work, { recursive: true, force: true });
});

describe('dhub inspect', () => {
  it('lists the platforms of an index', async () => {
    const res = await runInProcess(['inspect', `${repo}:v1`], { env: await cleanEnv() });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/platforms:\n {2}linux\/amd64 +sha256:[0-9a-f]{64}/);
    expect(res.stdout).toMatch(/\n {2}linux\/arm64 +sha256:[0-9a-f]{64}/);
  });

  it('inspects one platform as JSON', async () => {
    const res = await runInProcess(['inspect', `${repo}:v1`, '--platform', 'linux/arm64', '--json'], { env: await cleanEnv() });
    expect(res.code).toBe(0);
    const details = JSON.parse(res.stdout) as { kind: string; platform: string; layers: number };
    expect(details).toMatchObject({ kind: 'image', platform: 'linux/arm64' });
    expect(details.layers).toBeGreaterThan(0);
  });

  it('names the platforms there are when the one asked for is missing', async () => {
    const res = await runInProcess(['inspect', `${repo}:v1`, '--platform', 'linux/s390x'], { env: await cleanEnv() });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('linux/amd64');
  });
});
