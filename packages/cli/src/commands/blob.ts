import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { defineCommand, usageError } from '../command.js';
import { withClient } from '../internal/client.js';
import { referenceOperand } from '../internal/operands.js';

/**
 * `dhub blob REPO@DIGEST`: the blob's verified bytes on stdout. The bytes are spooled to a private
 * temporary file while the digest is checked, and only written to stdout once it matched, so a
 * corrupted download never reaches the reader (memory stays bounded whatever the size).
 * @public
 */
export const blobCommand = defineCommand(
  {
    name: 'blob',
    usage: 'dhub blob REPO@DIGEST',
    summary: "Write a blob's bytes to stdout, only after verifying them against the digest.",
    options: {},
    examples: ['dhub blob alpine@sha256:4abcf2066143... > layer.tar.gz'],
    positionals: ['REPO@DIGEST'],
  },
  async (input) => {
    const ref = referenceOperand(input, 0, 'REPO@DIGEST');
    const digest = ref.digest;
    if (digest === undefined)
      throw usageError(input, 'REPO@DIGEST must name a digest, e.g. alpine@sha256:...');
    const dir = await mkdtemp(join(tmpdir(), 'dhub-blob-'));
    try {
      const spool = join(dir, 'blob');
      await withClient(input, [ref], (client) =>
        pipeline(
          client.blobs.get(ref, digest, { signal: input.io.signal }),
          createWriteStream(spool, { mode: 0o600 }),
          {
            signal: input.io.signal,
          },
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
