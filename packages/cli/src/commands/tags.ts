import { defineCommand, flag } from '../command.js';
import { write, writeJson } from '../io.js';
import { withClient } from '../internal/client.js';
import { repositoryOperand } from '../internal/operands.js';

/** `dhub tags REPO`: one tag per line. @public */
export const tagsCommand = defineCommand(
  {
    name: 'tags',
    usage: 'dhub tags REPO [--json]',
    summary: "List a repository's tags, one per line (every page).",
    options: {},
    optionHelp: ['--json   print { name, tags }'],
    examples: ['dhub tags library/alpine', 'dhub tags 127.0.0.1:5000/demo/app --json'],
    positionals: ['REPO'],
  },
  async (input) => {
    const ref = repositoryOperand(input, 0);
    const tags = await withClient(input, [ref], (client) =>
      client.tags.list(ref, { signal: input.io.signal }),
    );
    if (flag(input, 'json')) await writeJson(input.io.stdout, { name: ref.repository, tags });
    else if (tags.length > 0) await write(input.io.stdout, `${tags.join('\n')}\n`);
    return 0;
  },
);
