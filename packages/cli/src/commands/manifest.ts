import { defineCommand, flag } from '../command.js';
import { write, writeJson } from '../io.js';
import { platformOption, withClient } from '../internal/client.js';
import { referenceOperand } from '../internal/operands.js';

/** `dhub manifest REF [--platform P]`: the manifest's exact bytes. @public */
export const manifestCommand = defineCommand(
  {
    name: 'manifest',
    usage: 'dhub manifest REF [--platform OS/ARCH[/VARIANT]] [--json]',
    summary:
      "Print a manifest's exact bytes (the image manifest for --platform when REF is an index).",
    options: {
      platform: {
        type: 'string',
        value: 'P',
        help: 'resolve an index or manifest list to the image manifest for P (e.g. linux/arm64)',
      },
      json: {
        type: 'boolean',
        help: 'print { reference, digest, mediaType, size, manifest } instead of the raw bytes',
      },
    },
    examples: [
      'dhub manifest alpine:3.19',
      'dhub manifest 127.0.0.1:5000/demo/app:v1 --platform linux/arm64',
    ],
    positionals: ['REF'],
  },
  async (input) => {
    const ref = referenceOperand(input, 0, 'REF');
    const platform = platformOption(input);
    const result = await withClient(input, [ref], (client) =>
      platform === undefined
        ? client.manifests.get(ref, { signal: input.io.signal })
        : client.manifests.getForPlatform(ref, platform, { signal: input.io.signal }),
    );
    if (flag(input, 'json')) {
      await writeJson(input.io.stdout, {
        reference: ref.toString(),
        digest: result.digest,
        mediaType: result.mediaType,
        size: result.size,
        manifest: result.manifest,
      });
    } else {
      await write(input.io.stdout, result.bytes);
    }
    return 0;
  },
);
