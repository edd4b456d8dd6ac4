import { readFileSync } from 'node:fs';
import { NotFoundError } from '@llmdevops/docker-hub-core';
import { describe, expect, it } from 'vitest';
import { defineCommand, listOption, parseOperand, positional, stringOption } from './command.js';
import { COMMANDS } from './commands/index.js';
import { runCli } from './main.js';
import { memoryIo } from '../test/helpers.js';


const echo = defineCommand(
  {
    name: 'group echo',
    usage: 'dhub group echo WORD [--tag T]...',
    summary: 'test command',
    options: { tag: { type: 'string', multiple: true }, mode: { type: 'string' } },
    positionals: ['WORD'],
  },
  async (input) => {
    if (positional(input, 0) === 'fail') throw new NotFoundError('nothing here', { status: 404 });
    if (positional(input, 0) === 'crash') throw new Error('plain\ncrash');
    const n = parseOperand(input, 'WORD', () => {
      if (positional(input, 0) === 'bad') throw new Error('not a word');
      return positional(input, 0);
    });
    input.io.stdout.write(
      `${n} ${listOption(input, 'tag').join(',')} ${stringOption(input, 'mode') ?? '-'}\n`,
    );
    return 0;
  },
);

describe('runCli', () => {
  it('lists commands on --help (exit 0) and on no arguments (exit 2, stderr)', async () => {
    const a = memoryIo();
    expect(await runCli(['--help'], a.io, COMMANDS)).toBe(0);
    for (const c of COMMANDS) expect(a.out()).toContain(c.name);
    const b = memoryIo();
    expect(await runCli([], b.io, COMMANDS)).toBe(2);
    expect(b.err()).toMatch(/^usage: dhub COMMAND/);
  });

  it('prints its version on --version and -V (exit 0, stdout)', async () => {
    const { version } = JSON.parse(
      readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    for (const flag of ['--version', '-V']) {
      const m = memoryIo();
      expect(await runCli([flag], m.io, COMMANDS)).toBe(0);
      expect(m.out()).toBe(`dhub ${version}\n`);
      expect(m.err()).toBe('');
    }
  });

  it('rejects unknown commands and bare groups with a usage line', async () => {
    const a = memoryIo();
    expect(await runCli(['frobnicate'], a.io, COMMANDS)).toBe(2);
    expect(a.err()).toContain("unknown command 'frobnicate'");
    const b = memoryIo();
    expect(await runCli(['webhook'], b.io, COMMANDS)).toBe(2);
    expect(b.err()).toContain('usage: dhub webhook listen');
  });

  it.each([
    [['manifest']],
    [['manifest', 'a', 'b']],
    [['tags', '--bogus', 'x']],
    [['manifest', 'Not A Ref']],
    [['manifest', 'alpine', '--platform', 'linux']],
    [['blob', 'alpine:latest']],
    [['pull', 'alpine', 'dir', '--platform', 'linux/arm64', '--all-platforms']],
    [['tag', 'alpine:1', 'bad tag!']],
    [['delete', 'alpine']],
    [['serve', '--auth', 'magic']],
    [['serve', '--port', '99999']],
    [['serve', '--rate-limit', 'ten']],
    [['serve', '--user', 'nopassword']],
    [['serve', '--fault', 'bogus=1']],
    [['webhook', 'listen', '--port', 'x']],
    [['login', 'localhost:5000']],
    [['login', 'localhost:5000', '-u', 'alice']],
  ])('%j is a usage error (exit 2, usage line on stderr)', async (argv) => {
    const { io, out, err } = memoryIo();
    expect(await runCli(argv, io, COMMANDS)).toBe(2);
    expect(err()).toMatch(/\nusage: dhub /);
    expect(out()).toBe('');
  });

  it('prints per-command help with options and examples', async () => {
    for (const command of COMMANDS) {
      const { io, out } = memoryIo();
      expect(await runCli([...command.name.split(' '), '--help'], io, COMMANDS)).toBe(0);
      expect(out()).toContain(`usage: ${command.usage}`);
      expect(out()).toContain('global options:');
    }
  });

  it('runs two-word commands with repeated options', async () => {
    const { io, out } = memoryIo();
    expect(await runCli(['group', 'echo', 'hi', '--tag', 'a', '--tag', 'b'], io, [echo])).toBe(0);
    expect(out()).toBe('hi a,b -\n');
  });

  it('turns a failed operation into one line CODE: message and exit 1; --debug adds the stack', async () => {
    const a = memoryIo();
    expect(await runCli(['group', 'echo', 'fail'], a.io, [echo])).toBe(1);
    expect(a.err()).toBe('NOT_FOUND: nothing here\n');
    const b = memoryIo();
    expect(await runCli(['group', 'echo', 'crash', '--debug'], b.io, [echo])).toBe(1);
    expect(b.err().split('\n')[0]).toBe('ERROR: plain crash');
    expect(b.err()).toContain('at ');
  });

  it('reports a bad operand as a usage error naming it', async () => {
    const { io, err } = memoryIo();
    expect(await runCli(['group', 'echo', 'bad'], io, [echo])).toBe(2);
    expect(err()).toContain('invalid WORD: not a word');
  });
});
