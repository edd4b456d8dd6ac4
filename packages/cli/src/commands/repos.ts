import { validateNamespace } from '@llmdevops/docker-hub-core';
import type { HubRepository } from '@llmdevops/docker-hub-services';
import { defineCommand, flag, parseOperand, positional, usageError } from '../command.js';
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
    options: {},
    optionHelp: ['--json   print an array of repositories'],
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
    ];
    await write(input.io.stdout, `${lines.join('\n')}\n`);
    return 0;
  },
);
