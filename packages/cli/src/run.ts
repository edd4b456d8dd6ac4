import { COMMANDS } from './commands/index.js';
import type { CliIo } from './io.js';
import { runCli as runWith } from './main.js';

/**
 * Runs `dhub` in-process with its own commands, as the `dhub` binary does: failures never
 * escape (one line `CODE: message` on stderr and exit code 1; command-line mistakes print the
 * usage line and give exit code 2).
 * @param argv - arguments after `dhub`, e.g. `['digest', 'alpine:3.19']`
 * @param io - streams, environment and interrupt signal (`processIo().io` for the process's own)
 * @returns the exit code
 * @example
 * ```ts
 * const { io, dispose } = processIo();
 * const code = await runCli(['digest', 'alpine:3.19'], io);
 * dispose();
 * ```
 * @public
 */
export function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  return runWith(argv, io, COMMANDS);
}
