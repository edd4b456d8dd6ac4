import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { PayloadTooLargeError } from '@llmdevops/docker-hub-core';
import { defineCommand, stringOption, usageError, type CommandInput } from '../command.js';
import { byteLimit, ByteSizeError, parseByteSize } from '../internal/byte-size.js';
import { withClient } from '../internal/client.js';
import { referenceOperand } from '../internal/operands.js';

/** Default of `dhub blob --max-size`: 4 GiB. @internal */
export const BLOB_MAX_SIZE_DEFAULT = 4 * 2 ** 30;

function sizeOption(input: CommandInput, name: string): number | undefined {
  const text = stringOption(input, name);
  if (text === undefined) return undefined;
  try {
    return parseByteSize(`--${name}`, text);
  } catch (err) {
    if (err instanceof ByteSizeError) throw usageError(input, err.message);
    throw err;
  }
}

/**
 * `dhub blob REPO@DIGEST`: the blob's verified bytes on stdout. The bytes are spooled to a private
 * temporary file while the digest is checked, and only written to stdout once it matched, so a
 * corrupted download never reaches the reader (memory stays bounded whatever the size). The spool
 * is capped: by `--size` (the descriptor's size) when given, and by `--max-size` (default 4 GiB);
 * past the cap the download stops with a typed error and the temporary file is removed.
 * @public
 */
export const blobCommand = defineCommand(
  {
    name: 'blob',
    usage: 'dhub blob REPO@DIGEST [--size BYTES] [--max-size BYTES]',
    summary: "Write a blob's bytes to stdout, only after verifying them against the digest.",
    options: {
      size: {
        type: 'string',
        value: 'BYTES',
        help: "the blob's size from its descriptor: the download stops as soon as it differs",
      },
      'max-size': {
        type: 'string',
        value: 'BYTES',
        help: 'the most bytes spooled to the temporary file (default 4GiB; units kB, MB, GB, KiB, MiB, GiB)',
      },
    },
    examples: [
      'dhub blob alpine@sha256:4abcf2066143... > layer.tar.gz',
      'dhub blob alpine@sha256:4abcf2066143... --size 3623807 > layer.tar.gz',
    ],
    positionals: ['REPO@DIGEST'],
  },
  async (input) => {
    const ref = referenceOperand(input, 0, 'REPO@DIGEST');
    const digest = ref.digest;
    if (digest === undefined)
      throw usageError(input, 'REPO@DIGEST must name a digest, e.g. alpine@sha256:...');
    const size = sizeOption(input, 'size');
    const maxSize = sizeOption(input, 'max-size') ?? BLOB_MAX_SIZE_DEFAULT;
    const tooLarge = (): PayloadTooLargeError =>
      new PayloadTooLargeError(`blob ${digest} (--max-size)`, maxSize);
    if (size !== undefined && size > maxSize) throw tooLarge();
    const dir = await mkdtemp(join(tmpdir(), 'dhub-blob-'));
    try {
      const spool = join(dir, 'blob');
      await withClient(input, [ref], (client) =>
        pipeline(
          client.blobs.get(ref, digest, {
            signal: input.io.signal,
            ...(size === undefined ? {} : { size }),
          }),
          byteLimit(maxSize, tooLarge),
          createWriteStream(spool, { mode: 0o600 }),
          { signal: input.io.signal },
        ),
      );
      await pipeline(createReadStream(spool), input.io.stdout, {
        end: false,
        signal: input.io.signal,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return 0;
  },
);
