import { ImageReference } from '@llmdevops/docker-hub-core';
import type { BudgetStatus } from '@llmdevops/docker-hub-services';
import { defineCommand, flag, stringOption, usageError, type CommandInput } from '../command.js';
import { writeJson, writeLine } from '../io.js';
import { withClient } from '../internal/client.js';
import { referenceOperand } from '../internal/operands.js';

/** The image Docker documents for checking the pull limit; a HEAD on it does not count as a pull. */
const PROBE = 'docker.io/ratelimitpreview/test:latest';

/** `dhub rate-limit [REF]`: the pull rate-limit status, read with a HEAD (no pull counted). @public */
export const rateLimitCommand = defineCommand(
  {
    name: 'rate-limit',
    usage: 'dhub rate-limit [REF] [--json] | dhub rate-limit --budget URL [--json]',
    summary: `Show the pull rate limit: a HEAD on REF (default ${PROBE}), which Docker Hub does not count as a pull; with --budget, the shared budget's state.`,
    options: {
      json: {
        type: 'boolean',
        help: 'print { reference, limited, limit, remaining, windowSeconds, source, resetAt }',
      },
      budget: {
        type: 'string',
        value: 'URL',
        help: [
          'instead, the shared pull budget at URL (no request to the registry):',
          'remaining, next free pull, in-flight reservations and waiters per registry/account;',
          '--json prints { store, fellBack, keys: [...] }',
        ],
      },
    },
    examples: [
      'dhub rate-limit',
      'dhub rate-limit 127.0.0.1:5000/demo/app:v1 --json',
      'dhub rate-limit --budget redis://127.0.0.1:6379/0 --json',
    ],
    positionals: [],
    optionalPositionals: ['REF'],
  },
  async (input) => {
    if (stringOption(input, 'budget') !== undefined) {
      if (input.positionals.length > 0)
        throw usageError(
          input,
          'REF and --budget do not go together: --budget shows the shared budget',
        );
      return showBudget(input);
    }
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

function iso(d: Date | undefined): string | null {
  return d?.toISOString() ?? null;
}

/** `dhub rate-limit --budget URL`: the shared budget as every process using it sees it. */
async function showBudget(input: CommandInput): Promise<number> {
  const status: BudgetStatus | undefined = await withClient(input, [], (client) =>
    client.budgetStatus(),
  );
  if (status === undefined) return 0;
  if (flag(input, 'json')) {
    await writeJson(input.io.stdout, {
      store: status.store,
      fellBack: status.fellBack,
      keys: status.keys.map((k) => ({
        key: k.key,
        limit: k.limit ?? null,
        windowSeconds: k.windowSeconds,
        remaining: k.remaining,
        used: k.used,
        inFlight: k.inFlight,
        waiters: k.waiters,
        resetAt: iso(k.resetAt),
        blockedUntil: iso(k.blockedUntil),
        lastRemaining: k.lastRemaining ?? null,
        lastObservedAt: iso(k.lastObservedAt),
        source: k.source ?? null,
      })),
    });
    return 0;
  }
  const lines = [`budget: ${status.store}`];
  if (status.keys.length === 0) lines.push('no pulls recorded yet');
  for (const k of status.keys) {
    const limit =
      k.limit === undefined
        ? k.remaining < 0
          ? 'not limited'
          : 'limit unknown'
        : `${String(k.limit)} per ${String(k.windowSeconds)}s`;
    const parts = [
      limit,
      ...(k.remaining < 0 ? [] : [`remaining ${String(k.remaining)}`]),
      `in flight ${String(k.inFlight)}`,
      `waiters ${String(k.waiters)}`,
      ...(k.resetAt === undefined ? [] : [`next free ${k.resetAt.toISOString()}`]),
      ...(k.blockedUntil === undefined
        ? []
        : [`blocked by a 429 until ${k.blockedUntil.toISOString()}`]),
      ...(k.source === undefined ? [] : [`source ${k.source}`]),
    ];
    lines.push(`${k.key}: ${parts.join(', ')}`);
  }
  await writeLine(input.io.stdout, lines.join('\n'));
  return 0;
}
