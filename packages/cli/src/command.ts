import { isDockerHubError } from '@llmdevops/docker-hub-core';
import { helpText, parseCommand, type CommandSpec, type GLOBAL_OPTIONS, type OptionValues, type OptionsConfig } from './args.js';
import { EXIT, UsageError } from './exit-codes.js';
import { write, type CliIo } from './io.js';

/** Parsed command line handed to a command. @internal */
export interface CommandInput<TOptions extends OptionsConfig = OptionsConfig> {
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  /** The same values, typed from the command's declarations and the global options. */
  readonly options: OptionValues<TOptions & typeof GLOBAL_OPTIONS>;
  readonly positionals: readonly string[];
  readonly io: CliIo;
  /** The command's usage line (for usage errors raised by the handler). */
  readonly usage: string;
}

/** One `dhub` command. @internal */
export interface Command {
  /** One or two words, e.g. `tags` or `webhook listen`. */
  readonly name: string;
  /** Usage line, e.g. `dhub tags REPO [--json]`. */
  readonly usage: string;
  /** One-line description for `dhub --help`. */
  readonly summary: string;
  /** Long names of the command's own options (the global ones excluded). */
  readonly optionNames: readonly string[];
  /**
   * Runs the command.
   * @param argv - arguments after the command name
   * @param io - streams, environment and the interrupt signal
   * @returns the exit code
   */
  run(argv: readonly string[], io: CliIo): Promise<number>;
}

/**
 * Builds a command from its declaration and a handler; `--help` prints the help and exits 0.
 * @param spec - name, usage, options, positionals
 * @param handler - does the work; returns an exit code (default 0)
 * @returns the command
 * @internal
 */
export function defineCommand<TOptions extends OptionsConfig>(
  spec: CommandSpec<TOptions>,
  handler: (input: CommandInput<TOptions>) => Promise<number | undefined>,
): Command {
  return {
    name: spec.name,
    usage: spec.usage,
    summary: spec.summary,
    optionNames: Object.keys(spec.options),
    async run(argv, io) {
      const { values, positionals } = parseCommand(spec, argv);
      if (values['help'] === true) {
        await write(io.stdout, helpText(spec));
        return EXIT.OK;
      }
      // parseArgs produced exactly the declared names with the declared value types.
      const options = values as OptionValues<TOptions & typeof GLOBAL_OPTIONS>;
      return (await handler({ values, options, positionals, io, usage: spec.usage })) ?? EXIT.OK;
    },
  };
}

/**
 * Reads a string option.
 * @param input - the parsed command line
 * @param name - option name
 * @returns its value or undefined
 * @internal
 */
export function stringOption(input: CommandInput, name: string): string | undefined {
  const v = input.values[name];
  return typeof v === 'string' ? v : undefined;
}

/**
 * Reads a repeatable string option.
 * @param input - the parsed command line
 * @param name - option name
 * @returns every value given
 * @internal
 */
export function listOption(input: CommandInput, name: string): string[] {
  const v = input.values[name];
  if (Array.isArray(v)) return v;
  return typeof v === 'string' ? [v] : [];
}

/**
 * Reads a boolean flag.
 * @param input - the parsed command line
 * @param name - flag name
 * @returns whether it was given
 * @internal
 */
export function flag(input: CommandInput, name: string): boolean {
  return input.values[name] === true;
}

/**
 * The n-th positional argument, which the spec guarantees exists.
 * @param input - the parsed command line
 * @param index - position
 * @returns the argument
 * @internal
 */
export function positional(input: CommandInput, index: number): string {
  return input.positionals[index] ?? '';
}

/**
 * Parses one argument with a library parser; a typed validation error becomes a usage error
 * (exit 2), because the command line was wrong, not the operation.
 * @param input - the parsed command line
 * @param label - what the argument is, e.g. `REF`
 * @param parse - the parser, e.g. `() => ImageReference.parse(text)`
 * @returns the parsed value
 * @throws UsageError when the parser throws
 * @internal
 */
export function parseOperand<T>(input: CommandInput, label: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const message = isDockerHubError(err) || err instanceof Error ? err.message : String(err);
    throw new UsageError(`invalid ${label}: ${message}`, input.usage);
  }
}

/**
 * A usage error raised from inside a handler.
 * @param input - the parsed command line
 * @param message - what is wrong
 * @returns the error, to throw
 * @internal
 */
export function usageError(input: CommandInput, message: string): UsageError {
  return new UsageError(message, input.usage);
}
