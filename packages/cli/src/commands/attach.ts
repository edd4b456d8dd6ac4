import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { UsageError } from '../exit-codes.js';
import { defineCommand, flag, listOption, stringOption } from '../command.js';
import { writeJson, writeLine } from '../io.js';
import { withClient } from '../internal/client.js';
import { referenceOperand } from '../internal/operands.js';

/** Files attached in one artifact are read into memory: each is capped. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

function annotations(input: Parameters<typeof listOption>[0]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of listOption(input, 'annotation')) {
    const eq = item.indexOf('=');
    if (eq <= 0)
      throw new UsageError(`--annotation ${JSON.stringify(item)}: expected KEY=VALUE`, input.usage);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** `dhub attach REF --artifact-type T FILE...`: attach files to an image as an OCI artifact. @public */
export const attachCommand = defineCommand(
  {
    name: 'attach',
    usage: 'dhub attach REF --artifact-type TYPE FILE... [--annotation KEY=VALUE]... [--json]',
    summary:
      'Attach files to an image as an OCI 1.1 artifact (an SBOM, a signature, a report) and print its digest.',
    options: {
      'artifact-type': {
        type: 'string',
        value: 'TYPE',
        help: 'the artifact type, e.g. application/spdx+json (required)',
      },
      annotation: {
        type: 'string',
        multiple: true,
        value: 'KEY=VALUE',
        help: 'a manifest annotation (repeatable)',
      },
    },
    examples: [
      'dhub attach registry.example/app:1.0 --artifact-type application/spdx+json sbom.spdx.json',
    ],
    positionals: ['REF', 'FILE...'],
  },
  async (input) => {
    const ref = referenceOperand(input, 0, 'REF');
    const artifactType = stringOption(input, 'artifact-type');
    if (artifactType === undefined || artifactType.trim() === '')
      throw new UsageError('--artifact-type is required', input.usage);
    const paths = input.positionals.slice(1);
    if (paths.length === 0) throw new UsageError('name at least one FILE to attach', input.usage);
    const files: { bytes: Buffer; title: string }[] = [];
    for (const path of paths) {
      const full = resolve(input.io.cwd ?? '.', path);
      const size = (await stat(full)).size;
      if (size > MAX_FILE_BYTES)
        throw new UsageError(
          `${path} is ${size} bytes, more than ${MAX_FILE_BYTES} for one attached file`,
          input.usage,
        );
      files.push({ bytes: await readFile(full), title: basename(full) });
    }
    const extra = annotations(input);
    const attached = await withClient(input, [ref], (client) =>
      client.referrers.attach(ref, {
        artifactType,
        files,
        annotations: extra,
        signal: input.io.signal,
      }),
    );
    if (flag(input, 'json')) await writeJson(input.io.stdout, attached);
    else await writeLine(input.io.stdout, attached.digest);
    return 0;
  },
);
