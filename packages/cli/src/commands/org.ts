import { validateNamespace } from '@llmdevops/docker-hub-core';
import type { HubGroup, HubMember } from '@llmdevops/docker-hub-services';
import { defineCommand, flag, parseOperand, positional } from '../command.js';
import { write, writeJson } from '../io.js';
import { withClient } from '../internal/client.js';

function orgOperand(input: Parameters<typeof positional>[0]): string {
  const org = positional(input, 0);
  parseOperand(input, 'ORG', () => {
    validateNamespace(org);
  });
  return org;
}

/** `dhub org members ORG`: the members of a Docker Hub organisation. @public */
export const orgMembersCommand = defineCommand(
  {
    name: 'org members',
    usage: 'dhub org members ORG [--json]',
    summary: 'List the members of a Docker Hub organisation (username, role, teams).',
    options: {},
    examples: ['dhub org members myorg', 'dhub org members myorg --json'],
    positionals: ['ORG'],
  },
  async (input) => {
    const org = orgOperand(input);
    const members = await withClient(input, [], async (client) => {
      const all: HubMember[] = [];
      for await (const m of client.orgs.members(org, { signal: input.io.signal })) all.push(m);
      return all;
    });
    if (flag(input, 'json')) await writeJson(input.io.stdout, members);
    else if (members.length > 0)
      await write(
        input.io.stdout,
        `${members.map((m) => `${m.username}\t${m.role ?? ''}\t${m.groups.join(',')}\t${m.fullName}`).join('\n')}\n`,
      );
    return 0;
  },
);

/** `dhub org teams ORG`: the groups (teams) of a Docker Hub organisation. @public */
export const orgTeamsCommand = defineCommand(
  {
    name: 'org teams',
    usage: 'dhub org teams ORG [--json]',
    summary: 'List the teams (groups) of a Docker Hub organisation with their member counts.',
    options: {},
    examples: ['dhub org teams myorg'],
    positionals: ['ORG'],
  },
  async (input) => {
    const org = orgOperand(input);
    const groups = await withClient(input, [], async (client) => {
      const all: HubGroup[] = [];
      for await (const g of client.orgs.groups(org, { signal: input.io.signal })) all.push(g);
      return all;
    });
    if (flag(input, 'json')) await writeJson(input.io.stdout, groups);
    else if (groups.length > 0)
      await write(
        input.io.stdout,
        `${groups.map((g) => `${g.name}\tmembers ${g.memberCount ?? '?'}\t${g.description}`).join('\n')}\n`,
      );
    return 0;
  },
);
