import { defineCommand, flag } from '../command.js';
import { writeJson, writeLine } from '../io.js';
import { withClient } from '../internal/client.js';
import { referenceOperand, tagOperand } from '../internal/operands.js';

/** `dhub tag REF NEWTAG`: the same manifest under another tag of the repository. @public */
export const tagCommand = defineCommand(
  {
    name: 'tag',
    usage: 'dhub tag REF NEWTAG [--json]',
    summary:
      "Tag REF's manifest as NEWTAG in the same repository (exact bytes, so the digest is unchanged).",
    options: {},
    examples: ['dhub tag 127.0.0.1:5000/demo/app:v1 stable'],
    positionals: ['REF', 'NEWTAG'],
  },
  async (input) => {
    const ref = referenceOperand(input, 0, 'REF');
    const target = ref.withTag(tagOperand(input, 1));
    const digest = await withClient(input, [ref], async (client) => {
      const source = await client.manifests.get(ref, { signal: input.io.signal });
      return client.manifests.put(target, source.bytes, {
        mediaType: source.mediaType,
        signal: input.io.signal,
      });
    });
    if (flag(input, 'json'))
      await writeJson(input.io.stdout, { reference: target.toString(), digest });
    else if (!flag(input, 'quiet'))
      await writeLine(input.io.stdout, `${target.familiar()}@${digest}`);
    return 0;
  },
);
