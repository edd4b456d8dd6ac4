import { ImageReference } from '@llmdevops/docker-hub-core';
import { defineCommand, flag } from '../command.js';
import { writeJson, writeLine } from '../io.js';
import { withClient } from '../internal/client.js';
import { referenceOperand } from '../internal/operands.js';

/** The image Docker documents for checking the pull limit; a HEAD on it does not count as a pull. */
const PROBE = 'docker.io/ratelimitpreview/test:latest';

/** `dhub rate-limit [REF]`: the pull rate-limit status, read with a HEAD (no pull counted). @public */
export const rateLimitCommand = defineCommand(
  {
    name: 'rate-limit',
    usage: 'dhub rate-limit [REF] [--json]',
    summary: `Show the pull rate limit: a HEAD on REF (default ${PROBE}), which Docker Hub does not count as a pull.`,
    options: {},
    optionHelp: [
      '--json   print { reference, limited, limit, remaining, windowSeconds, source, resetAt }',
    ],
    examples: ['dhub rate-limit', 'dhub rate-limit 127.0.0.1:5000/demo/app:v1 --json'],
    positionals: [],
    optionalPositionals: ['REF'],
  },
  async (input) => {
    const ref =
      input.positionals.length > 0
        ? referenceOperand(input, 0, 'REF')
        : ImageReference.parse(PROBE);
    const status = await withClient(input, [ref], async (client) => {
      await client.manifests.head(ref, { signal: input.io.signal });
      return client.rateLimitStatus();
    });
    if (flag(input, 'json')) {
      await writeJson(input.io.stdout, {
        reference: ref.toString(),
        limited: status !== undefined,
        limit: status?.limit ?? null,
        remaining: status?.remaining ?? null,
        windowSeconds: status?.windowSeconds ?? null,
        source: status?.source ?? null,
        resetAt: status?.resetAt?.toISOString() ?? null,
      });
      return 0;
    }
    if (status === undefined) {
      await writeLine(input.io.stdout, `no rate limit reported for ${ref.registry}`);
      return 0;
    }
    const window = status.windowSeconds === undefined ? '' : ` per ${status.windowSeconds}s`;
    const lines = [
      `limit: ${status.limit ?? 'unknown'}${window}`,
      `remaining: ${status.remaining ?? 'unknown'}`,
      ...(status.source === undefined ? [] : [`source: ${status.source}`]),
      ...(status.resetAt === undefined ? [] : [`reset: ${status.resetAt.toISOString()}`]),
    ];
    await writeLine(input.io.stdout, lines.join('\n'));
    return 0;
  },
);
