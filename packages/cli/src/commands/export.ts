import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { once } from 'node:events';
import type { ArchiveFormat } from '@llmdevops/docker-hub-services';
import { Platform } from '@llmdevops/docker-hub-core';
import {
  defineCommand,
  flag,
  listOption,
  parseOperand,
  positional,
  stringOption,
  usageError,
  type CommandInput,
} from '../command.js';
import { writeJson, writeLine } from '../io.js';
import { withClient, withProgress } from '../internal/client.js';
import { referenceOperand } from '../internal/operands.js';

const FORMATS: readonly ArchiveFormat[] = ['docker-archive', 'oci-archive'];

function formatOption(input: CommandInput): ArchiveFormat {
  const text = stringOption(input, 'format') ?? 'docker-archive';
  const format = FORMATS.find((f) => f === text);
  if (format === undefined)
    throw usageError(input, `--format must be docker-archive or oci-archive, not ${text}`);
  return format;
}

/**
 * `dhub export REF FILE`: an image from a registry into a tar archive, streamed and verified.
 * A file is written under a temporary name and renamed when complete (a failed export leaves
 * nothing); `-` writes to stdout.
 * @public
 */
export const exportCommand = defineCommand(
  {
    name: 'export',
    usage:
      'dhub export REF FILE [--format docker-archive|oci-archive] [--platform OS/ARCH[/VARIANT]]... [--all-platforms] [--json]',
    summary:
      'Export an image into a tar archive that docker load (docker-archive) or skopeo oci-archive: reads, verifying every blob.',
    options: {
      format: {
        type: 'string',
        value: 'F',
        help: 'docker-archive (default; for docker load) or oci-archive (an OCI layout in a tar)',
      },
      platform: {
        type: 'string',
        multiple: true,
        value: 'P',
        help: [
          'the image for P from a multi-platform image (default linux/amd64); repeatable with',
          'oci-archive, which then holds a new index of those platforms (digest differs)',
        ],
      },
      'all-platforms': {
        type: 'boolean',
        help: 'oci-archive only: the whole index, digest unchanged',
      },
      json: {
        type: 'boolean',
        help: 'print { reference, file, format, digest, mediaType, manifests, blobs, bytes }',
      },
    },
    notes: ['FILE - writes the archive to stdout.'],
    examples: [
      'dhub export alpine:3.19 alpine.tar && docker load -i alpine.tar',
      'dhub export 127.0.0.1:5000/demo/app:v1 app.oci.tar --format oci-archive --all-platforms',
      'dhub export alpine:3.19 - | gzip > alpine.tar.gz',
    ],
    positionals: ['REF', 'FILE'],
  },
  async (input) => {
    const ref = referenceOperand(input, 0, 'REF');
    const target = positional(input, 1);
    const format = formatOption(input);
    const platforms = listOption(input, 'platform').map((text) =>
      parseOperand(input, '--platform', () => Platform.parse(text)),
    );
    const allPlatforms = flag(input, 'all-platforms');
    if (platforms.length > 0 && allPlatforms)
      throw usageError(input, '--platform and --all-platforms exclude each other');
    if (format === 'docker-archive' && (allPlatforms || platforms.length > 1)) {
      throw usageError(
        input,
        'a docker-archive holds one platform; use --format oci-archive for several or --all-platforms',
      );
    }
    const toStdout = target === '-';
    const file = toStdout ? '' : resolve(input.io.cwd ?? '.', target);
    const temp = `${file}.tmp-${randomBytes(6).toString('hex')}`;
    if (
      !toStdout &&
      !(await stat(dirname(file)).then(
        (s) => s.isDirectory(),
        () => false,
      ))
    ) {
      throw usageError(input, `the directory of ${target} does not exist`);
    }
    const fileOut = toStdout ? undefined : createWriteStream(temp, { flags: 'wx', mode: 0o644 });
    // Listen for 'open' now: the client loads on demand, and the file may be open before it is.
    const opened = fileOut === undefined ? undefined : once(fileOut, 'open');
    try {
      const result = await withClient(input, [ref], async (client) => {
        const out = fileOut ?? input.io.stdout;
        await opened;
        return withProgress(input, client, `export ${ref.familiar()}`, (onBlob) =>
          client.images.export(ref, out, {
            format,
            end: !toStdout,
            signal: input.io.signal,
            ...(onBlob === undefined ? {} : { onBlob }),
            ...(allPlatforms ? { allPlatforms } : {}),
            ...(platforms.length === 0 ? {} : { platforms }),
          }),
        );
      });
      if (!toStdout) await rename(temp, file);
      // The archive owns stdout; the summary goes to stderr then.
      const report = toStdout ? input.io.stderr : input.io.stdout;
      if (flag(input, 'json'))
        await writeJson(report, {
          reference: ref.toString(),
          file: toStdout ? '-' : file,
          ...result,
        });
      else if (!flag(input, 'quiet') && !toStdout) await writeLine(report, result.digest);
      return 0;
    } finally {
      // A failed export leaves its file stream open (the library never ends it on failure).
      if (fileOut !== undefined && !fileOut.closed) {
        const closed = once(fileOut, 'close');
        fileOut.destroy();
        await closed;
      }
      if (!toStdout) await rm(temp, { force: true });
    }
  },
);
