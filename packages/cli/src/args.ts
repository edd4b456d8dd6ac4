import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './exit-codes.js';

/**
 * One option of a command: its `node:util` `parseArgs` shape plus the help `--help` prints, so
 * the help is derived from the declaration and cannot drift from it.
 * @internal
 */
export interface OptionDeclaration {
  /** `string` takes a value, `boolean` is a flag. */
  readonly type: 'string' | 'boolean';
  /** One-letter alias, e.g. `q` for `-q`. */
  readonly short?: string;
  /** Whether the option may be given more than once (values collected in order). */
  readonly multiple?: boolean;
  /** What the option does: one line, or several. */
  readonly help?: string | readonly string[];
  /** Placeholder of a string option's value in the help, e.g. `N` or `FILE` (default `VALUE`). */
  readonly value?: string;
}

/** Option declarations of a command, by long name. @internal */
export type OptionsConfig = Readonly<Record<string, OptionDeclaration>>;

/**
 * The parsed value type of each declared option: `boolean` for flags, `string[]` for repeatable
 * options, `string` otherwise; `undefined` when not given.
 * @internal
 */
export type OptionValues<TOptions extends OptionsConfig> = {
  readonly [K in keyof TOptions]?: OptionValue<TOptions[K]>;
};

/**
 * The parsed value type of one declaration (every possible type for an undeclared shape).
 * @internal
 */
export type OptionValue<D extends OptionDeclaration> = D['type'] extends 'boolean'
  ? boolean
  : 'boolean' extends D['type']
    ? string | boolean | string[]
    : D['multiple'] extends true
      ? string[]
      : string;

/** Options every command accepts. @internal */
export const GLOBAL_OPTIONS = {
  json: { type: 'boolean', help: 'machine-readable output (reading commands)' },
  insecure: { type: 'boolean', help: 'allow plain HTTP to a non-loopback registry' },
  'no-proxy': {
    type: 'boolean',
    help: 'ignore HTTPS_PROXY / HTTP_PROXY (and a proxy in --config)',
  },
  'cert-dir': {
    type: 'string',
    value: 'DIR',
    help: [
      'ca.crt, client.cert and client.key for the registries of the command',
      '(default: the first certs.d/HOST[:PORT] folder found)',
    ],
  },
  config: {
    type: 'string',
    value: 'FILE',
    help: 'YAML configuration file (default: environment variables only)',
  },
  budget: {
    type: 'string',
    value: 'URL',
    help: [
      'share a Docker Hub pull budget: memory:, file:///PATH or redis://HOST:PORT/DB',
      '(default: DOCKER_HUB_BUDGET_URL, or budget.url in --config)',
    ],
  },
  quiet: { type: 'boolean', short: 'q', help: 'no progress or informational output' },
  debug: { type: 'boolean', help: 'print stack traces of failures' },
  help: { type: 'boolean', short: 'h', help: 'this help' },
} as const satisfies OptionsConfig;

/** The `parseArgs` form of declarations (help fields dropped). */
function parseArgsOptions(options: OptionsConfig): NonNullable<ParseArgsConfig['options']> {
  const out: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, d] of Object.entries(options)) {
    out[name] = {
      type: d.type,
      ...(d.short === undefined ? {} : { short: d.short }),
      ...(d.multiple === undefined ? {} : { multiple: d.multiple }),
    };
  }
  return out;
}

/** The smallest column the help text of options starts in. */
const HELP_COLUMN = 18;

/**
 * Help lines for declared options: `-q, --quiet  text`, `--port N  text`, aligned in one column.
 * Options without help are listed with their name only.
 * @param options - the declarations
 * @returns one line per option (more for multi-line help)
 * @internal
 */
