import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { validateNamespace } from '@llmdevops/docker-hub-core';
import type { HubRepository } from '@llmdevops/docker-hub-services';
import {
  defineCommand,
  flag,
  parseOperand,
  positional,
  stringOption,
  usageError,
  type CommandInput,
} from '../command.js';
import { UsageError } from '../exit-codes.js';
import { write, writeJson } from '../io.js';
import { withClient } from '../internal/client.js';

/**
 * One line of `dhub repos` text output.
 * @param r - the repository
 * @returns name, visibility, stars, pulls and description, tab-separated
 * @internal
 */
export function repositoryLine(r: HubRepository): string {
  const visibility = r.isPrivate ? 'private' : 'public';
  return `${r.namespace}/${r.name}\t${visibility}\tstars ${r.starCount}\tpulls ${r.pullCount}\t${r.description}`;
}

/**
 * The JSON form of a repository: the normalized fields, without the raw answer.
 * @param r - the repository
 * @returns a JSON-ready object
 * @internal
 */
export function repositoryJson(r: HubRepository): Record<string, unknown> {
  return Object.fromEntries(Object.entries(r).filter(([key]) => key !== 'raw'));
}

/** `dhub repos NAMESPACE`: the repositories of a Docker Hub namespace. @public */
export const reposCommand = defineCommand(
  {
    name: 'repos',
    usage: 'dhub repos NAMESPACE [--json]',
    summary: 'List the repositories of a Docker Hub namespace (every page), one per line.',
    options: {
      json: { type: 'boolean', help: 'print an array of repositories' },
    },
    examples: ['dhub repos library', 'DOCKER_HUB_URL=http://127.0.0.1:5000 dhub repos demo --json'],
    positionals: ['NAMESPACE'],
  },
  async (input) => {
    const namespace = positional(input, 0);
    parseOperand(input, 'NAMESPACE', () => {
      validateNamespace(namespace);
    });
    const repos = await withClient(input, [], async (client) => {
      const all: HubRepository[] = [];
      for await (const r of client.repositories.list(namespace, { signal: input.io.signal }))
        all.push(r);
      return all;
    });
    if (flag(input, 'json')) await writeJson(input.io.stdout, repos.map(repositoryJson));
    else if (repos.length > 0)
      await write(input.io.stdout, `${repos.map(repositoryLine).join('\n')}\n`);
    return 0;
  },
);

/** `dhub repo NAMESPACE/NAME`: one Docker Hub repository. @public */
export const repoCommand = defineCommand(
  {
    name: 'repo',
    usage: 'dhub repo NAMESPACE/NAME [--json]',
    summary: 'Show one Docker Hub repository (visibility, stars, pulls, last update, description).',
    options: {},
    examples: ['dhub repo library/alpine', 'dhub repo demo/hello --json'],
    positionals: ['NAMESPACE/NAME'],
  },
  async (input) => {
    const text = positional(input, 0);
    const [namespace, name, extra] = text.split('/');
    if (namespace === undefined || name === undefined || extra !== undefined || name === '') {
      throw usageError(input, `expected NAMESPACE/NAME, got ${text}`);
    }
    parseOperand(input, 'NAMESPACE', () => {
      validateNamespace(namespace);
    });
    const repo = await withClient(input, [], (client) =>
      client.repositories.get(namespace, name, { signal: input.io.signal }),
    );
    if (flag(input, 'json')) {
      await writeJson(input.io.stdout, repositoryJson(repo));
      return 0;
    }
    const lines = [
      `name: ${repo.namespace}/${repo.name}`,
      `visibility: ${repo.isPrivate ? 'private' : 'public'}`,
      `stars: ${repo.starCount}`,
      `pulls: ${repo.pullCount}`,
      ...(repo.lastUpdated === undefined
        ? []
        : [`last updated: ${repo.lastUpdated.toISOString()}`]),
      `description: ${repo.description}`,
      ...(repo.fullDescription === undefined || repo.fullDescription === ''
        ? []
        : [
            'full description:',
            ...repo.fullDescription
              .replace(/\n$/, '')
              .split('\n')
              .map((l) => (l === '' ? '' : `  ${l}`)),
          ]),
    ];
    await write(input.io.stdout, `${lines.join('\n')}\n`);
    return 0;
  },
);

