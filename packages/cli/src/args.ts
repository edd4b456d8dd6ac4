import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './exit-codes.js';

/** Option declarations in `node:util` `parseArgs` form. @public */
export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** Options every command accepts. @public */
export const GLOBAL_OPTIONS = {
  json: { type: 'boolean' },
  insecure: { type: 'boolean' },
  'no-proxy': { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  config: { type: 'string' },
  budget: { type: 'string' },
} as const satisfies OptionsConfig;

/** Help lines for the global options, shown by every command's `--help`. @internal */
export const GLOBAL_OPTIONS_HELP: readonly string[] = [
  '--json            machine-readable output (reading commands)',
  '--insecure        allow plain HTTP to a non-loopback registry',
  '--no-proxy        ignore HTTPS_PROXY / HTTP_PROXY (and a proxy in --config)',
  '--config FILE     YAML configuration file (default: environment variables only)',
  '--budget URL      share a Docker Hub pull budget: memory:, file:///PATH or redis://HOST:PORT/DB',
  '                  (default: DOCKER_HUB_BUDGET_URL, or budget.url in --config)',
  '-q, --quiet       no progress or informational output',
  '--debug           print stack traces of failures',
  '-h, --help        this help',
];

/** What a command declares about its command line. @public */
export interface CommandSpec<TOptions extends OptionsConfig> {
  /** One or two words, e.g. `tags` or `webhook listen`. */
  readonly name: string;
  /** e.g. `dhub tags REPO` */
  readonly usage: string;
  /** One-line description for `dhub --help`. */
  readonly summary: string;
  /** The command's own options (global ones are added). */
  readonly options: TOptions;
  /** One help line per option of the command, e.g. `--port N   port to listen on`. */
  readonly optionHelp?: readonly string[];
  /** Example command lines. */
  readonly examples?: readonly string[];
  /** Names of required positionals, in order. */
  readonly positionals: readonly string[];
  /** Optional positionals after the required ones. */
  readonly optionalPositionals?: readonly string[];
}

/** A parsed command line. @public */
export interface ParsedCommandLine {
  readonly values: Record<string, string | boolean | string[] | undefined>;
  readonly positionals: string[];
}

/**
 * Parses argv for one command, strictly: unknown options and wrong positional counts are usage errors.
 * @param spec - the command's declaration
 * @param argv - arguments after the command name
 * @returns parsed values and positionals
 * @throws UsageError on a bad command line
 * @public
 */
export function parseCommand<TOptions extends OptionsConfig>(
  spec: CommandSpec<TOptions>,
  argv: readonly string[],
): ParsedCommandLine {
  let parsed: ParsedCommandLine;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...GLOBAL_OPTIONS, ...spec.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    const message =
      (err instanceof Error ? err.message : String(err))
        .split('\n')[0]
        ?.replace(/\. To specify a positional.*$/, '') ?? '';
    throw new UsageError(message, spec.usage);
  }
  const { positionals } = parsed;
  const min = spec.positionals.length;
  const max = min + (spec.optionalPositionals?.length ?? 0);
  if (parsed.values['help'] !== true && (positionals.length < min || positionals.length > max)) {
    const want = min === max ? `${min}` : `${min} to ${max}`;
    throw new UsageError(`expected ${want} argument(s), got ${positionals.length}`, spec.usage);
  }
  return parsed;
}

/**
 * The help text of a command.
 * @param spec - the command's declaration
 * @returns usage, summary, options and examples
 * @public
 */
export function helpText<TOptions extends OptionsConfig>(spec: CommandSpec<TOptions>): string {
  const parts = [`usage: ${spec.usage}`, '', spec.summary, ''];
  if (spec.optionHelp !== undefined && spec.optionHelp.length > 0) {
    parts.push('options:', ...spec.optionHelp.map((l) => `  ${l}`), '');
  }
  parts.push('global options:', ...GLOBAL_OPTIONS_HELP.map((l) => `  ${l}`), '');
  if (spec.examples !== undefined && spec.examples.length > 0) {
    parts.push('examples:', ...spec.examples.map((l) => `  ${l}`), '');
  }
  return parts.join('\n');
}
