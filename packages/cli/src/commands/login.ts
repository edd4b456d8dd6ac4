import { AuthenticationError, Secret } from '@llmdevops/docker-hub-core';
import { defineCommand, flag, stringOption, usageError, type CommandInput } from '../command.js';
import { writeJson, writeLine } from '../io.js';
import { loadConfig } from '../internal/config.js';
import { openTelemetryRegistered } from '../internal/telemetry.js';

/** Largest password or token read from stdin. */
const MAX_PASSWORD_BYTES = 64 * 1024;

async function readPassword(input: CommandInput): Promise<Secret> {
  // Built-in modules only this command needs are loaded on use (every command would pay for them).
  const { text } = await import('node:stream/consumers');
  const raw = await text(input.io.stdin);
  if (Buffer.byteLength(raw) > MAX_PASSWORD_BYTES)
    throw usageError(input, 'password on stdin is too long');
  // `echo pw | dhub login --password-stdin` ends with a newline that is not part of the password.
  const password = raw.replace(/\r?\n$/, '');
  if (password === '') throw usageError(input, 'no password on stdin');
  return new Secret(password);
}

/** Whether a stream is a terminal (`process.stdin` when run from a shell). */
function isTerminal(stream: unknown): boolean {
  return (
    typeof stream === 'object' && stream !== null && (stream as { isTTY?: unknown }).isTTY === true
  );
}

