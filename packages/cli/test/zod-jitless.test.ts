// The program validates documents (its configuration, a token answer, a manifest) with zod's
// interpreter: zod would otherwise build and compile a fast path for each object schema from
// source text on its first parse, in every run, as no code cache keeps such code.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, seededSimulator, type SeededSimulator } from './helpers.js';

const run = promisify(execFile);
const NEW_FUNCTION_PRELOAD = fileURLToPath(new URL('./fixtures/new-function.cjs', import.meta.url));

describe('dhub and zod', () => {
  let seeded: SeededSimulator;

  beforeAll(async () => {
    seeded = await seededSimulator({ auth: 'token', repository: 'alice/jitless', bytes: 'payload' });
  });
  afterAll(async () => {
    await seeded.close();
  });

  it('compiles no function from source text for a token-auth manifest, whose answers it still validates', async () => {
    const out = join(seeded.work, 'new-function.json');
    const { stdout } = await run(
      process.execPath,
      ['--require', NEW_FUNCTION_PRELOAD, BIN, 'manifest', seeded.ref],
      { env: { ...seeded.env, NEW_FUNCTION_OUT: out } },
    );
    const manifest = JSON.parse(stdout) as { schemaVersion?: unknown; layers?: unknown };
    expect(manifest.schemaVersion).toBe(2);
    expect(Array.isArray(manifest.layers)).toBe(true);
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual([]);
  });
});