export function optionHelpLines(options: OptionsConfig): string[] {
  const rows = Object.entries(options).map(([name, d]) => {
    const flagText = `${d.short === undefined ? '' : `-${d.short}, `}--${name}`;
    const left = d.type === 'string' ? `${flagText} ${d.value ?? 'VALUE'}` : flagText;
    const help = d.help === undefined ? [] : typeof d.help === 'string' ? [d.help] : [...d.help];
    return { left, help };
  });
  const column = Math.max(HELP_COLUMN, ...rows.map((r) => r.left.length + 2));
  return rows.flatMap(({ left, help }) => {
    const [first = '', ...rest] = help;
    return [
      `${left.padEnd(column)}${first}`.trimEnd(),
      ...rest.map((l) => `${' '.repeat(column)}${l}`),
    ];
  });
}

/** What a command declares about its command line. @internal */
export interface CommandSpec<TOptions extends OptionsConfig> {
  /** One or two words, e.g. `tags` or `webhook listen`. */
  readonly name: string;
  /** e.g. `dhub tags REPO` */
  readonly usage: string;
  /** One-line description for `dhub --help`. */
  readonly summary: string;
  /** The command's own options (global ones are added); `--help` lists them from here. */
  readonly options: TOptions;
  /** Lines printed after the options: what an operand such as `-` means, environment variables. */
  readonly notes?: readonly string[];
  /** Example command lines. */
  readonly examples?: readonly string[];
  /** Names of required positionals, in order; a last one named `X...` takes any number. */
  readonly positionals: readonly string[];
  /** Optional positionals after the required ones. */
  readonly optionalPositionals?: readonly string[];
}

/** A parsed command line. @internal */
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
 * @internal
 */
export function parseCommand<TOptions extends OptionsConfig>(
  spec: CommandSpec<TOptions>,
  argv: readonly string[],
): ParsedCommandLine {
  let parsed: ParsedCommandLine;
  try {
    // Declarations allow `multiple` only on string options, so lists hold strings.
    parsed = parseArgs({
      args: [...argv],
      options: parseArgsOptions({ ...GLOBAL_OPTIONS, ...spec.options }),
      allowPositionals: true,
      strict: true,
    }) as ParsedCommandLine;
  } catch (err) {
    const message =
      (err instanceof Error ? err.message : String(err))
        .split('\n')[0]
        ?.replace(/\. To specify a positional.*$/, '') ?? '';
    throw new UsageError(message, spec.usage);
  }
  const { positionals } = parsed;
  const min = spec.positionals.length;
  // A last positional named `X...` takes any number of arguments (at least one when required).
  const last = [...spec.positionals, ...(spec.optionalPositionals ?? [])].at(-1) ?? '';
  const max = last.endsWith('...')
    ? Number.POSITIVE_INFINITY
    : min + (spec.optionalPositionals?.length ?? 0);
  if (parsed.values['help'] !== true && (positionals.length < min || positionals.length > max)) {
    const want =
      min === max
        ? `${min}`
        : max === Number.POSITIVE_INFINITY
          ? `at least ${min}`
          : `${min} to ${max}`;
    throw new UsageError(`expected ${want} argument(s), got ${positionals.length}`, spec.usage);
  }
  return parsed;
}

/**
 * The help text of a command.
 * @param spec - the command's declaration
 * @returns usage, summary, options and examples
 * @internal
 */
export function helpText<TOptions extends OptionsConfig>(spec: CommandSpec<TOptions>): string {
  const parts = [`usage: ${spec.usage}`, '', spec.summary, ''];
  const own = optionHelpLines(spec.options);
  if (own.length > 0) parts.push('options:', ...own.map((l) => `  ${l}`), '');
  if (spec.notes !== undefined && spec.notes.length > 0) parts.push(...spec.notes, '');
  parts.push('global options:', ...optionHelpLines(GLOBAL_OPTIONS).map((l) => `  ${l}`), '');
  if (spec.examples !== undefined && spec.examples.length > 0) {
    parts.push('examples:', ...spec.examples.map((l) => `  ${l}`), '');
  }
  return parts.join('\n');
}
