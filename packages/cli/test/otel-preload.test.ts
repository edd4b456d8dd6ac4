// dhub records OpenTelemetry spans when an SDK was registered before it started (preloaded with
// `node --import`), and otherwise never loads the OpenTelemetry API at all.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createSimulator, type Simulator } from '@llmdevops/docker-hub-simulation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, runInProcess } from './helpers.js';

const run = promisify(execFile);
const SDK_PRELOAD = fileURLToPath(new URL('./fixtures/otel-preload.mjs', import.meta.url));
const MODULES_PRELOAD = fileURLToPath(new URL('./fixtures/loaded-modules.cjs', import.meta.url));

describe('dhub and OpenTelemetry', () => {
  let simulator: Simulator;
  let ref: string;
  let env: NodeJS.ProcessEnv;
  let work: string;

  beforeAll(async () => {
    simulator = createSimulator();
    ref = `${new URL((await simulator.listen()).url).host}/team/otel:1`;
    env = await cleanEnv();
    work = await mkdtemp(join(tmpdir(), 'dhub-otel-'));
    await writeFile(join(work, 'payload.bin'), 'payload');
    const push = await runInProcess(
      ['artifact', 'push', ref, join(work, 'payload.bin'), '--artifact-type', 'application/x-test'],
      { env },
    );
    expect(push.code).toBe(0);
  });
  afterAll(async () => {
    await simulator.close();
    await rm(work, { recursive: true, force: true });
  });

  async function digest(preload: string[], out: Record<string, string>): Promise<string> {
    const { stdout } = await run(process.execPath, [...preload, BIN, 'digest', ref], {
      env: { ...env, ...out },
    });
    return stdout;
  }

  it('records an operation span per command when an SDK was preloaded', async () => {
    const spans = join(work, 'spans.json');
    expect(await digest(['--import', SDK_PRELOAD], { OTEL_SPANS_OUT: spans })).toMatch(
      /^sha256:[0-9a-f]{64}\n$/,
    );
    const names = JSON.parse(await readFile(spans, 'utf8')) as string[];
    expect(names.some((name) => name.startsWith('docker_hub.'))).toBe(true);
  });

  it('does not load @opentelemetry/api when nothing registered an SDK', async () => {
    const modules = join(work, 'modules.json');
    expect(await digest(['--require', MODULES_PRELOAD], { LOADED_MODULES_OUT: modules })).toMatch(
      /^sha256:/,
    );
    const loaded = (JSON.parse(await readFile(modules, 'utf8')) as { modules: string[] }).modules;
    // The preload itself is listed: the list is complete, not empty.
    expect(loaded).toContain(MODULES_PRELOAD);
    expect(loaded.filter((path) => path.includes('@opentelemetry'))).toEqual([]);
  });
});
