import { ConfigError, type ConfigIssue } from '../errors/index.js';

/**
 * Checks one option value (never `undefined`: a missing or `undefined` option is not checked) and
 * returns its problems, empty when it is fine. Messages say what is expected, never the value,
 * which may be a secret.
 * @public
 */
export type OptionCheck = (value: unknown, path: string) => readonly ConfigIssue[];

/** One {@link OptionCheck} for every key an options object may have, and no other. @public */
export type OptionRules<T> = { readonly [K in keyof T]-?: OptionCheck };

const ok: readonly ConfigIssue[] = [];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** Whether two strings differ by at most one edit: a change, an insertion, a deletion or a swap. */
function nearlyEqual(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && a.charAt(i) === b.charAt(i)) i++;
  const swapped = a.charAt(i) === b.charAt(i + 1) && a.charAt(i + 1) === b.charAt(i);
  return (
    a.slice(i + 1) === b.slice(i + 1) ||
    a.slice(i) === b.slice(i + 1) ||
    a.slice(i + 1) === b.slice(i) ||
    (swapped && a.slice(i + 2) === b.slice(i + 2))
  );
}

function unknownKey(key: string, known: readonly string[], path: string): ConfigIssue {
  const lower = key.toLowerCase();
  const near = known.find((k) => {
    const candidate = k.toLowerCase();
    const prefix = Math.min(candidate.length, lower.length) >= 4 && (candidate.startsWith(lower) || lower.startsWith(candidate));
    return prefix || nearlyEqual(candidate, lower);
  });
  const hint = near === undefined ? '' : `; did you mean ${near}?`;
  return { path: join(path, key), message: `unknown option${hint}` };
}

function checkObject(value: unknown, path: string, rules: Readonly<Record<string, OptionCheck>>): ConfigIssue[] {
  if (value === undefined) return [];
  if (!isPlainObject(value)) return [{ path, message: 'must be a plain object' }];
  const known = Object.keys(rules);
  const issues: ConfigIssue[] = [];
  for (const [key, field] of Object.entries(value)) {
    const rule = Object.hasOwn(rules, key) ? rules[key] : undefined;
    if (rule === undefined) issues.push(unknownKey(key, known, path));
    else if (field !== undefined) issues.push(...rule(field, join(path, key)));
  }
  return issues;
}

/**
 * Checks an options object against its rules and throws one {@link ConfigError} listing every
 * problem: keys that have no rule (a misspelt key names its likely intent) and values their rule
 * refuses. `undefined` (no options) and options set to `undefined` are fine.
 * @param subject - what is being configured, for the message, e.g. `createTransport options`
 * @param input - the options as the caller gave them
 * @param rules - a check for every allowed key
 * @throws {@link ConfigError} (code `CONFIG_INVALID`) naming every bad key
 * @example
 * ```ts
 * validateOptions('createThing options', options, {
 *   timeoutMs: optionCheck.number({ min: 0 }),
 *   name: optionCheck.string(),
 * });
 * ```
 * @public
 */
export function validateOptions<T extends object>(
  subject: string,
  input: T | undefined,
  rules: OptionRules<T>,
): void {
  const issues = checkObject(input, '', rules);
  if (issues.length > 0) throw new ConfigError(issues, { subject });
}

/** Bounds of {@link optionCheck}`.number`. @public */
export interface NumberBounds {
  /** Smallest allowed value. */
  readonly min?: number;
  /** Largest allowed value. */
  readonly max?: number;
  /** Whole numbers only. */
  readonly integer?: boolean;
}

function numberRule(bounds: NumberBounds): string {
  const what = bounds.integer === true ? 'an integer' : 'a finite number';
  const range = [
    bounds.min === undefined ? '' : ` >= ${bounds.min}`,
    bounds.max === undefined ? '' : ` <= ${bounds.max}`,
  ].filter((r) => r !== '');
  return `must be ${what}${range.join(' and')}`;
}