// The library's HUB_DESCRIPTION_MAX_CHARS and HUB_FULL_DESCRIPTION_MAX_CHARS, repeated so that
// building the command table does not load the services package (the CLI loads it lazily).
const HUB_DESCRIPTION_MAX_CHARS = 100;
const HUB_FULL_DESCRIPTION_MAX_CHARS = 25_000;
/** Bytes of a README read at most: 25,000 characters of four UTF-8 bytes each. */
const README_MAX_BYTES = HUB_FULL_DESCRIPTION_MAX_CHARS * 4;

/**
 * Reads a README for `--readme`, refusing a file over Docker Hub's limit (25,000 characters,
 * `full_description` in the Hub API spec) without reading past it.
 * @param input - the parsed command line
 * @param path - the file
 * @returns the text
 * @throws UsageError when the file cannot be read or is too long (exit 2; nothing is sent)
 * @internal
 */
export async function readReadme(input: CommandInput, path: string): Promise<string> {
  let handle;
  try {
    handle = await open(resolve(input.io.cwd ?? '.', path), 'r');
  } catch (err) {
    throw usageError(input, `cannot read --readme ${path}: ${errorCode(err)}`);
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buffer = Buffer.alloc(64 * 1024);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > README_MAX_BYTES) break;
      chunks.push(buffer.subarray(0, bytesRead));
    }
    const text = Buffer.concat(chunks).toString('utf8');
    const chars = charLength(text);
    if (total > README_MAX_BYTES || chars > HUB_FULL_DESCRIPTION_MAX_CHARS) {
      const size =
        total > README_MAX_BYTES
          ? `more than ${README_MAX_BYTES.toLocaleString('en-US')} bytes`
          : `${chars.toLocaleString('en-US')} characters`;
      throw usageError(
        input,
        `--readme ${path} is ${size}; Docker Hub takes at most ${HUB_FULL_DESCRIPTION_MAX_CHARS.toLocaleString('en-US')} characters (full_description in the Hub API spec)`,
      );
    }
    return text;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw usageError(input, `cannot read --readme ${path}: ${errorCode(err)}`);
  } finally {
    await handle.close();
  }
}

function errorCode(err: unknown): string {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string') return err.code;
  return err instanceof Error ? err.message : String(err);
}

/** Characters as Docker Hub counts them (Unicode code points). */
function charLength(text: string): number {
  return text.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '_').length;
}

/**
 * Parses `NAMESPACE/NAME` and checks both names before anything is sent.
 * @param input - the parsed command line
 * @returns namespace and name
 * @throws UsageError for anything else (exit 2)
 * @internal
 */
export function repositoryNameOperand(input: CommandInput): { namespace: string; name: string } {
  const text = positional(input, 0);
  const [namespace, name, extra] = text.split('/');
  if (namespace === undefined || name === undefined || extra !== undefined || name === '')
    throw usageError(input, `expected NAMESPACE/NAME, got ${text}`);
  parseOperand(input, 'NAMESPACE', () => {
    validateNamespace(namespace);
  });
  if (!/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/.test(name) || name.length < 2 || name.length > 255)
    throw usageError(
      input,
      `invalid NAME: ${name}: a repository name is 2 to 255 lowercase letters, digits and single . _ - separators`,
    );
  return { namespace, name };
}

async function descriptionOptions(
  input: CommandInput,
): Promise<{ description?: string; fullDescription?: string }> {
  const description = stringOption(input, 'description');
  if (description !== undefined && charLength(description) > HUB_DESCRIPTION_MAX_CHARS)
    throw usageError(
      input,
      `--description is ${charLength(description)} characters; Docker Hub takes at most ${HUB_DESCRIPTION_MAX_CHARS}`,
    );
  const readme = stringOption(input, 'readme');
  return {
    ...(description === undefined ? {} : { description }),
    ...(readme === undefined ? {} : { fullDescription: await readReadme(input, readme) }),
  };
}

async function printRepository(
  input: CommandInput,
  repo: HubRepository,
  verb: string,
): Promise<void> {
  if (flag(input, 'json')) await writeJson(input.io.stdout, repositoryJson(repo));
  else if (!flag(input, 'quiet'))
    await write(
      input.io.stdout,
      `${verb} ${repo.namespace}/${repo.name} (${repo.isPrivate ? 'private' : 'public'})\n`,
    );
}

