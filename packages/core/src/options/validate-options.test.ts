import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/index.js';
import { optionCheck as check, validateOptions, type OptionRules } from './validate-options.js';

interface ThingOptions {
  readonly timeoutMs?: number;
  readonly retries?: number;
  readonly name?: string;
  readonly verbose?: boolean;
  readonly onEvent?: () => void;
  readonly dispatcher?: object;
  readonly clock?: { now(): number };
  readonly mode?: 'a' | 'b';
  readonly hosts?: readonly string[];
  readonly ca?: string | readonly string[];
  readonly breaker?: { readonly threshold?: number };
  readonly secret?: unknown;
  readonly extra?: unknown;
}

const rules: OptionRules<ThingOptions> = {
  timeoutMs: check.number({ min: 0 }),
  retries: check.number({ min: 0, max: 10, integer: true }),
  name: check.string(),
  verbose: check.boolean(),
  onEvent: check.function(),
  dispatcher: check.object(),
  clock: check.clock({ sleep: false }),
  mode: check.oneOf(['a', 'b']),
  hosts: check.array(check.string()),
  ca: check.anyOf('must be a string or an array of strings', check.string(), check.array(check.string())),
  breaker: check.shape<{ threshold?: number }>({ threshold: check.number({ min: 1 }) }),
  secret: check.that((v) => v === 'ok', 'must be ok'),
  extra: check.any(),
};

function issuesOf(input: unknown): readonly { path: string; message: string }[] {
  try {
    validateOptions('thing options', input as ThingOptions, rules);
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
}

describe('validateOptions', () => {
  it('accepts no options, undefined values and good values', () => {
    expect(issuesOf(undefined)).toEqual([]);
    expect(issuesOf({})).toEqual([]);
    expect(issuesOf(Object.create(null))).toEqual([]);
    expect(
      issuesOf({
        timeoutMs: 0.5,
        retries: 3,
        name: undefined,
        verbose: false,
        onEvent: () => undefined,
        dispatcher: new Map(),
        clock: { now: () => 1 },
        mode: 'b',
        hosts: ['a'],
        ca: 'pem',
        breaker: { threshold: 2 },
        secret: 'ok',
        extra: Symbol('x'),
      }),
    ).toEqual([]);
    expect(issuesOf({ ca: ['pem'], clock: { now: () => 1, sleep: async () => undefined } })).toEqual([]);
  });

  it('names a misspelt key and its likely intent', () => {
    expect(issuesOf({ timeoutMS: 5 })).toEqual([{ path: 'timeoutMS', message: 'unknown option; did you mean timeoutMs?' }]);
    expect(issuesOf({ retires: 5 })).toEqual([{ path: 'retires', message: 'unknown option; did you mean retries?' }]);
    expect(issuesOf({ somethingElse: 1 })).toEqual([{ path: 'somethingElse', message: 'unknown option' }]);
    const hint = (key: string): string | undefined => issuesOf({ [key]: 1 })[0]?.message;
    expect(hint('nam')).toBe('unknown option; did you mean name?');
    expect(hint('namex')).toBe('unknown option; did you mean name?');
    expect(hint('nane')).toBe('unknown option; did you mean name?');
    expect(hint('nmae')).toBe('unknown option; did you mean name?');
    expect(hint('n')).toBe('unknown option');
    expect(hint('NAME')).toBe('unknown option; did you mean name?');
    expect(hint('xyzw')).toBe('unknown option');
    expect(hint('timeout')).toBe('unknown option; did you mean timeoutMs?');
    expect(hint('verboseMode')).toBe('unknown option; did you mean verbose?');
    expect(issuesOf({ breaker: { treshold: 1 } })).toEqual([{ path: 'breaker.treshold', message: 'unknown option; did you mean threshold?' }]);
  });

  it('lists every bad value at once, never the value itself', () => {
    const issues = issuesOf({
      timeoutMs: -1,
      retries: 2.5,
      name: 7,
      verbose: 'yes',
      onEvent: 1,
      dispatcher: null,
      clock: Date.now,
      mode: 'c',
      hosts: ['a', 3],
      ca: 5,
      breaker: { threshold: 0 },
      secret: 'TOPSECRET',
    });
    expect(issues).toEqual([
      { path: 'timeoutMs', message: 'must be a finite number >= 0' },
      { path: 'retries', message: 'must be an integer >= 0 and <= 10' },
      { path: 'name', message: 'must be a string' },
      { path: 'verbose', message: 'must be true or false' },
      { path: 'onEvent', message: 'must be a function' },
      { path: 'dispatcher', message: 'must be an object' },
      { path: 'clock', message: 'must be a Clock with now()' },
      { path: 'mode', message: 'must be one of "a", "b"' },
      { path: 'hosts.1', message: 'must be a string' },
      { path: 'ca', message: 'must be a string or an array of strings' },
      { path: 'breaker.threshold', message: 'must be a finite number >= 1' },
      { path: 'secret', message: 'must be ok' },
    ]);
    expect(JSON.stringify(issues)).not.toContain('TOPSECRET');
  });

  it('refuses non-objects, bad nested shapes, arrays and bad clocks', () => {
    expect(issuesOf('x')).toEqual([{ path: '', message: 'must be a plain object' }]);
    expect(issuesOf([])).toEqual([{ path: '', message: 'must be a plain object' }]);
    expect(issuesOf({ breaker: 5, hosts: 'a' })).toEqual([
      { path: 'breaker', message: 'must be a plain object' },
      { path: 'hosts', message: 'must be an array' },
    ]);
    expect(issuesOf({ clock: { now: () => 1, sleep: 1 } })).toEqual([{ path: 'clock', message: 'must be a Clock with now()' }]);
    expect(issuesOf({ timeoutMs: Number.NaN })).toEqual([{ path: 'timeoutMs', message: 'must be a finite number >= 0' }]);
  });

  it('checks a full Clock and unbounded numbers', () => {
    const full = { clock: check.clock(), n: check.number() };
    const run = (input: object): void => {
      validateOptions<{ clock?: unknown; n?: unknown }>('clock options', input, full);
    };
    expect(() => { run({ clock: { now: () => 1, sleep: async () => undefined }, n: -5 }); }).not.toThrow();
    expect(() => { run({ clock: { now: () => 1 } }); }).toThrow(/invalid clock options:\n {2}- clock: must be a Clock with now\(\) and sleep\(\)/);
    expect(() => { run({ clock: null }); }).toThrow(ConfigError);
    expect(() => { run({ n: 'x' }); }).toThrow(/n: must be a finite number$/);
  });
});
