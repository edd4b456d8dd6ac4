// dhub records OpenTelemetry spans when an SDK was registered before it started (preloaded with
// `node --import`), and otherwise never loads the OpenTelemetry API at all.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, seededSimulator, type SeededSimulator } from './helpers.js';

const run = promisify(execFile);
const SDK_PRELOAD = fileURLToPath(new URL('./fixtures/otel-preload.mjs', import.meta.url));
const MODULES_PRELOAD = fileURLToPath(new URL('./fixtures/loaded-modules.cjs', import.meta.url));

describe('dhub and OpenTelemetry', () => {
  let seeded: SeededSimulator;

  beforeAll(async () => {
    seeded = await seededSimulator({ auth: 'none', repository: 'team/otel', bytes: 'payload' });
  });
  afterAll(async () => {
    await seeded.close();
  });

  async function digest(preload: string[], out: Record<string, string>): Promise<string> {
    const { stdout } = await run(process.execPath, [...preload, BIN, 'digest', seeded.ref], {
      env: { ...seeded.env, ...out },
    });
    return stdout;
  }

  it('records an operation span per command when an SDK was preloaded', async () => {
    const spans = join(seeded.work, 'spans.json');
    expect(await digest(['--import', SDK_PRELOAD], { OTEL_SPANS_OUT: spans })).toMatch(
      /^sha256:[0-9a-f]{64}\n$/,
    );
    const names = JSON.parse(await readFile(spans, 'utf8')) as string[];
    expect(names.some((name) => name.startsWith('docker_hub.'))).toBe(true);
  });

  it('does not load @opentelemetry/api when nothing registered an SDK', async () => {
    const modules = join(seeded.work, 'modules.json');
    expect(await digest(['--require', MODULES_PRELOAD], { LOADED_MODULES_OUT: modules })).toMatch(
      /^sha256:/,
    );
    const loaded = (JSON.parse(await readFile(modules, 'utf8')) as { modules: string[] }).modules;
    // The preload itself is listed: the list is complete, not empty.
    expect(loaded).toContain(MODULES_PRELOAD);
    expect(loaded.filter((path) => path.includes('@opentelemetry'))).toEqual([]);
  });
});
