// dhub export and import as users run them: the bundled binary (its commands load in chunks on
// demand), against `dhub serve`, not only in-process.
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runBin, startBackground, writeTestLayout, type Background } from './helpers.js';

let dir: string;
let env: NodeJS.ProcessEnv;
let serve: Background;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dhub-archives-bin-'));
  env = await cleanEnv();
  serve = await startBackground(['serve', '--port', '0'], env);
});
afterAll(async () => {
  await serve.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('dhub export and import (the binary)', () => {
  it('exports to a file and imports it back: same digest, no temporary file left', async () => {
    await writeTestLayout(join(dir, 'layout'), 'v1');
    const src = `${serve.host}/bin/archive:v1`;
    expect((await runBin(['push', '-q', join(dir, 'layout'), src], { env })).code).toBe(0);
    const file = join(dir, 'out', 'image.tar');
    await mkdir(join(dir, 'out'));
    const exported = await runBin(['export', src, file], { env });
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    const digest = exported.stdout.trim();
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((await stat(file)).size).toBeGreaterThan(0);
    expect(await readdir(join(dir, 'out'))).toEqual(['image.tar']);
    const imported = await runBin(['import', file, `${serve.host}/bin/back:v1`], { env });
    expect(imported.code).toBe(0);
    expect(imported.stdout.trim()).toBe(digest);
  }, 60_000);
});
