import { once } from 'node:events';
import { resolve } from 'node:path';
import type {
  ProfileName,
  SimulatorOptions,
  SimulatorUser,
  WebhookTarget,
} from '@llmdevops/docker-hub-simulation';
import {
  defineCommand,
  flag,
  listOption,
  stringOption,
  usageError,
  type CommandInput,
} from '../command.js';
import { writeLine } from '../io.js';
import { readSecretFile, SecretFileError } from '../internal/secret-file.js';
import {
  FAULT_SPEC_HELP,
  OptionValueError,
  parseFault,
  parsePort,
  parseRateLimit,
  parseDuration,
  parseUser,
  parseUsersFile,
} from '../internal/serve-options.js';

/** Environment variable naming a users file (`NAME:PASSWORD` lines), like `--password-file`. @internal */
export const SERVE_USERS_FILE_ENV = 'DHUB_SERVE_USERS_FILE';

const AUTH_MODES = ['none', 'token', 'basic'] as const;

const PROFILE_NAMES: readonly ProfileName[] = ['oci', 'distribution', 'dockerhub'];

function isProfile(value: string): value is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(value);
}

function isAuthMode(value: string): value is (typeof AUTH_MODES)[number] {
  return (AUTH_MODES as readonly string[]).includes(value);
}

/** Turns the command line into simulator options; every bad value is a usage error. */
function simulatorOptions(input: CommandInput): SimulatorOptions {
  try {
    // Not given: the profile's own default (token auth for `dockerhub`, none otherwise).
    const auth = stringOption(input, 'auth');
    if (auth !== undefined && !isAuthMode(auth))
      throw new OptionValueError(`--auth must be none, token or basic, got '${auth}'`);
    const profile = stringOption(input, 'profile') ?? 'oci';
    if (!isProfile(profile))
      throw new OptionValueError(
        `--profile must be oci, distribution or dockerhub, got '${profile}'`,
      );
    const storage = stringOption(input, 'storage');
    const rateLimit = stringOption(input, 'rate-limit');
    const uploadTtl = stringOption(input, 'upload-ttl');
    const hookSecret = stringOption(input, 'webhook-secret');
    const webhooks: WebhookTarget[] = listOption(input, 'webhook').map((url) => {
      if (!URL.canParse(url)) throw new OptionValueError(`--webhook must be a URL, got '${url}'`);
      return { repository: /.*/, url, ...(hookSecret === undefined ? {} : { secret: hookSecret }) };
    });
    return {
      profile,
      ...(auth === undefined ? {} : { auth }),
      users: listOption(input, 'user').map(parseUser),
      faults: listOption(input, 'fault').map(parseFault),
      webhooks,
      ...(storage === undefined
        ? {}
        : { storage: { directory: resolve(input.io.cwd ?? '.', storage) } }),
      ...(rateLimit === undefined ? {} : { rateLimits: parseRateLimit(rateLimit) }),
      ...(uploadTtl === undefined
        ? {}
        : { uploadTtlSeconds: parseDuration('--upload-ttl', uploadTtl) }),
      ...(flag(input, 'no-rate-limit') ? { rateLimits: false } : {}),
    };
  } catch (err) {
    if (err instanceof OptionValueError) throw usageError(input, err.message);
    throw err;
  }
}

/** Accounts from `--password-file FILE`, else from the file `DHUB_SERVE_USERS_FILE` names. */
async function fileUsers(input: CommandInput): Promise<SimulatorUser[]> {
  const flagged = stringOption(input, 'password-file');
  const fromEnv = input.io.env[SERVE_USERS_FILE_ENV];
  const label = flagged === undefined ? SERVE_USERS_FILE_ENV : '--password-file';
  const path = flagged ?? (fromEnv === '' ? undefined : fromEnv);
  if (path === undefined) return [];
  try {
    return parseUsersFile(`${label} ${path}`, await readSecretFile(label, path, input.io.cwd));
  } catch (err) {
    if (err instanceof SecretFileError || err instanceof OptionValueError)
      throw usageError(input, err.message);
    throw err;
  }
}

/** Simulator options that make no sense for a recording or replaying proxy. */
const SIMULATOR_ONLY = [
  'storage',
  'auth',
  'user',
  'password-file',
  'rate-limit',
  'no-rate-limit',
  'fault',
  'profile',
  'webhook',
  'webhook-secret',
  'upload-ttl',
];

