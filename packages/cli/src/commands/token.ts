import { systemClock } from '@llmdevops/docker-hub-core';
import type { HubAccessToken } from '@llmdevops/docker-hub-services';
import {
  defineCommand,
  flag,
  listOption,
  positional,
  stringOption,
  usageError,
  type CommandInput,
} from '../command.js';
import { write, writeJson } from '../io.js';
import { withClient } from '../internal/client.js';
import { OptionValueError, parseDuration } from '../internal/serve-options.js';

/** Docker Hub's personal access token scopes (the library's ACCESS_TOKEN_SCOPES). */
const SCOPES = ['repo:public_read', 'repo:read', 'repo:write', 'repo:admin'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function tokenJson(t: HubAccessToken): Record<string, unknown> {
  return {
    uuid: t.uuid,
    label: t.label,
    scopes: t.scopes,
    isActive: t.isActive,
    createdAt: t.createdAt?.toISOString(),
    lastUsed: t.lastUsed?.toISOString(),
    expiresAt: t.expiresAt?.toISOString(),
  };
}

/**
 * One line of `dhub token ls`.
 * @param t - the token
 * @returns uuid, state, scopes, label, last use, tab-separated
 * @internal
 */
export function tokenLine(t: HubAccessToken): string {
  const used = t.lastUsed === undefined ? 'never used' : `last used ${t.lastUsed.toISOString()}`;
  const expires = t.expiresAt === undefined ? '' : `\texpires ${t.expiresAt.toISOString()}`;
  return `${t.uuid}\t${t.isActive ? 'active' : 'disabled'}\t${t.scopes.join(',')}\t${t.label}\t${used}${expires}`;
}

function uuidOperand(input: CommandInput): string {
  const id = positional(input, 0);
  if (!UUID.test(id))
    throw usageError(
      input,
      `UUID must be a token id such as b30bbf97-506c-4ecd-aabc-842f3cb484fb, got ${id}`,
    );
  return id;
}

/** `dhub token create`: a personal access token, printed once. @public */
export const tokenCreateCommand = defineCommand(
  {
    name: 'token create',
    usage:
      'dhub token create --label LABEL --scope SCOPE [--scope SCOPE ...] [--expires DURATION] [--json]',
    summary:
      'Create a Docker Hub personal access token; the token is printed once, on stdout, and never again.',
    options: {
      label: {
        type: 'string',
        value: 'LABEL',
        help: 'name shown in Docker Hub, 1 to 100 characters',
      },
      scope: {
        type: 'string',
        multiple: true,
        value: 'SCOPE',
        help: `repo:public_read, repo:read, repo:write or repo:admin (repeatable)`,
      },
      expires: {
        type: 'string',
        value: 'DURATION',
        help: 'lifetime such as 30d or 12h (default: never expires)',
      },
    },
    examples: ['dhub token create --label ci --scope repo:read --expires 30d'],
    positionals: [],
  },
  async (input) => {
    const label = stringOption(input, 'label');
    if (label === undefined || label.trim() === '' || label.length > 100)
      throw usageError(input, '--label is required (1 to 100 characters)');
    const scopes = listOption(input, 'scope');
    if (scopes.length === 0) throw usageError(input, `--scope is required: ${SCOPES.join(', ')}`);
    const unknown = scopes.find((s) => !SCOPES.includes(s));
    if (unknown !== undefined)
      throw usageError(input, `unknown scope ${unknown}: one of ${SCOPES.join(', ')}`);
    const expires = stringOption(input, 'expires');
    let expiresAt: Date | undefined;
    try {
      if (expires !== undefined)
        expiresAt = new Date(systemClock.now() + parseDuration('--expires', expires) * 1000);
    } catch (err) {
      if (err instanceof OptionValueError) throw usageError(input, err.message);
      throw err;
    }
    const created = await withClient(input, [], (client) =>
      client.accessTokens.create({
        label,
        scopes,
        ...(expiresAt === undefined ? {} : { expiresAt }),
        signal: input.io.signal,
      }),
    );
    try {
      if (flag(input, 'json')) {
        await writeJson(input.io.stdout, {
          ...tokenJson(created.token),
          token: created.secret.reveal(),
        });
        return 0;
      }
      const until =
        created.token.expiresAt === undefined
          ? 'never expires'
          : `expires ${created.token.expiresAt.toISOString()}`;
      await write(input.io.stdout, `${created.secret.reveal()}\n`);
      await write(
        input.io.stderr,
        `Created access token "${created.token.label}" (${created.token.uuid}), scopes ${created.token.scopes.join(', ')}, ${until}.\nThe token above is shown only now: store it.\n`,
      );
      return 0;
    } finally {
      created.secret.dispose();
    }
  },
);

/** `dhub token ls`: the account's personal access tokens. @public */
export const tokenListCommand = defineCommand(
  {
    name: 'token ls',
    usage: 'dhub token ls [--json]',
    summary: "List the account's personal access tokens (never their secrets).",
    options: {},
    examples: ['dhub token ls', 'dhub token ls --json'],
    positionals: [],
  },
  async (input) => {
    const tokens = await withClient(input, [], async (client) => {
      const all: HubAccessToken[] = [];
      for await (const t of client.accessTokens.list({ signal: input.io.signal })) all.push(t);
      return all;
    });
    if (flag(input, 'json')) await writeJson(input.io.stdout, tokens.map(tokenJson));
    else if (tokens.length > 0)
      await write(input.io.stdout, `${tokens.map(tokenLine).join('\n')}\n`);
    return 0;
  },
);

function toggle(name: 'enable' | 'disable') {
  return defineCommand(
    {
      name: `token ${name}`,
      usage: `dhub token ${name} UUID [--json]`,
      summary:
        name === 'enable'
          ? 'Enable a disabled personal access token.'
          : 'Disable a personal access token (it stops working until enabled).',
      options: {},
      examples: [`dhub token ${name} b30bbf97-506c-4ecd-aabc-842f3cb484fb`],
      positionals: ['UUID'],
    },
    async (input) => {
      const uuid = uuidOperand(input);
      const token = await withClient(input, [], (client) =>
        client.accessTokens.update(uuid, { isActive: name === 'enable', signal: input.io.signal }),
      );
      if (flag(input, 'json')) await writeJson(input.io.stdout, tokenJson(token));
      else if (!flag(input, 'quiet'))
        await write(
          input.io.stdout,
          `${token.isActive ? 'Enabled' : 'Disabled'} ${token.uuid} (${token.label})\n`,
        );
      return 0;
    },
  );
}

/** `dhub token enable UUID`. @public */
export const tokenEnableCommand = toggle('enable');
/** `dhub token disable UUID`. @public */
export const tokenDisableCommand = toggle('disable');

/** `dhub token rm UUID --yes`: delete a personal access token. @public */
export const tokenRmCommand = defineCommand(
  {
    name: 'token rm',
    usage: 'dhub token rm UUID --yes [--json]',
    summary: 'Delete a personal access token for good (needs --yes).',
    options: {
      yes: {
        type: 'boolean',
        help: 'really delete (without it nothing is deleted and the exit code is 2)',
      },
    },
    examples: ['dhub token rm b30bbf97-506c-4ecd-aabc-842f3cb484fb --yes'],
    positionals: ['UUID'],
  },
  async (input) => {
    const uuid = uuidOperand(input);
    if (!flag(input, 'yes'))
      throw usageError(input, `deleting token ${uuid} cannot be undone: add --yes`);
    await withClient(input, [], (client) =>
      client.accessTokens.delete(uuid, { signal: input.io.signal }),
    );
    if (flag(input, 'json')) await writeJson(input.io.stdout, { deleted: uuid });
    else if (!flag(input, 'quiet')) await write(input.io.stdout, `Deleted ${uuid}\n`);
    return 0;
  },
);
