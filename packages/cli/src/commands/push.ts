import { resolve } from 'node:path';
import { defineCommand, flag, positional } from '../command.js';
import { writeJson, writeLine } from '../io.js';
import { withClient, withProgress } from '../internal/client.js';
import { referenceOperand } from '../internal/operands.js';

/** `dhub push DIR REF`: an image from an OCI image layout to a registry. @public */
export const pushCommand = defineCommand(
  {
    name: 'push',
    usage: 'dhub push DIR REF [--json]',
    summary: 'Push an image from an OCI image layout directory (as skopeo oci:DIR writes it) to REF.',
    options: {},
    optionHelp: ['--json   print { reference, digest, mediaType, manifests, blobsTransferred, blobsSkipped }'],
    examples: ['dhub push ./app 127.0.0.1:5000/demo/app:v1', 'dhub push ./app myuser/app:1.0'],
    positionals: ['DIR', 'REF'],
  },
  async (input) => {
    const dir = resolve(input.io.cwd ?? '.', positional(input, 0));
    const ref = referenceOperand(input, 1, 'REF');
    const result = await withClient(input, [ref], (client) =>
      withProgress(input, client, `push ${ref.familiar()}`, () => client.images.push(dir, ref, { signal: input.io.signal })),
    );
    if (flag(input, 'json')) await writeJson(input.io.stdout, { reference: ref.toString(), ...result });
    else if (!flag(input, 'quiet')) await writeLine(input.io.stdout, result.digest);
    return 0;
  },
);