const typed =
  (test: (value: unknown) => boolean, message: string): (() => OptionCheck) =>
  () =>
  (value, path) =>
    test(value) ? ok : [{ path, message }];

/**
 * Ready-made {@link OptionCheck}s for {@link validateOptions}.
 * @public
 */
export const optionCheck = {
  /**
   * A finite number within bounds.
   * @param bounds - minimum, maximum, whole numbers only
   * @returns the check
   */
  number(bounds: NumberBounds = {}): OptionCheck {
    const message = numberRule(bounds);
    return (value, path) =>
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (bounds.integer !== true || Number.isInteger(value)) &&
      (bounds.min === undefined || value >= bounds.min) &&
      (bounds.max === undefined || value <= bounds.max)
        ? ok
        : [{ path, message }];
  },
  /** A string. @returns the check */
  string: typed((v) => typeof v === 'string', 'must be a string'),
  /** `true` or `false`. @returns the check */
  boolean: typed((v) => typeof v === 'boolean', 'must be true or false'),
  /** A function. @returns the check */
  function: typed((v) => typeof v === 'function', 'must be a function'),
  /** Any object (not `null`), e.g. an injected dependency. @returns the check */
  object: typed((v) => typeof v === 'object' && v !== null, 'must be an object'),
  /** Anything: the option is allowed and its value is not checked. @returns the check */
  any: (): OptionCheck => () => ok,
  /**
   * A `Clock`: an object with a `now()` function and, when `sleep` is required, a `sleep()` one.
   * @param options - `sleep: false` when only `now()` is read
   * @returns the check
   */
  clock(options: { readonly sleep?: boolean } = {}): OptionCheck {
    const needSleep = options.sleep ?? true;
    const message = needSleep ? 'must be a Clock with now() and sleep()' : 'must be a Clock with now()';
    return (value, path) => {
      if (typeof value !== 'object' || value === null) return [{ path, message }];
      const { now, sleep } = value as { now?: unknown; sleep?: unknown };
      const good = typeof now === 'function' && (needSleep ? typeof sleep === 'function' : sleep === undefined || typeof sleep === 'function');
      return good ? ok : [{ path, message }];
    };
  },
  /**
   * One of a fixed set of values.
   * @param values - the allowed values
   * @returns the check
   */
  oneOf(values: readonly (string | number | boolean)[]): OptionCheck {
    const message = `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;
    return (value, path) => (values.some((v) => v === value) ? ok : [{ path, message }]);
  },
  /**
   * An array whose every item passes `item`.
   * @param item - the check of each item
   * @returns the check
   */
  array(item: OptionCheck): OptionCheck {
    return (value, path) =>
      Array.isArray(value)
        ? (value as unknown[]).flatMap((v, i) => item(v, join(path, String(i))))
        : [{ path, message: 'must be an array' }];
  },
  /**
   * A plain object with only the given keys, each checked by its rule.
   * @param rules - a check for every allowed key
   * @returns the check
   */
  shape<T extends object>(rules: OptionRules<T>): OptionCheck {
    return (value, path) => checkObject(value, path, rules);
  },
  /**
   * Passes when any of `checks` passes; otherwise reports `message`.
   * @param message - what is expected, e.g. `must be a string or an array of strings`
   * @param checks - the alternatives
   * @returns the check
   */
  anyOf(message: string, ...checks: readonly OptionCheck[]): OptionCheck {
    return (value, path) => (checks.some((c) => c(value, path).length === 0) ? ok : [{ path, message }]);
  },
  /**
   * Passes when `test` accepts the value.
   * @param test - the predicate
   * @param message - what is expected, e.g. `must be a Secret`
   * @returns the check
   */
  that(test: (value: unknown) => boolean, message: string): OptionCheck {
    return (value, path) => (test(value) ? ok : [{ path, message }]);
  },
} as const;
