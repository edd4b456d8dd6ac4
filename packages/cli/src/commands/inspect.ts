import type { ImageDetails, IndexDetails } from '@llmdevops/docker-hub-services';
import { defineCommand, flag } from '../command.js';
import { writeJson, writeLine } from '../io.js';
import { platformOption, withClient } from '../internal/client.js';
import { referenceOperand } from '../internal/operands.js';
import { formatBytes } from '../output/progress.js';

function imageLines(d: ImageDetails): string[] {
  const lines = [
    `reference:      ${d.reference}`,
    `digest:         ${d.digest}`,
    `media type:     ${d.mediaType}`,
    `platform:       ${d.platform}`,
    `created:        ${d.created ?? '-'}`,
    `author:         ${d.author ?? '-'}`,
    `layers:         ${d.layers} (${formatBytes(d.compressedSize)} compressed)`,
    `entrypoint:     ${d.entrypoint === undefined ? '-' : JSON.stringify(d.entrypoint)}`,
    `cmd:            ${d.cmd === undefined ? '-' : JSON.stringify(d.cmd)}`,
    `working dir:    ${d.workingDir ?? '-'}`,
    `user:           ${d.user ?? '-'}`,
    `exposed ports:  ${d.exposedPorts.length === 0 ? '-' : d.exposedPorts.join(' ')}`,
  ];
  lines.push('env:', ...d.env.map((e) => `  ${e}`));
  lines.push('labels:', ...Object.entries(d.labels).map(([k, v]) => `  ${k}=${v}`));
  lines.push('history:', ...d.history.map((h) => `  ${h}`));
  return lines;
}

function indexLines(d: IndexDetails): string[] {
  const lines = [
    `reference:      ${d.reference}`,
    `digest:         ${d.digest}`,
    `media type:     ${d.mediaType}`,
    'platforms:',
  ];
  lines.push(
    ...d.platforms.map(
      (p) => `  ${(p.platform ?? '(none)').padEnd(22)} ${p.digest}  ${formatBytes(p.size)}`,
    ),
  );
  if (d.attestations.length > 0) {
    lines.push(
      'attestations:',
      ...d.attestations.map((a) => `  ${a.digest}  for ${a.attests ?? '(unknown)'}`),
    );
  }
  return lines;
}

/** `dhub inspect REF [--platform P] [--json]`: what an image is, without pulling its layers. @public */
export const inspectCommand = defineCommand(
  {
    name: 'inspect',
    usage: 'dhub inspect REF [--platform OS/ARCH[/VARIANT]] [--json]',
    summary:
      "Show an image's config (platform, created, labels, env, entrypoint, history, layers) or an index's platforms.",
    options: {
      platform: {
        type: 'string',
        value: 'P',
        help: 'for an index, inspect the image for P instead of listing the platforms',
      },
    },
    examples: [
      'dhub inspect alpine:3.19',
      'dhub inspect alpine:3.19 --platform linux/arm64 --json',
    ],
    positionals: ['REF'],
  },
  async (input) => {
    const ref = referenceOperand(input, 0, 'REF');
    const platform = platformOption(input);
    const details = await withClient(input, [ref], (client) =>
      client.images.inspect(ref, {
        signal: input.io.signal,
        ...(platform === undefined ? {} : { platform }),
      }),
    );
    if (flag(input, 'json')) {
      await writeJson(input.io.stdout, details);
      return 0;
    }
    for (const line of details.kind === 'image' ? imageLines(details) : indexLines(details))
      await writeLine(input.io.stdout, line);
    return 0;
  },
);
