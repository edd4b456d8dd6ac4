import type { Command } from './command.js';
import { EXIT, UsageError, describeFailure, exitCodeFor } from './exit-codes.js';
import { write, type CliIo } from './io.js';
import { GLOBAL_OPTIONS } from './args.js';
import manifest from '../package.json' with { type: 'json' };

/** The version of this `dhub` (the cli package's). @public */
export const VERSION: string = manifest.version;

const TOP_USAGE =
  'usage: dhub COMMAND [ARGS] [--json] [--insecure] [--no-proxy] [--cert-dir DIR] [--quiet] [--debug] [--config FILE]\n       dhub --version';

function overview(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `${TOP_USAGE}\n\ncommands:\n${lines.join('\n')}\n\nRun 'dhub COMMAND --help' for a command's options.\n`;
}

/** The command whose words start argv (longest match first), with the remaining arguments. */
function findCommand(
  argv: readonly string[],
  commands: readonly Command[],
): { command: Command; rest: readonly string[] } | undefined {
  const sorted = [...commands].sort((a, b) => b.name.split(' ').length - a.name.split(' ').length);
  for (const command of sorted) {
    const words = command.name.split(' ');
    if (words.every((w, i) => argv[i] === w)) return { command, rest: argv.slice(words.length) };
  }
  return undefined;
}

/** A group word such as `webhook` given alone or with an unknown sub-command. */
function groupUsage(word: string, commands: readonly Command[]): string | undefined {
  const members = commands.filter((c) => c.name.startsWith(`${word} `));
  return members.length === 0 ? undefined : members.map((c) => `usage: ${c.usage}`).join('\n');
}

/**
 * Moves global options given before the command name (`dhub --no-proxy pull …`) behind it, where
 * every command parses them; `--help` and `--version` stay in front.
 */
function globalsAfterCommand(argv: readonly string[]): readonly string[] {
  const leading: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i] ?? '';
    const [flag = '', inline] = arg.split(/=(.*)/s, 2);
    const name = flag.startsWith('--') ? flag.slice(2) : Object.entries(GLOBAL_OPTIONS).find(([, o]) => 'short' in o && `-${o.short}` === flag)?.[0];
    const option = name === undefined || name === 'help' ? undefined : (GLOBAL_OPTIONS as Record<string, { type: string }>)[name];
    if (option === undefined) break;
    leading.push(arg);
    if (option.type === 'string' && inline === undefined && i + 1 < argv.length) leading.push(argv[i + 1] ?? '');
    i += option.type === 'string' && inline === undefined ? 2 : 1;
  }
  if (leading.length === 0 || i >= argv.length) return argv;
  return [...argv.slice(i), ...leading];
}

/**
 * Runs `dhub` with the given arguments. Failures never escape: they become one line
 * `CODE: message` on stderr (a stack trace only with `--debug`) and exit code 1; command-line
 * mistakes print the usage line and give exit code 2.
 * @param argv - arguments after `dhub`
 * @param io - streams, environment, signal
 * @param commands - the command table
 * @returns the exit code: 0 success, 1 operation failed, 2 usage error
 * @internal
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  commands: readonly Command[],
): Promise<number> {
  argv = globalsAfterCommand(argv);
  const [name] = argv;
  const debug = argv.includes('--debug');
  if (name === '--version' || name === '-V') {
    await write(io.stdout, `dhub ${VERSION}\n`);
    return EXIT.OK;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    await write(name === undefined ? io.stderr : io.stdout, overview(commands));
    return name === undefined ? EXIT.USAGE : EXIT.OK;
  }
  const found = findCommand(argv, commands);
  if (found === undefined) {
    const group = groupUsage(name, commands);
    const message =
      group === undefined
        ? `dhub: unknown command '${name}'\nusage: dhub COMMAND [ARGS]; see 'dhub --help'\n`
        : `dhub ${name}: missing or unknown sub-command\n${group}\n`;
    await write(io.stderr, message);
    return EXIT.USAGE;
  }
  const { command, rest } = found;
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      await write(io.stderr, `dhub ${command.name}: ${err.message}\nusage: ${err.usage}\n`);
      return EXIT.USAGE;
    }
    const stack = debug && err instanceof Error && err.stack !== undefined ? `\n${err.stack}` : '';
    await write(io.stderr, `${describeFailure(err)}${stack}\n`);
    return exitCodeFor(err);
  }
}
