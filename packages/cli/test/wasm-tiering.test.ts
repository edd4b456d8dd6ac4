// dhub keeps undici's WebAssembly HTTP parser on V8's baseline compiler (bin/dhub.js sets the flags
// before the first request): a short command must not start an optimizing compile that the process
// then waits for at exit. V8's own trace of each compiled function shows which compiler ran.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, seededSimulator, type SeededSimulator } from './helpers.js';

const run = promisify(execFile);

describe('the WebAssembly HTTP parser in a dhub process', () => {
  let seeded: SeededSimulator;

  beforeAll(async () => {
    seeded = await seededSimulator({
      auth: 'token',
      repository: 'alice/wasm',
      bytes: Buffer.alloc(256 * 1024, 7),
    });
  });
  afterAll(async () => {
    await seeded.close();
  });

  it('is compiled by Liftoff only, never TurboFan, through a token-auth digest and pull', async () => {
    const traced = async (...argv: string[]): Promise<string> => {
      const { stdout } = await run(
        process.execPath,
        ['--trace-wasm-compilation-times', BIN, ...argv],
        {
          env: seeded.env,
          cwd: seeded.work,
          maxBuffer: 16 * 1024 * 1024,
        },
      );
      return stdout;
    };
    const digest = await traced('digest', seeded.ref);
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/m);
    const pulled = await traced('artifact', 'pull', seeded.ref, join(seeded.work, 'out'));
    for (const trace of [digest, pulled]) {
      // The trace is on: the parser's functions were compiled, and V8 said by which compiler.
      expect(trace).toMatch(/Compiled function \S+ using Liftoff/);
      expect(trace).not.toMatch(/using TurboFan/);
    }
  });
});
