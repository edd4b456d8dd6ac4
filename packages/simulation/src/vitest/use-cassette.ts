import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { CassetteInvalidError, ConfigError, type ConfigIssue } from '@llmdevops/docker-hub-core';
import { Agent, type Dispatcher } from 'undici';
import { afterAll, afterEach, beforeEach, type TestContext } from 'vitest';
import { createCassette, dispatcherUpstream, type Cassette } from '../cassette/cassette.js';
import {
  validateCassetteOptions,
  type CassetteMode,
  type CassetteOptions,
} from '../cassette/options.js';
import { SimulatorDispatcher } from '../serve/dispatcher/simulator-dispatcher.js';
import { type FetchHandler } from '../serve/fetch/fetch-handler.js';

/** The environment variable that sets the mode of every {@link useCassette}. @public */
export const CASSETTE_MODE_ENV = 'DHUB_CASSETTE_MODE';

const MODES: readonly CassetteMode[] = ['record', 'replay', 'update', 'passthrough'];

/** Options of {@link useCassette}: those of `createCassette` without the per-test ones, plus where and how. @public */
export interface UseCassetteOptions extends Omit<
  CassetteOptions,
  'path' | 'mode' | 'upstream' | 'recordIfMissing'
> {
  /**
   * The folder of cassette folders (default: `__cassettes__` beside the test file). Each test's
   * cassette is `<dir>/<name>/<test title>.json`.
   */
  readonly dir?: string;
  /**
   * The mode for every test (default: `DHUB_CASSETTE_MODE`; without it `replay` under `CI`, and
   * locally `replay` when the test's file exists, `record` when it does not).
   */
  readonly mode?: CassetteMode;
  /**
   * Where requests with no recorded answer go when recording (default: the network, through an
   * undici `Agent` closed after the suite).
   */
  readonly upstream?: FetchHandler;
  /** The environment read for `DHUB_CASSETTE_MODE` and `CI` (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** What {@link useCassette} returns: stable across the tests of the suite. @public */
export interface CassetteHandle {
  /**
   * An undici `Dispatcher` answering through the running test's cassette: hand it to a
   * `DockerHubClient` (`{ dispatcher }`), undici `request` or `fetch`. It may be taken once, outside
   * a test; a request sent while no test runs fails.
   */
  readonly dispatcher: Dispatcher;
  /** The running test's cassette. @throws Error outside a test */
  readonly cassette: Cassette;
  /** The running test's cassette file. @throws Error outside a test */
  readonly path: string;
  /** The running test's mode. @throws Error outside a test */
  readonly mode: CassetteMode;
}

const OWN_KEYS = ['dir', 'mode', 'upstream', 'env'] as const;
const NAME = /^[\w.-]+(?:\/[\w.-]+)*$/;

function isCI(env: Readonly<Record<string, string | undefined>>): boolean {
  const ci = env['CI'];
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/**
 * The mode a test runs in: the option, else `DHUB_CASSETTE_MODE`, else `replay` under CI, else
 * `replay` when the file exists and `record` when it does not.
 * @param option - the mode option
 * @param env - the environment
 * @param fileExists - whether the test's cassette exists
 * @returns the mode
 * @internal
 */
export function resolveCassetteMode(
  option: CassetteMode | undefined,
  env: Readonly<Record<string, string | undefined>>,
  fileExists: boolean,
): CassetteMode {
  if (option !== undefined) return option;
  const fromEnv = env[CASSETTE_MODE_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!(MODES as readonly string[]).includes(fromEnv))
      throw new ConfigError(
        [
          {
            path: CASSETTE_MODE_ENV,
            message: `must be one of ${MODES.join(', ')}, got '${fromEnv}'`,
          },
        ],
        { subject: 'useCassette' },
      );
    return fromEnv as CassetteMode;
  }
  if (isCI(env) || fileExists) return 'replay';
  return 'record';
}

/**
 * A file name for a test: its suite and test titles joined by ` > `, characters other than
 * letters, digits, `.`, `_` and `-` turned into `-`; titles longer than 100 characters are cut
 * and end with a hash of the full title, so distinct titles keep distinct files.
 * @param titles - the suite titles then the test title
 * @returns the file name without extension
 * @internal
 */
export function cassetteFileName(titles: readonly string[]): string {
  const full = titles.join(' > ');
  const slug = full
    .replace(/[^\w.-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .replace(/-{2,}/g, '-');
  if (slug.length <= 100 && slug !== '') return slug;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 12);
  return `${slug.slice(0, 87)}-${hash}`;
}

/**
 * The error of a test whose cassette is missing in replay mode, saying how to record it.
 * @param path - the cassette file
 * @param env - the environment
 * @returns the error to throw
 * @internal
 */
export function missingCassette(
  path: string,
  env: Readonly<Record<string, string | undefined>>,
): CassetteInvalidError {
  const why =
    env[CASSETTE_MODE_ENV] === 'replay'
      ? `${CASSETTE_MODE_ENV} is replay`
      : isCI(env)
        ? 'under CI the mode is replay'
        : 'the mode option is replay';
  return new CassetteInvalidError(
    `cassette ${path} does not exist and ${why}: record it with ${CASSETTE_MODE_ENV}=record (against the real registry) and commit it`,
  );
}

/** The titles of a test and its suites, outermost first, without the file. */
function titlesOf(context: TestContext): string[] {
  const titles = [context.task.name];
  for (let s = context.task.suite; s !== undefined && s !== context.task.file; s = s.suite)
    if (s.name !== '') titles.unshift(s.name);
  return titles;
}

const CASSETTE_KEYS = [
  'matchRequestsBy',
  'redact',
  'recordFailedRequests',
  'allowRepeats',
  'beforePersist',
  'clock',
  'salt',
  'inlineLimit',
] as const;

function checkOptions(name: unknown, options: UseCassetteOptions): void {
  const issues: ConfigIssue[] = [];
  if (typeof name !== 'string' || !NAME.test(name) || name.split('/').includes('..'))
    issues.push({
      path: 'name',
      message: 'must be letters, digits, ".", "_" or "-", in "/"-separated parts (no "..")',
    });
  const valid: readonly string[] = [...OWN_KEYS, ...CASSETTE_KEYS];
  for (const k of Object.keys(options))
    if (!valid.includes(k))
      issues.push({ path: k, message: `unknown option; valid: ${valid.join(', ')}` });
  if (options.dir !== undefined && (typeof options.dir !== 'string' || options.dir === ''))
    issues.push({ path: 'dir', message: 'must be a non-empty folder path' });
  if (options.mode !== undefined && !(MODES as readonly unknown[]).includes(options.mode))
    issues.push({ path: 'mode', message: `must be one of ${MODES.join(', ')}` });
  if (options.upstream !== undefined && typeof options.upstream !== 'function')
    issues.push({ path: 'upstream', message: 'must be a function (Request) => Promise<Response>' });
  // The createCassette options are checked now, with a stand-in path and mode, so that a bad
  // option fails where useCassette is called rather than in every test.
  const rest = Object.fromEntries(
    Object.entries(options).filter(([k]) => (CASSETTE_KEYS as readonly string[]).includes(k)),
  );
  try {
    validateCassetteOptions({
      ...rest,
      path: 'cassette.json',
      mode: 'record',
      upstream: () => Promise.reject(new Error('unused')),
    });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    issues.push(...err.issues);
  }
  if (issues.length > 0) throw new ConfigError(issues, { subject: 'useCassette options' });
}

/**
 * Gives every test of the enclosing vitest suite its own cassette, named after the test:
 * `<dir>/<name>/<suite > test title>.json`. Call it at the top of a test file or inside a
 * `describe`; it registers `beforeEach`/`afterEach`/`afterAll` hooks. The mode comes from
 * `options.mode`, else `DHUB_CASSETTE_MODE` (`record`, `replay`, `update`, `passthrough`), else
 * `replay` under `CI`, else locally `replay` when the test's cassette exists and `record` when it
 * does not. A cassette is saved after its test passes (a failed test leaves its file as it was).
 * @param name - the cassette folder, e.g. the feature under test (`/`-separated parts allowed)
 * @param options - folder, mode, upstream, and `createCassette` options for every test
 * @returns a handle whose `dispatcher` answers through the running test's cassette
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} at once for a bad name or option (each listed); from a test for a bad `DHUB_CASSETTE_MODE`
 * @example
 * ```ts
 * const cassette = useCassette('tags');
 * it('lists tags', async () => {
 *   const client = new DockerHubClient({ dispatcher: cassette.dispatcher });
 *   expect(await client.tags.list('library/alpine')).toContain('3.20');
 * });
 * ```
 * @public
 */
export function useCassette(name: string, options: UseCassetteOptions = {}): CassetteHandle {
  checkOptions(name, options);
  const {
    dir,
    mode: modeOption,
    upstream: givenUpstream,
    env: givenEnv,
    ...cassetteOptions
  } = options;
  const env = givenEnv ?? process.env;
  let agent: Agent | undefined;
  const upstream: FetchHandler =
    givenUpstream ??
    ((request) => {
      agent ??= new Agent();
      return dispatcherUpstream(agent)(request);
    });
  let current: { cassette: Cassette; path: string; mode: CassetteMode } | undefined;
  const running = (): NonNullable<typeof current> => {
    if (current === undefined)
      throw new Error(`useCassette('${name}'): no test is running; use the cassette inside a test`);
    return current;
  };

  beforeEach((context) => {
    const root =
      dir === undefined
        ? join(dirname(context.task.file.filepath), '__cassettes__')
        : isAbsolute(dir)
          ? dir
          : resolve(dir);
    const path = join(root, name, `${cassetteFileName(titlesOf(context))}.json`);
    const exists = existsSync(path);
    const mode = resolveCassetteMode(modeOption, env, exists);
    if (mode === 'replay' && !exists) throw missingCassette(path, env);
    const cassette = createCassette({
      ...cassetteOptions,
      path,
      mode,
      ...(mode === 'replay' ? {} : { upstream }),
    });
    current = { cassette, path, mode };
  });

  afterEach(async (context) => {
    const held = current;
    current = undefined;
    if (held !== undefined && context.task.result?.state !== 'fail') await held.cassette.save();
  });

  const dispatcher = new SimulatorDispatcher((request) => running().cassette.fetch(request));
  afterAll(async () => {
    await dispatcher.close();
    await agent?.close();
  });

  return {
    dispatcher,
    get cassette() {
      return running().cassette;
    },
    get path() {
      return running().path;
    },
    get mode() {
      return running().mode;
    },
  };
}