/** The `--port` value (0 for a free one); a bad one is a usage error. */
function portOf(input: CommandInput): number {
  const portText = stringOption(input, 'port');
  try {
    return portText === undefined ? 0 : parsePort(portText);
  } catch (err) {
    throw usageError(input, err instanceof Error ? err.message : String(err));
  }
}

/** `dhub serve --record DIR --upstream URL` or `--replay DIR`: a cassette proxy on one port. */
async function serveCassette(input: CommandInput): Promise<number> {
  const record = stringOption(input, 'record');
  const replay = stringOption(input, 'replay');
  const upstream = stringOption(input, 'upstream');
  const salt = stringOption(input, 'salt');
  if (record !== undefined && replay !== undefined)
    throw usageError(input, '--record and --replay exclude each other');
  const misplaced = SIMULATOR_ONLY.filter((name) => input.values[name] !== undefined);
  if (misplaced.length > 0)
    throw usageError(
      input,
      `${misplaced.map((n) => `--${n}`).join(', ')} configure the simulator and do not apply with --record or --replay`,
    );
  if (record !== undefined && upstream === undefined)
    throw usageError(input, '--record needs --upstream URL (the registry to record)');
  if (replay !== undefined && (upstream !== undefined || salt !== undefined))
    throw usageError(input, '--upstream and --salt only apply with --record');
  if (record !== undefined && flag(input, 'allow-repeats'))
    throw usageError(input, '--allow-repeats only applies with --replay');
  const port = portOf(input);
  const host = stringOption(input, 'host') ?? '127.0.0.1';
  const dir = resolve(input.io.cwd ?? '.', record ?? replay ?? '.');
  const { ConfigError } = await import('@llmdevops/docker-hub-core');
  const { createCassetteProxy, listen } = await import('@llmdevops/docker-hub-simulation');
  let proxy: Awaited<ReturnType<typeof createCassetteProxy>>;
  try {
    proxy = await createCassetteProxy(
      record !== undefined
        ? {
            dir,
            mode: 'record',
            upstream: upstream ?? '',
            ...(salt === undefined ? {} : { salt }),
          }
        : { dir, mode: 'replay', allowRepeats: flag(input, 'allow-repeats') },
    );
  } catch (err) {
    // Every option was checked above but the upstream URL and the salt, named by the issue path.
    if (err instanceof ConfigError)
      throw usageError(input, err.issues.map((i) => `--${i.path} ${i.message}`).join('; '));
    throw err;
  }
  try {
    const server = await listen(proxy.fetch, { port, host });
    try {
      await writeLine(
        input.io.stderr,
        proxy.mode === 'replay'
          ? `replaying ${proxy.path}`
          : `${proxy.mode === 'update' ? 'updating' : 'recording'} ${proxy.path} from ${upstream ?? ''} (written on SIGINT/SIGTERM)`,
      );
      await writeLine(input.io.stdout, `listening ${server.url}`);
      if (!input.io.signal.aborted) await once(input.io.signal, 'abort');
    } finally {
      await server.close();
    }
    await proxy.save();
    if (proxy.mode !== 'replay') await writeLine(input.io.stderr, `wrote ${proxy.path}`);
  } finally {
    await proxy.close();
  }
  return 0;
}

