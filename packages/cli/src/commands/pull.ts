import { resolve } from 'node:path';
import { defineCommand, flag, positional, usageError } from '../command.js';
import { writeJson, writeLine } from '../io.js';
import { platformOption, withClient, withProgress } from '../internal/client.js';
import { referenceOperand } from '../internal/operands.js';
import type { MirrorEvent } from '@llmdevops/docker-hub-services';

/** `dhub pull REF DIR`: an image into an OCI image layout, every blob verified, resumable. @public */
export const pullCommand = defineCommand(
  {
    name: 'pull',
    usage: 'dhub pull REF DIR [--platform OS/ARCH[/VARIANT] | --all-platforms] [--json]',
    summary:
      'Pull an image into an OCI image layout directory (as skopeo oci:DIR reads it), verifying every blob; an interrupted pull resumes when run again.',
    options: {
      platform: {
        type: 'string',
        value: 'P',
        help: 'the image for P from a multi-platform image (default linux/amd64)',
      },
      'all-platforms': { type: 'boolean', help: 'every platform, and the index itself' },
    },
    examples: [
      'dhub pull alpine:3.19 ./alpine',
      'dhub pull 127.0.0.1:5000/demo/app:v1 ./app --all-platforms',
    ],
    positionals: ['REF', 'DIR'],
  },
  async (input) => {
    const ref = referenceOperand(input, 0, 'REF');
    const dir = resolve(input.io.cwd ?? '.', positional(input, 1));
    const platform = platformOption(input);
    const allPlatforms = flag(input, 'all-platforms');
    if (platform !== undefined && allPlatforms)
      throw usageError(input, '--platform and --all-platforms exclude each other');
    // Resumable: a failed or interrupted pull leaves only complete, verified blobs in DIR (the
    // library removes partial files and empty directories it made), and running the same pull
    // again downloads only what is missing.
    // With mirrors configured: which endpoint served the image (its first manifest).
    let servedBy: MirrorEvent | undefined;
    const result = await withClient(input, [ref], (client) => {
      client.events.on('mirror', (e) => {
        if (servedBy === undefined && e.path.startsWith('manifests/')) servedBy = e;
      });
      return withProgress(input, client, `pull ${ref.familiar()}`, (onBlob) =>
        client.images.pull(ref, dir, {
          signal: input.io.signal,
          ...(onBlob === undefined ? {} : { onBlob }),
          ...(allPlatforms ? { allPlatforms } : {}),
          ...(platform === undefined ? {} : { platform }),
        }),
      );
    });
    const served = servedBy === undefined ? undefined : { endpoint: servedBy.endpoint, mirror: servedBy.mirror, skipped: servedBy.skipped };
    if (flag(input, 'json'))
      await writeJson(input.io.stdout, { reference: ref.toString(), ...result, ...(served === undefined ? {} : { servedBy: served }) });
    else if (!flag(input, 'quiet')) {
      if (served !== undefined) {
        const skipped = served.skipped.map((s) => `${s.endpoint}: ${s.reason}`).join(', ');
        await writeLine(input.io.stderr, `served by ${served.mirror ? 'mirror' : 'the registry'} ${served.endpoint}${skipped === '' ? '' : ` (skipped ${skipped})`}`);
      }
      await writeLine(input.io.stdout, result.digest);
    }
    return 0;
  },
);
