import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from './run.js';
import { VERSION } from './main.js';

describe('runCli (the package entry point)', () => {
  it('runs dhub with its own commands: --version, a usage error for an unknown command', async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    stdout.on('data', (c: Buffer) => out.push(c));
    stderr.on('data', (c: Buffer) => err.push(c));
    const io = {
      stdout,
      stderr,
      stdin: Readable.from([]),
      env: {},
      stderrIsTTY: false,
      signal: new AbortController().signal,
      cwd: process.cwd(),
    };
    expect(await runCli(['--version'], io)).toBe(0);
    expect(Buffer.concat(out).toString()).toBe(`dhub ${VERSION}\n`);
    expect(await runCli(['digest', '--help'], io)).toBe(0);
    expect(Buffer.concat(out).toString()).toContain('usage: dhub digest');
    expect(await runCli(['no-such-command'], io)).toBe(2);
    expect(Buffer.concat(err).toString()).toContain("unknown command 'no-such-command'");
  });
});
