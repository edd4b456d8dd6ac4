import { defineCommand, flag } from '../command.js';
import { writeJson, writeLine } from '../io.js';
import { platformOption, withClient } from '../internal/client.js';
import { referenceOperand } from '../internal/operands.js';

/** `dhub digest REF [--platform P]`: the manifest digest. @public */
export const digestCommand = defineCommand(
  {
    name: 'digest',
    usage: 'dhub digest REF [--platform OS/ARCH[/VARIANT]] [--json]',
    summary:
      "Print a manifest's digest (without --platform a HEAD request, which Docker Hub does not count as a pull).",
    options: {
      platform: {
        type: 'string',
        value: 'P',
        help: 'the digest of the image manifest for P inside an index',
      },
    },
    examples: ['dhub digest alpine:3.19', 'dhub digest alpine:3.19 --platform linux/arm64/v8'],
    positionals: ['REF'],
  },
  async (input) => {
    const ref = referenceOperand(input, 0, 'REF');
    const platform = platformOption(input);
    const { digest, mediaType, size } = await withClient(input, [ref], (client) =>
      platform === undefined
        ? client.manifests.head(ref, { signal: input.io.signal })
        : client.manifests.getForPlatform(ref, platform, { signal: input.io.signal }),
    );
    if (flag(input, 'json'))
      await writeJson(input.io.stdout, { reference: ref.toString(), digest, mediaType, size });
    else await writeLine(input.io.stdout, digest);
    return 0;
  },
);
