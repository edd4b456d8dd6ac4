import { defineCommand, flag } from '../command.js';
import { annotationsOption, artifactFiles, artifactTypeOption } from './artifact.js';
import { writeJson, writeLine } from '../io.js';
import { withClient } from '../internal/client.js';
import { referenceOperand } from '../internal/operands.js';

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
    const artifactType = await artifactTypeOption(input);
    const extra = annotationsOption(input);
    const files = await artifactFiles(input, input.positionals.slice(1));
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
