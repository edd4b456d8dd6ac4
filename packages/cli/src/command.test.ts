import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  defineCommand,
  flag,
  listOption,
  parseOperand,
  positional,
  stringOption,
  usageError,
  type CommandInput,
} from './command.js';
import { COMMANDS } from './commands/index.js';
import { UsageError } from './exit-codes.js';
import { type CliIo } from './io.js';

function io(): { io: CliIo; out: () => string } {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  return {
    io: {
      stdout,
      stderr: new PassThrough(),
      stdin: Readable.from([]),
      env: {},
      stderrIsTTY: false,
      signal: new AbortController().signal,
    },
    out: () => out,
  };
}

function input(values: CommandInput['values'], positionals: string[] = []): CommandInput {
  return { values, options: values, positionals, io: io().io, usage: 'dhub x ARG' };
}

describe('option helpers', () => {
  it('read strings, lists and flags by their parsed type only', () => {
    const i = input({ s: 'v', l: ['a', 'b'], one: 'c', f: true, off: false }, ['p0']);
    expect(stringOption(i, 's')).toBe('v');
    expect(stringOption(i, 'f')).toBeUndefined();
    expect(stringOption(i, 'missing')).toBeUndefined();
    expect(listOption(i, 'l')).toEqual(['a', 'b']);
    expect(listOption(i, 'one')).toEqual(['c']);
    expect(listOption(i, 'f')).toEqual([]);
    expect(flag(i, 'f')).toBe(true);
    expect(flag(i, 'off')).toBe(false);
    expect(flag(i, 's')).toBe(false);
    expect(positional(i, 0)).toBe('p0');
    expect(positional(i, 3)).toBe('');
  });

  it('turns parser failures into usage errors naming the argument, and keeps usage errors', () => {
    const i = input({});
    expect(parseOperand(i, 'N', () => 42)).toBe(42);
    const fromError = (() => {
      try {
        parseOperand(i, 'REF', () => {
          throw new Error('bad thing');
        });
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(fromError).toBeInstanceOf(UsageError);
    expect((fromError as UsageError).message).toBe('invalid REF: bad thing');
    expect(() =>
      parseOperand(i, 'REF', () => {
        // A non-Error throw still gives a readable message.
        throw 'plain string'; // eslint-disable-line @typescript-eslint/only-throw-error
      }),
    ).toThrow('invalid REF: plain string');
    const own = usageError(i, 'already a usage error');
    expect(() =>
      parseOperand(i, 'REF', () => {
        throw own;
      }),
    ).toThrow(own);
  });
});

describe('defineCommand', () => {
  it('prints help and exits 0 without running the handler; otherwise returns the handler code', async () => {
    let ran = 0;
    const cmd = defineCommand(
      {
        name: 'x',
        usage: 'dhub x ARG',
        summary: 'Does x.',
        options: { json: { type: 'boolean', help: 'JSON' } },
        notes: ['ARG - reads stdin'],
        examples: ['dhub x 1'],
        positionals: ['ARG'],
      },
      async () => {
        ran++;
        return undefined;
      },
    );
    const help = io();
    expect(await cmd.run(['--help'], help.io)).toBe(0);
    expect(help.out()).toContain('usage: dhub x ARG');
    expect(help.out()).toMatch(/^ {2}--json {2,}JSON$/m);
    expect(help.out()).toContain('examples:\n  dhub x 1');
    expect(help.out()).toMatch(/JSON\n\nARG - reads stdin\n\nglobal options:/);
    expect(ran).toBe(0);
    expect(await cmd.run(['1'], io().io)).toBe(0);
    expect(ran).toBe(1);
    await expect(cmd.run([], io().io)).rejects.toThrow('expected 1 argument(s), got 0');
    await expect(cmd.run(['1', '--nope'], io().io)).rejects.toThrow(/--nope/);
  });

  it('every command prints its usage line with --help and exits 0', async () => {
    for (const command of COMMANDS) {
      const h = io();
      expect(await command.run(['--help'], h.io), command.name).toBe(0);
      expect(h.out().startsWith(`usage: ${command.usage}\n`), command.name).toBe(true);
    }
  });

  it('derives the option help from the declarations: flags, values, aliases, several lines', async () => {
    const cmd = defineCommand(
      {
        name: 'y',
        usage: 'dhub y',
        summary: 'Does y.',
        options: {
          port: { type: 'string', value: 'N', help: 'port to listen on' },
          tag: { type: 'string', multiple: true, help: ['a tag (repeatable)', 'second line'] },
          verbose: { type: 'boolean', short: 'v', help: 'say more' },
          bare: { type: 'string' },
        },
        positionals: [],
      },
      async () => undefined,
    );
    const h = io();
    await cmd.run(['--help'], h.io);
    const lines = h.out().split('\n');
    const own = lines.slice(lines.indexOf('options:') + 1, lines.indexOf('global options:') - 1);
    const column = (own[0] ?? '').indexOf('port to listen on');
    expect(own).toEqual([
      '  --port N'.padEnd(column) + 'port to listen on',
      '  --tag VALUE'.padEnd(column) + 'a tag (repeatable)',
      ' '.repeat(column) + 'second line',
      '  -v, --verbose'.padEnd(column) + 'say more',
      '  --bare VALUE',
    ]);
    expect(h.out()).toMatch(/^ {2}--budget URL +share a Docker Hub pull budget/m);
  });

  it('hands the handler typed option values parsed by the declarations', async () => {
    let seen: unknown;
    const cmd = defineCommand(
      {
        name: 'z',
        usage: 'dhub z',
        summary: 'Does z.',
        options: {
          n: { type: 'string' },
          l: { type: 'string', multiple: true },
          f: { type: 'boolean' },
        },
        positionals: [],
      },
      async (input) => {
        const n: string | undefined = input.options.n;
        const l: string[] | undefined = input.options.l;
        const f: boolean | undefined = input.options.f;
        const quiet: boolean | undefined = input.options.quiet;
        seen = { n, l, f, quiet };
        return undefined;
      },
    );
    await cmd.run(['--n', '1', '--l', 'a', '--l', 'b', '-q'], io().io);
    expect(seen).toEqual({ n: '1', l: ['a', 'b'], f: undefined, quiet: true });
  });

  it('every option of every command is in its --help, with a description', async () => {
    const missing: string[] = [];
    for (const command of COMMANDS) {
      const h = io();
      await command.run(['--help'], h.io);
      const text = h.out();
      for (const name of command.optionNames) {
        const line = text
          .split('\n')
          .find((l) => new RegExp(`(^|, )--${name}( [A-Z]\\S*)? {2,}\\S`).test(l.trim()));
        if (line === undefined) missing.push(`dhub ${command.name} --${name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
