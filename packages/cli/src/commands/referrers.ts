import type { ReferrerNode } from '@llmdevops/docker-hub-services';
import { defineCommand, flag, stringOption } from '../command.js';
import { writeJson, writeLine } from '../io.js';
import { withClient } from '../internal/client.js';
import { referenceOperand } from '../internal/operands.js';

function treeLines(nodes: readonly ReferrerNode[], indent: string): string[] {
  return nodes.flatMap((n) => [
    `${indent}${n.descriptor.digest}  ${n.descriptor.artifactType ?? n.descriptor.mediaType}${n.truncated ? '  (depth cap)' : ''}`,
    ...treeLines(n.referrers, `${indent}  `),
  ]);
}

/** `dhub referrers REF [--artifact-type T] [--tree] [--json]`: artifacts referring to an image. @public */
export const referrersCommand = defineCommand(
  {
    name: 'referrers',
    usage: 'dhub referrers REF [--artifact-type TYPE] [--tree] [--json]',
    summary:
      'List the artifacts referring to an image (signatures, SBOMs, attestations), with --tree their referrers too.',
    options: {
      'artifact-type': {
        type: 'string',
        value: 'TYPE',
        help: 'only referrers of this artifact type',
      },
      tree: {
        type: 'boolean',
        help: 'follow referrers of referrers (a signature of an SBOM), 4 levels deep',
      },
    },
    examples: [
      'dhub referrers registry.example/app:1.0',
      'dhub referrers registry.example/app:1.0 --tree --json',
    ],
    positionals: ['REF'],
  },
  async (input) => {
    const ref = referenceOperand(input, 0, 'REF');
    const artifactType = stringOption(input, 'artifact-type');
    const options = {
      signal: input.io.signal,
      ...(artifactType === undefined ? {} : { artifactType }),
    };
    if (flag(input, 'tree')) {
      const tree = await withClient(input, [ref], (client) => client.referrers.tree(ref, options));
      if (flag(input, 'json')) await writeJson(input.io.stdout, tree);
      else
        for (const line of [tree.subject, ...treeLines(tree.referrers, '  ')])
          await writeLine(input.io.stdout, line);
      return 0;
    }
    const list = await withClient(input, [ref], (client) => client.referrers.list(ref, options));
    if (flag(input, 'json')) {
      await writeJson(input.io.stdout, list);
      return 0;
    }
    for (const d of list.referrers)
      await writeLine(input.io.stdout, `${d.digest}  ${d.artifactType ?? d.mediaType}  ${d.size}`);
    return 0;
  },
);
