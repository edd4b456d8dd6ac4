import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { defineCommand, flag, positional } from '../command.js';
import { writeJson, writeLine } from '../io.js';
import { withClient, withProgress } from '../internal/client.js';
import { referenceOperand } from '../internal/operands.js';

const REF_NAME = 'org.opencontainers.image.ref.name';

/**
 * Which image of the layout to push: `DIR:NAME` names one (as skopeo's `oci:DIR:NAME`); a layout
 * holding a single image pushes that one whatever its name; otherwise the library picks the image
 * named like REF's tag.
 */
async function layoutChoice(text: string, cwd: string): Promise<{ dir: string; refName?: string }> {
  const colon = text.lastIndexOf(':');
  const whole = resolve(cwd, text);
  const isDir = await stat(whole).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir && colon > 0)
    return { dir: resolve(cwd, text.slice(0, colon)), refName: text.slice(colon + 1) };
  const index = await readFile(join(whole, 'index.json'), 'utf8')
    .then((t) => JSON.parse(t) as { manifests?: { annotations?: Record<string, string> }[] })
    .catch(() => undefined);
  const only =
    index?.manifests?.length === 1 ? index.manifests[0]?.annotations?.[REF_NAME] : undefined;
  return only === undefined ? { dir: whole } : { dir: whole, refName: only };
}

/** `dhub push DIR REF`: an image from an OCI image layout to a registry. @public */
export const pushCommand = defineCommand(
  {
    name: 'push',
    usage: 'dhub push DIR[:NAME] REF [--json]',
    summary: 'Push an image from an OCI image layout (as skopeo oci:DIR[:NAME] writes it) to REF.',
    options: {
      json: {
        type: 'boolean',
        help: 'print { reference, digest, mediaType, manifests, blobsTransferred, blobsSkipped }',
      },
    },
    notes: [
      'DIR:NAME picks the image named NAME in the layout; a layout with one image pushes it whatever its name',
    ],
    examples: [
      'dhub push ./app 127.0.0.1:5000/demo/app:v1',
      'dhub push ./layout:1.0 myuser/app:1.0',
    ],
    positionals: ['DIR', 'REF'],
  },
  async (input) => {
    const ref = referenceOperand(input, 1, 'REF');
    const { dir, refName } = await layoutChoice(positional(input, 0), input.io.cwd ?? '.');
    const result = await withClient(input, [ref], (client) =>
      withProgress(input, client, `push ${ref.familiar()}`, (onBlob) =>
        client.images.push(dir, ref, {
          signal: input.io.signal,
          ...(onBlob === undefined ? {} : { onBlob }),
          ...(refName === undefined ? {} : { refName }),
        }),
      ),
    );
    if (flag(input, 'json'))
      await writeJson(input.io.stdout, { reference: ref.toString(), ...result });
    else if (!flag(input, 'quiet')) await writeLine(input.io.stdout, result.digest);
    return 0;
  },
);
