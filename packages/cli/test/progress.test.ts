// Progress goes to stderr for pull, push and copy only when stderr is a terminal and --quiet is off.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulator, type Simulator } from '@llmdevops/docker-hub-simulation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GeneratedImage } from '../src/internal/demo-image.js';
import { cleanEnv, runInProcess, writeTestLayout } from './helpers.js';

describe('progress display', () => {
  let simulator: Simulator;
  let host: string;
  let work: string;
  let env: NodeJS.ProcessEnv;
  let image: GeneratedImage;

  beforeAll(async () => {
    // Slow blob downloads make the pull last past the first 100 ms frame.
    simulator = createSimulator({
      faults: [{ match: { method: 'GET', path: /\/blobs\/sha256:/ }, delayMs: 300 }],
    });
    host = new URL((await simulator.listen()).url).host;
    work = await mkdtemp(join(tmpdir(), 'dhub-progress-'));
    env = await cleanEnv();
    image = await writeTestLayout(join(work, 'layout'), 'v1');
  });
  afterAll(async () => {
    await simulator.close();
    await rm(work, { recursive: true, force: true });
  });

  it('draws and erases progress on a terminal, with the result on stdout', async () => {
    const push = await runInProcess(['push', 'layout', `${host}/p/app:v1`], {
      env,
      cwd: work,
      tty: true,
    });
    expect(push.code).toBe(0);
    expect(push.stdout).toBe(`${image.index.digest}\n`);
    const pull = await runInProcess(['pull', `${host}/p/app:v1`, 'out', '--all-platforms'], {
      env,
      cwd: work,
      tty: true,
    });
    expect(pull.code).toBe(0);
    expect(pull.stdout).toBe(`${image.index.digest}\n`);
    expect(pull.stderr).toMatch(
      /^pull 127\.0\.0\.1:\d+\/p\/app:v1: \d+ blobs done \(\d+ already there\), \d+ requests active/,
    );
    expect(pull.stderr.endsWith('\x1b[J')).toBe(true);
  });

  it('stays quiet with --quiet, with --json and when stderr is not a terminal', async () => {
    const quiet = await runInProcess(['copy', `${host}/p/app:v1`, `${host}/p/copy:v1`, '--quiet'], {
      env,
      tty: true,
    });
    expect(quiet).toMatchObject({ code: 0, stderr: '', stdout: '' });
    const json = await runInProcess(['copy', `${host}/p/app:v1`, `${host}/p/copy:v2`, '--json'], {
      env,
      tty: true,
    });
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout)).toMatchObject({ destination: `${host}/p/copy:v2` });
    const pipe = await runInProcess(['copy', `${host}/p/app:v1`, `${host}/p/copy:v3`], {
      env,
      tty: false,
    });
    expect(pipe).toMatchObject({ code: 0, stderr: '' });
  });
});
