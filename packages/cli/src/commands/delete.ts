import { defineCommand, flag, positional, usageError } from '../command.js';
import { writeJson, writeLine } from '../io.js';
import { withClient } from '../internal/client.js';
import { referenceOperand } from '../internal/operands.js';

/** `dhub delete REF`: a tag, or a manifest by digest. @public */
export const deleteCommand = defineCommand(
  {
    name: 'delete',
    usage: 'dhub delete REF [--json]',
    summary:
      'Delete a tag (REPO:TAG; on a plain registry this deletes the manifest and every tag on it) or a manifest (REPO@DIGEST).',
    options: {},
    examples: [
      'dhub delete 127.0.0.1:5000/demo/app:old',
      'dhub delete 127.0.0.1:5000/demo/app@sha256:...',
    ],
    positionals: ['REF'],
  },
  async (input) => {
    const text = positional(input, 0);
    // Parsing defaults the tag to `latest`; deleting needs the tag or digest spelled out.
    if (!/[:@][^/]*$/.test(text)) throw usageError(input, `REF must name a tag or digest: ${text}`);
    const ref = referenceOperand(input, 0, 'REF');
    const result = await withClient(input, [ref], async (client) => {
      if (ref.digest !== undefined) {
        return {
          via: 'registry' as const,
          digest: await client.manifests.delete(ref, { signal: input.io.signal }),
        };
      }
      return client.tags.delete(ref, { signal: input.io.signal });
    });
    if (flag(input, 'json'))
      await writeJson(input.io.stdout, { reference: ref.toString(), ...result });
    else if (!flag(input, 'quiet')) await writeLine(input.io.stdout, `Deleted ${ref.familiar()}`);
    return 0;
  },
);
