import { text } from 'node:stream/consumers';
import {
  eraseCredentials,
  storeCredentials,
  verifyRegistryLogin,
} from '@llmdevops/docker-hub-auth';
import { Secret } from '@llmdevops/docker-hub-core';
import { createTransport } from '@llmdevops/docker-hub-transport';
import { defineCommand, flag, stringOption, usageError, type CommandInput } from '../command.js';
import { writeJson, writeLine } from '../io.js';
import { loadConfig } from '../internal/config.js';
import { loginTarget } from '../internal/registry-url.js';

/** Largest password or token read from stdin. */
const MAX_PASSWORD_BYTES = 64 * 1024;

async function readPassword(input: CommandInput): Promise<Secret> {
  const raw = await text(input.io.stdin);
  if (Buffer.byteLength(raw) > MAX_PASSWORD_BYTES)
    throw usageError(input, 'password on stdin is too long');
  // `echo pw | dhub login --password-stdin` ends with a newline that is not part of the password.
  const password = raw.replace(/\r?\n$/, '');
  if (password === '') throw usageError(input, 'no password on stdin');
  return new Secret(password);
}

function hostsOf(argument: string | undefined): string[] {
  return argument === undefined ? [] : [argument.replace(/^https?:\/\//i, '').replace(/\/.*$/, '')];
}

/** `dhub login`: verify credentials like `docker login`, then store them where Docker looks. @public */
export const loginCommand = defineCommand(
  {
    name: 'login',
    usage: 'dhub login [REGISTRY] [-u USER] [--password-stdin]',
    summary:
      "Check credentials against a registry and store them in Docker's config.json (or its credential helper).",
    options: {
      username: { type: 'string', short: 'u' },
      'password-stdin': { type: 'boolean' },
    },
    optionHelp: [
      '-u, --username USER   account name',
      '--password-stdin      read the password or access token from stdin',
    ],
    examples: [
      'echo "$DOCKER_PAT" | dhub login -u alice --password-stdin',
      'printf secret | dhub login 127.0.0.1:5000 -u alice --password-stdin',
    ],
    positionals: [],
    optionalPositionals: ['REGISTRY'],
  },
  async (input) => {
    const argument = input.positionals[0];
    const username = stringOption(input, 'username');
    if (username === undefined || username === '')
      throw usageError(input, 'a username is required (-u USER)');
    if (!flag(input, 'password-stdin')) {
      throw usageError(
        input,
        'give the password on stdin with --password-stdin (it is never read from arguments)',
      );
    }
    const config = loadConfig(input, hostsOf(argument));
    const target = loginTarget(argument, config);
    const password = await readPassword(input);
    const transport = createTransport({ insecureHosts: config.insecureRegistries, maxRetries: 1 });
    try {
      // Wrong credentials throw here, before anything is stored (as `docker login`).
      await verifyRegistryLogin(
        target.url,
        { username, password },
        {
          send: (req) => transport.request(req),
          insecureHosts: config.insecureRegistries,
          signal: input.io.signal,
        },
      );
      const storedIn = await storeCredentials(
        target.registry,
        { username, password },
        {
          env: input.io.env,
          signal: input.io.signal,
        },
      );
      if (flag(input, 'json'))
        await writeJson(input.io.stdout, { registry: target.registry, username, storedIn });
      else if (!flag(input, 'quiet')) await writeLine(input.io.stdout, 'Login Succeeded');
    } finally {
      password.dispose();
      await transport.close();
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
    const target = loginTarget(argument, loadConfig(input, hostsOf(argument)));
    const removed = await eraseCredentials(target.registry, {
      env: input.io.env,
      signal: input.io.signal,
    });
    if (flag(input, 'json'))
      await writeJson(input.io.stdout, { registry: target.registry, removed });
    else if (!flag(input, 'quiet')) {
      await writeLine(
        input.io.stdout,
        removed
          ? `Removing login credentials for ${target.registry}`
          : `Not logged in to ${target.registry}`,
      );
    }
    return 0;
  },
);
