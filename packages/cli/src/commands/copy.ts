import { defineCommand, flag, usageError } from '../command.js';
import { writeJson, writeLine } from '../io.js';
import { platformOption, withClient, withProgress } from '../internal/client.js';
import { referenceOperand } from '../internal/operands.js';

/** `dhub copy SRC DST`: registry to registry, streaming, mounting within one registry. @public */
export const copyCommand = defineCommand(
  {
    name: 'copy',
    usage: 'dhub copy SRC DST [--all-platforms | --platform OS/ARCH[/VARIANT]] [--json]',
    summary:
      'Copy an image between repositories or registries (streamed, verified; blobs mounted within one registry).',
    options: { platform: { type: 'string' }, 'all-platforms': { type: 'boolean' } },
    optionHelp: [
      '--all-platforms    copy the index and every platform',
      '--platform P       copy the image for P only (default linux/amd64)',
      '--json             print { source, destination, digest, mediaType, manifests, blobsTransferred, blobsSkipped }',
    ],
    examples: ['dhub copy alpine:3.19 127.0.0.1:5000/mirror/alpine:3.19 --all-platforms'],
    positionals: ['SRC', 'DST'],
  },
  async (input) => {
    const src = referenceOperand(input, 0, 'SRC');
    const dst = referenceOperand(input, 1, 'DST');
    const platform = platformOption(input);
    const allPlatforms = flag(input, 'all-platforms');
    if (platform !== undefined && allPlatforms)
      throw usageError(input, '--platform and --all-platforms exclude each other');
    const result = await withClient(input, [src, dst], (client) =>
      withProgress(input, client, `copy ${src.familiar()} -> ${dst.familiar()}`, (onBlob) =>
        client.images.copy(src, dst, {
          signal: input.io.signal,
          ...(onBlob === undefined ? {} : { onBlob }),
          ...(allPlatforms ? { allPlatforms } : {}),
          ...(platform === undefined ? {} : { platform }),
        }),
      ),
    );
    if (flag(input, 'json')) {
      await writeJson(input.io.stdout, {
        source: src.toString(),
        destination: dst.toString(),
        ...result,
      });
    } else if (!flag(input, 'quiet')) await writeLine(input.io.stdout, result.digest);
    return 0;
  },
);