/** `dhub repo create NAMESPACE/NAME`: a new Docker Hub repository. @public */
export const repoCreateCommand = defineCommand(
  {
    name: 'repo create',
    usage:
      'dhub repo create NAMESPACE/NAME [--private] [--description TEXT] [--readme FILE] [--json]',
    summary: 'Create a Docker Hub repository, optionally private, with a description and a README.',
    options: {
      private: { type: 'boolean', help: 'make it private (default public)' },
      description: {
        type: 'string',
        value: 'TEXT',
        help: 'short description, at most 100 characters',
      },
      readme: {
        type: 'string',
        value: 'FILE',
        help: 'full description (Markdown) from FILE, at most 25,000 characters',
      },
    },
    examples: ['dhub repo create alice/app --private --description "The app" --readme README.md'],
    positionals: ['NAMESPACE/NAME'],
  },
  async (input) => {
    const { namespace, name } = repositoryNameOperand(input);
    const texts = await descriptionOptions(input);
    const repo = await withClient(input, [], (client) =>
      client.repositories.create(namespace, name, {
        ...texts,
        isPrivate: flag(input, 'private'),
        signal: input.io.signal,
      }),
    );
    await printRepository(input, repo, 'Created');
    return 0;
  },
);

/** `dhub repo set NAMESPACE/NAME`: change a repository's description, README or visibility. @public */
export const repoSetCommand = defineCommand(
  {
    name: 'repo set',
    usage:
      'dhub repo set NAMESPACE/NAME [--description TEXT] [--readme FILE] [--private|--public] [--json]',
    summary:
      "Change a Docker Hub repository's description, README (full description) or visibility.",
    options: {
      description: {
        type: 'string',
        value: 'TEXT',
        help: 'new short description, at most 100 characters',
      },
      readme: {
        type: 'string',
        value: 'FILE',
        help: 'new full description (Markdown) from FILE, at most 25,000 characters',
      },
      private: { type: 'boolean', help: 'make it private' },
      public: { type: 'boolean', help: 'make it public' },
    },
    examples: ['dhub repo set alice/app --readme README.md', 'dhub repo set alice/app --public'],
    positionals: ['NAMESPACE/NAME'],
  },
  async (input) => {
    const { namespace, name } = repositoryNameOperand(input);
    if (flag(input, 'private') && flag(input, 'public'))
      throw usageError(input, '--private and --public exclude each other');
    const texts = await descriptionOptions(input);
    const visibility = flag(input, 'private')
      ? { isPrivate: true }
      : flag(input, 'public')
        ? { isPrivate: false }
        : {};
    if (Object.keys(texts).length === 0 && Object.keys(visibility).length === 0)
      throw usageError(
        input,
        'nothing to change: give --description, --readme, --private or --public',
      );
    const repo = await withClient(input, [], (client) =>
      client.repositories.update(namespace, name, {
        ...texts,
        ...visibility,
        signal: input.io.signal,
      }),
    );
    await printRepository(input, repo, 'Updated');
    return 0;
  },
);

/** `dhub repo rm NAMESPACE/NAME --yes`: delete a repository. @public */
export const repoRmCommand = defineCommand(
  {
    name: 'repo rm',
    usage: 'dhub repo rm NAMESPACE/NAME --yes [--json]',
    summary: 'Delete a Docker Hub repository with all its tags (cannot be undone; needs --yes).',
    options: {
      yes: {
        type: 'boolean',
        help: 'really delete (without it nothing is deleted and the exit code is 2)',
      },
    },
    examples: ['dhub repo rm alice/old-app --yes'],
    positionals: ['NAMESPACE/NAME'],
  },
  async (input) => {
    const { namespace, name } = repositoryNameOperand(input);
    if (!flag(input, 'yes'))
      throw usageError(
        input,
        `deleting ${namespace}/${name} removes every tag and cannot be undone: add --yes`,
      );
    await withClient(input, [], (client) =>
      client.repositories.delete(namespace, name, { signal: input.io.signal }),
    );
    if (flag(input, 'json')) await writeJson(input.io.stdout, { deleted: `${namespace}/${name}` });
    else if (!flag(input, 'quiet')) await write(input.io.stdout, `Deleted ${namespace}/${name}\n`);
    return 0;
  },
);
