import { resolve } from 'node:path';
import {
  defineCommand,
  flag,
  positional,
  stringOption,
  usageError,
  type CommandInput,
} from '../command.js';
import { writeJson, writeLine } from '../io.js';
import { ByteSizeError, parseByteSize } from '../internal/byte-size.js';
import { withClient, withProgress } from '../internal/client.js';
import { referenceOperand } from '../internal/operands.js';

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

function countOption(input: CommandInput, name: string): number | undefined {
  const text = stringOption(input, name);
  if (text === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(text))
    throw usageError(input, `--${name} must be a whole number of at least 1, not ${text}`);
  return Number(text);
}

/**
 * `dhub import FILE REF`: a `docker save` archive (classic or Docker 25+) or an `oci-archive`
 * pushed to a registry, checked completely before anything is sent. `-` reads stdin.
 * @public
 */
export const importCommand = defineCommand(
  {
    name: 'import',
    usage:
      'dhub import FILE REF [--image NAME:TAG] [--compress] [--max-size BYTES] [--max-entries N] [--json]',
    summary:
      'Push an image from a docker save or oci-archive tar to a registry; the archive is checked in full first.',
    options: {
      image: {
        type: 'string',
        value: 'NAME:TAG',
        help: 'which image of an archive holding several (a RepoTag or index.json name)',
      },
      compress: {
        type: 'boolean',
        help: [
          'gzip the uncompressed layers of a docker save archive (their digests change;',
          'the config, and so the image id, does not)',
        ],
      },
      'max-size': {
        type: 'string',
        value: 'BYTES',
        help: 'refuse an archive larger than this (default 64GiB; units kB, MB, GB, KiB, MiB, GiB)',
      },
      'max-entries': {
        type: 'string',
        value: 'N',
        help: 'refuse an archive with more entries (default 100000)',
      },
      json: {
        type: 'boolean',
        help: 'print { reference, format, digest, mediaType, manifests, blobsTransferred, blobsSkipped }',
      },
    },
    notes: [
      'FILE - reads the archive from stdin (spooled to a private temporary file, removed afterwards).',
    ],
    examples: [
      'docker save app:v1 -o app.tar && dhub import app.tar 127.0.0.1:5000/team/app:v1',
      'docker save app:v1 | dhub import - 127.0.0.1:5000/team/app:v1 --compress',
      'dhub import images.tar registry.example.com/team/web:v2 --image web:v2',
    ],
    positionals: ['FILE', 'REF'],
  },
  async (input) => {
    const source = positional(input, 0);
    const ref = referenceOperand(input, 1, 'REF');
    const maxSize = sizeOption(input, 'max-size');
    const maxEntries = countOption(input, 'max-entries');
    const image = stringOption(input, 'image');
    const result = await withClient(input, [ref], (client) =>
      withProgress(input, client, `import ${ref.familiar()}`, (onBlob) =>
        client.images.import(
          source === '-' ? input.io.stdin : resolve(input.io.cwd ?? '.', source),
          ref,
          {
            signal: input.io.signal,
            ...(onBlob === undefined ? {} : { onBlob }),
            ...(flag(input, 'compress') ? { compress: true } : {}),
            ...(image === undefined ? {} : { image }),
            ...(maxSize === undefined ? {} : { maxSize }),
            ...(maxEntries === undefined ? {} : { maxEntries }),
          },
        ),
      ),
    );
    if (flag(input, 'json'))
      await writeJson(input.io.stdout, { reference: ref.toString(), ...result });
    else if (!flag(input, 'quiet')) await writeLine(input.io.stdout, result.digest);
    return 0;
  },
);
