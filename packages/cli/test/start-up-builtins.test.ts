// What a registry command loads at start-up: against a plain-HTTP loopback registry with token auth,
// `dhub digest` loads none of the built-in modules it does not use (TLS, HTTP/2, Node's HTTP
// client, child processes, zlib, promise-based fs, assert, crypto: a digest hashes nothing), each a
// few ms of every run; and Node's `--max-http-header-size`
// still limits the response headers undici accepts.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, seededSimulator, type SeededSimulator } from './helpers.js';

const run = promisify(execFile);
const MODULES_PRELOAD = fileURLToPath(new URL('./fixtures/loaded-modules.cjs', import.meta.url));

describe('dhub digest start-up', () => {
  let seeded: SeededSimulator;
  let ref: string;
  let env: NodeJS.ProcessEnv;
  let work: string;

  beforeAll(async () => {
    seeded = await seededSimulator({ auth: 'token', repository: 'alice/lean', bytes: 'payload' });
    ({ ref, env, work } = seeded);
  });
  afterAll(async () => {
    await seeded.close();
  });

  it('loads no TLS, HTTP/2, HTTP client, child process, zlib, fs/promises, assert or crypto module against a plain loopback registry', async () => {
    const out = join(work, 'loaded.json');
    const { stdout } = await run(
      process.execPath,
      ['--require', MODULES_PRELOAD, BIN, 'digest', ref],
      {
        env: { ...env, LOADED_MODULES_OUT: out },
      },
    );
    expect(stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    const { builtins } = JSON.parse(await readFile(out, 'utf8')) as { builtins: string[] };
    // The list is Node's own: modules every run needs are in it.
    expect(builtins).toContain('NativeModule net');
    const unused = builtins.filter((m) =>
      /^NativeModule (?:tls|_tls_\w+|http2|https?|_http_\w+|child_process|zlib|fs\/promises|assert|crypto)$/.test(
        m,
      ),
    );
    expect(unused).toEqual([]);
  });

  it('does not build process.stdin (fs streams for a file) when the command reads no input', async () => {
    const out = join(work, 'loaded-devnull.json');
    const child = spawn(process.execPath, ['--require', MODULES_PRELOAD, BIN, 'digest', ref], {
      env: { ...env, LOADED_MODULES_OUT: out },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    const [code] = (await once(child, 'close')) as [number];
    expect(code).toBe(0);
    expect(Buffer.concat(chunks).toString()).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    const { builtins } = JSON.parse(await readFile(out, 'utf8')) as { builtins: string[] };
    expect(builtins).toContain('NativeModule net');
    // Node 20's ES module loader itself loads internal/fs/promises to read the entry file.
    expect(builtins.filter((m) => /^NativeModule internal\/fs\/streams$/.test(m))).toEqual([]);
  });

  it('honours --max-http-header-size: a limit below the registry headers fails the request', async () => {
    const small = run(process.execPath, ['--max-http-header-size=64', BIN, 'digest', ref], { env });
    await expect(small).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('UND_ERR_HEADERS_OVERFLOW') as unknown,
    });
    const { stdout } = await run(
      process.execPath,
      ['--max-http-header-size=65536', BIN, 'digest', ref],
      { env },
    );
    expect(stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
  });
});