/** Reads one line from stdin after a prompt on stderr; empty when stdin ends first. */
async function promptLine(input: CommandInput, prompt: string): Promise<string> {
  const { signal } = input.io;
  signal.throwIfAborted();
  input.io.stderr.write(prompt);
  const { createInterface } = await import('node:readline');
  const lines = createInterface({ input: input.io.stdin, terminal: false });
  let onAbort = (): void => undefined;
  try {
    return await new Promise<string>((resolve, reject) => {
      onAbort = (): void => {
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      lines.once('line', resolve);
      lines.once('close', () => {
        resolve('');
      });
    });
  } finally {
    signal.removeEventListener('abort', onAbort);
    lines.close();
  }
}

/**
 * Where the one-time code of a Docker Hub account with two-factor authentication comes from:
 * `--otp CODE`; else a prompt when stdin is a terminal; else the login fails with
 * `TWO_FACTOR_REQUIRED` saying to pass `--otp`. Asked only when Docker Hub answers the login with
 * a 2FA challenge.
 */
function twoFactorSource(
  input: CommandInput,
  username: string,
): (info: { readonly identifier: string }) => Promise<string> {
  const otp = stringOption(input, 'otp');
  return async () => {
    if (otp !== undefined) return otp;
    if (isTerminal(input.io.stdin))
      return promptLine(input, `Two-factor authentication code for ${username}: `);
    throw new AuthenticationError(
      `Docker Hub asks ${username} for a two-factor code: give it with --otp CODE (stdin is not a terminal), or log in with a personal access token`,
      { status: 401 },
      'TWO_FACTOR_REQUIRED',
    );
  };
}

/**
 * The registry a login argument names, as `docker login` reads it: none (or a Docker Hub host)
 * is Docker Hub, stored under its usual key; otherwise `host[:port]` (a URL is reduced to it).
 */
async function registryOf(argument: string | undefined): Promise<string | undefined> {
  // The auth package is loaded on first use, so `dhub --help` and other commands start without it.
  const { isDockerHub, normalizeRegistryHost } = await import('@llmdevops/docker-hub-auth');
  return argument === undefined || isDockerHub(argument)
    ? undefined
    : normalizeRegistryHost(argument);
}

/** `dhub login`: verify credentials like `docker login`, then store them where Docker looks. @public */
export const loginCommand = defineCommand(
  {
    name: 'login',
    usage: 'dhub login [REGISTRY] [-u USER] [--password-stdin] [--otp CODE]',
    summary:
      "Check credentials against a registry and store them in Docker's config.json (or its credential helper).",
    options: {
      username: { type: 'string', short: 'u', value: 'USER', help: 'account name' },
      'password-stdin': {
        type: 'boolean',
        help: [
          'read the password or access token from stdin',
          '(defaults: DOCKER_HUB_USERNAME, DOCKER_HUB_ACCESS_TOKEN or DOCKER_HUB_PASSWORD)',
        ],
      },
      otp: {
        type: 'string',
        value: 'CODE',
        help: [
          'Docker Hub: the two-factor code, for a password login of an account',
          'with 2FA (asked for on the terminal when stdin is one)',
        ],
      },
    },
    examples: [
      'echo "$DOCKER_PAT" | dhub login -u alice --password-stdin',
      'printf secret | dhub login 127.0.0.1:5000 -u alice --password-stdin',
      'echo "$PASSWORD" | dhub login -u alice --password-stdin --otp 123456',
    ],
    positionals: [],
    optionalPositionals: ['REGISTRY'],
  },
  async (input) => {
    const argument = input.positionals[0];
    const { env } = input.io;
    // The library's variables stand in for -u and --password-stdin (as in CI jobs).
    const username = stringOption(input, 'username') ?? env['DOCKER_HUB_USERNAME'];
    if (username === undefined || username === '')
      throw usageError(input, 'a username is required (-u USER or DOCKER_HUB_USERNAME)');
    const fromEnv = env['DOCKER_HUB_ACCESS_TOKEN'] ?? env['DOCKER_HUB_PASSWORD'];
    if (!flag(input, 'password-stdin') && (fromEnv === undefined || fromEnv === '')) {
      throw usageError(
        input,
        'give the password on stdin with --password-stdin (it is never read from arguments), or set DOCKER_HUB_ACCESS_TOKEN',
      );
    }
    const registry = await registryOf(argument);
    if (registry !== undefined && stringOption(input, 'otp') !== undefined)
      throw usageError(input, '--otp applies to Docker Hub logins only');
    const config = await loadConfig(input, registry === undefined ? [] : [registry]);
    const password =
      flag(input, 'password-stdin') || fromEnv === undefined
        ? await readPassword(input)
        : new Secret(fromEnv);
    // Only these credentials are tried (not the ones already stored), on the registry the library
    // selects for the argument: Docker Hub's (or DOCKER_REGISTRY_URL), HTTPS, or HTTP for loopback.
    const { storeCredentials, toCredential } = await import('@llmdevops/docker-hub-auth');
    const { DockerHubClient } = await import('@llmdevops/docker-hub-services');
    const credential = toCredential({ username, password });
    const client = new DockerHubClient(config, {
      env: input.io.env,
      userAgent: 'dhub',
      telemetry: openTelemetryRegistered(),
      credentials: () => Promise.resolve(credential),
      onTwoFactor: twoFactorSource(input, username),
    });
    try {
      // Wrong credentials throw here, before anything is stored (as `docker login`); on Docker
      // Hub this includes the Docker Hub API login (and its two-factor code).
      await client.login({
        signal: input.io.signal,
        ...(registry === undefined ? {} : { registry }),
      });
      const storedIn = await storeCredentials(
        registry ?? 'docker.io',
        { username, password },
        {
          env: input.io.env,
          signal: input.io.signal,
        },
      );
      if (flag(input, 'json'))
        await writeJson(input.io.stdout, { registry: registry ?? 'docker.io', username, storedIn });
      else if (!flag(input, 'quiet')) await writeLine(input.io.stdout, 'Login Succeeded');
    } finally {
      password.dispose();
      await client.close();
    }
    return 0;
  },
);

/** `dhub logout`: remove stored credentials for a registry. @public */
export const logoutCommand = defineCommand(
  {
    name: 'logout',
    usage: 'dhub logout [REGISTRY]',
    summary:
      "Remove a registry's credentials from Docker's config.json (or its credential helper).",
    options: {},
    examples: ['dhub logout', 'dhub logout 127.0.0.1:5000'],
    positionals: [],
    optionalPositionals: ['REGISTRY'],
  },
  async (input) => {
    const argument = input.positionals[0];
    const registry = (await registryOf(argument)) ?? 'docker.io';
    const { eraseCredentials } = await import('@llmdevops/docker-hub-auth');
    const removed = await eraseCredentials(registry, {
      env: input.io.env,
      signal: input.io.signal,
    });
    if (flag(input, 'json')) await writeJson(input.io.stdout, { registry, removed });
    else if (!flag(input, 'quiet')) {
      await writeLine(
        input.io.stdout,
        removed ? `Removing login credentials for ${registry}` : `Not logged in to ${registry}`,
      );
    }
    return 0;
  },
);