/** `dhub serve`: the simulated Docker Hub on one port until SIGINT/SIGTERM. @public */
export const serveCommand = defineCommand(
  {
    name: 'serve',
    usage:
      'dhub serve [--port N] [--host 127.0.0.1] [--storage DIR] [--auth none|token|basic] [--user NAME:PASSWORD]... [--password-file FILE] [--rate-limit N/SECONDS] [--fault SPEC]...\n       dhub serve --record DIR --upstream URL [--port N] [--host ADDR] [--salt S]\n       dhub serve --replay DIR [--port N] [--host ADDR] [--allow-repeats]',
    summary: 'Run the simulated Docker Hub (registry, token service, Hub API) on one port.',
    options: {
      port: {
        type: 'string',
        short: 'p',
        value: 'N',
        help: 'port (default 0: a free one, printed on start)',
      },
      host: { type: 'string', value: 'ADDR', help: 'address to bind (default 127.0.0.1)' },
      storage: {
        type: 'string',
        value: 'DIR',
        help: 'keep blobs and metadata in DIR across restarts (default: memory)',
      },
      auth: {
        type: 'string',
        value: 'MODE',
        help: "none, token (Docker Hub style bearer tokens) or basic; default: the profile's (token for dockerhub, none otherwise)",
      },
      user: {
        type: 'string',
        multiple: true,
        short: 'u',
        value: 'NAME:PASSWORD',
        help: [
          'an account (repeatable); may push to every namespace',
          '(visible to other local users in ps: prefer --password-file)',
        ],
      },
      'password-file': {
        type: 'string',
        value: 'FILE',
        help: [
          'accounts from FILE, one NAME:PASSWORD per line (# comments);',
          `default: the file named by ${SERVE_USERS_FILE_ENV}`,
        ],
      },
      'rate-limit': {
        type: 'string',
        value: 'N/SECONDS',
        help: 'N manifest pulls per SECONDS window, with ratelimit-* headers',
      },
      'no-rate-limit': { type: 'boolean', help: 'no rate limits (even for --profile dockerhub)' },
      fault: {
        type: 'string',
        multiple: true,
        value: 'SPEC',
        help: `inject a fault (repeatable): ${FAULT_SPEC_HELP}`,
      },
      profile: {
        type: 'string',
        value: 'NAME',
        help: 'oci (default), distribution (CNCF registry 2.8 quirks) or dockerhub',
      },
      webhook: {
        type: 'string',
        multiple: true,
        value: 'URL',
        help: 'send Docker Hub push webhooks for every tagged push to URL (repeatable)',
      },
      'webhook-secret': {
        type: 'string',
        value: 'S',
        help: 'sign webhook deliveries (X-Hub-Signature-256) with S (visible to other local users in ps)',
      },
      'upload-ttl': {
        type: 'string',
        value: 'DURATION',
        help: 'purge upload sessions unused this long, with their bytes (default 24h; e.g. 90s, 30m, 7d)',
      },
      record: {
        type: 'string',
        value: 'DIR',
        help: [
          'instead of the simulator, a proxy that records the registry --upstream URL to',
          'DIR/cassette.json (an earlier cassette there is updated); written on SIGINT/SIGTERM',
        ],
      },
      replay: {
        type: 'string',
        value: 'DIR',
        help: 'instead of the simulator, replay DIR/cassette.json offline',
      },
      upstream: {
        type: 'string',
        value: 'URL',
        help: [
          'the registry to record, e.g. https://registry-1.docker.io (Bearer challenges are',
          'rewritten so clients fetch their tokens through the proxy)',
        ],
      },
      'allow-repeats': {
        type: 'boolean',
        help: 'with --replay, answer a request repeated more often than recorded with its last answer',
      },
      salt: {
        type: 'string',
        value: 'S',
        help: 'key of the request body hashes of a new cassette (default random)',
      },
    },
    examples: [
      'dhub serve --port 5000',
      'dhub serve --auth token --password-file ./users.txt --storage ./registry-data',
      "dhub serve --rate-limit 10/60 --fault 'status=503,path=/blobs/,times=2'",
      'dhub serve --record ./cassettes/alpine --upstream https://registry-1.docker.io --port 5000',
      'dhub serve --replay ./cassettes/alpine --port 5000',
    ],
    positionals: [],
  },
  async (input) => {
    if (stringOption(input, 'record') !== undefined || stringOption(input, 'replay') !== undefined)
      return serveCassette(input);
    for (const name of ['upstream', 'salt', 'allow-repeats'])
      if (input.values[name] !== undefined)
        throw usageError(input, `--${name} only applies with --record or --replay`);
    const base = simulatorOptions(input);
    const options: SimulatorOptions = {
      ...base,
      users: [...(base.users ?? []), ...(await fileUsers(input))],
    };
    const port = portOf(input);
    const host = stringOption(input, 'host') ?? '127.0.0.1';
    // Loaded on demand: the simulator (and msw) take a second to import, which other commands skip.
    const { createSimulator } = await import('@llmdevops/docker-hub-simulation');
    const simulator = createSimulator(options);
    try {
      await simulator.store.ready();
      const { url } = await simulator.listen({ port, host });
      await writeLine(input.io.stdout, `listening ${url}`);
      if (!input.io.signal.aborted) await once(input.io.signal, 'abort');
    } finally {
      // Directory storage writes its metadata on every change, so closing leaves it intact.
      await simulator.close();
    }
    return 0;
  },
);
