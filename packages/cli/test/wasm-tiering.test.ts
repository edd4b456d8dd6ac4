// dhub keeps undici's WebAssembly HTTP parser on V8's baseline compiler (bin/dhub.js sets the flags
// before the first request): a short command must not start an optimizing compile that the process
// then waits for at exit. V8's own trace of each compiled function shows which compiler ran.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createSimulator, type Simulator } from '@llmdevops/docker-hub-simulation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, runInProcess } from './helpers.js';

const run = promisify(execFile);

describe('the WebAssembly HTTP parser in a dhub process', () => {
  let simulator: Simulator;
  let host: string;
  let env: NodeJS.ProcessEnv;
  let work: string;

  beforeAll(async () => {
    simulator = createSimulator({
      auth: 'token',
      users: [{ name: 'alice', password: 'alice-pw' }],
    });
    host = new URL((await simulator.listen()).url).host;
    env = await cleanEnv();
    work = await mkdtemp(join(tmpdir(), 'dhub-wasm-'));
    await writeFile(join(work, 'payload.bin'), Buffer.alloc(256 * 1024, 7));
    const login = await runInProcess(['login', host, '-u', 'alice', '--password-stdin'], {
      env,
      stdin: 'alice-pw\n',
    });
    expect(login.code).toBe(0);
    const push = await runInProcess(
      [
        'artifact',
        'push',
        `${host}/alice/wasm:1`,
        join(work, 'payload.bin'),
        '--artifact-type',
        'application/x-test',
      ],
      { env, cwd: work },
    );
    expect(push.code).toBe(0);
  });
  afterAll(async () => {
    await simulator.close();
    await rm(work, { recursive: true, force: true });
  });

  it('is compiled by Liftoff only, never TurboFan, through a token-auth digest and pull', async () => {
    const traced = async (...argv: string[]): Promise<string> => {
      const { stdout } = await run(
        process.execPath,
        ['--trace-wasm-compilation-times', BIN, ...argv],
        {
          env,
          cwd: work,
          maxBuffer: 16 * 1024 * 1024,
        },
      );
      return stdout;
    };
    const digest = await traced('digest', `${host}/alice/wasm:1`);
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/m);
    const pulled = await traced('artifact', 'pull', `${host}/alice/wasm:1`, join(work, 'out'));
    for (const trace of [digest, pulled]) {
      // The trace is on: the parser's functions were compiled, and V8 said by which compiler.
      expect(trace).toMatch(/Compiled function \S+ using Liftoff/);
      expect(trace).not.toMatch(/using TurboFan/);
    }
  });
});
