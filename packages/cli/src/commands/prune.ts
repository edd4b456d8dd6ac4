import type { PruneDecision, PrunePolicy, PruneResult } from '@llmdevops/docker-hub-services';
import {
  defineCommand,
  flag,
  listOption,
  parseOperand,
  stringOption,
  usageError,
  type CommandInput,
} from '../command.js';
import { write, writeJson } from '../io.js';
import { withClient } from '../internal/client.js';
import { repositoryOperand } from '../internal/operands.js';
import { OptionValueError, parseDuration } from '../internal/serve-options.js';

function durationMs(input: CommandInput, option: string): number | undefined {
  const text = stringOption(input, option);
  if (text === undefined) return undefined;
  try {
    return parseDuration(`--${option}`, text) * 1000;
  } catch (err) {
    if (err instanceof OptionValueError) throw usageError(input, err.message);
    throw err;
  }
}

/**
 * The policy from the command line.
 * @param input - the parsed command line
 * @returns the policy, checked
 * @throws UsageError for a non-numeric --keep-last, a bad duration or no rule at all (exit 2)
 * @internal
 */
export async function prunePolicy(input: CommandInput): Promise<PrunePolicy> {
  const keep = stringOption(input, 'keep-last');
  if (keep !== undefined && !/^\d{1,9}$/.test(keep))
    throw usageError(input, `--keep-last must be a whole number, 0 or more, got '${keep}'`);
  const olderThanMs = durationMs(input, 'older-than');
  const unpulledForMs = durationMs(input, 'unpulled-for');
  if (keep === undefined && olderThanMs === undefined && unpulledForMs === undefined)
    throw usageError(
      input,
      'give a rule: --keep-last N, --older-than DURATION or --unpulled-for DURATION',
    );
  const include = listOption(input, 'include');
  const exclude = listOption(input, 'exclude');
  const policy = {
    ...(keep === undefined ? {} : { keepLast: Number(keep) }),
    ...(olderThanMs === undefined ? {} : { olderThanMs }),
    ...(unpulledForMs === undefined ? {} : { unpulledForMs }),
    ...(include.length === 0 ? {} : { include }),
    ...(exclude.length === 0 ? {} : { exclude }),
  };
  // The library's checks (its tag filter's patterns among them), before anything is sent.
  const { checkPrunePolicy } = await import('@llmdevops/docker-hub-services');
  parseOperand(input, 'prune rule', () => {
    checkPrunePolicy(policy);
  });
  return policy;
}

const day = (d: Date | undefined): string =>
  d === undefined ? '-' : d.toISOString().slice(0, 19) + 'Z';

/**
 * One line of the plan: action, tag, rule, last push, last pull.
 * @param t - the decision
 * @returns the line
 * @internal
 */
export function planLine(t: PruneDecision): string {
  return `${t.action === 'delete' ? 'delete' : 'keep  '}  ${t.name}\t${t.rule}\tpushed ${day(t.lastPushed)}\tpulled ${day(t.lastPulled)}`;
}

function resultJson(r: PruneResult): Record<string, unknown> {
  return {
    repository: r.repository,
    dryRun: r.dryRun,
    via: r.via,
    tags: r.tags.map((t) => ({
      name: t.name,
      digest: t.digest,
      lastPushed: t.lastPushed?.toISOString(),
      lastPulled: t.lastPulled?.toISOString(),
      action: t.action,
      rule: t.rule,
    })),
    deleted: r.deleted,
  };
}

/** `dhub prune REPO`: delete the tags a retention policy selects. @public */
export const pruneCommand = defineCommand(
  {
    name: 'prune',
    usage:
      'dhub prune REPO [--keep-last N] [--older-than DURATION] [--unpulled-for DURATION] [--include REGEX] [--exclude REGEX] [--yes] [--json]',
    summary:
      'Delete old tags by rule; without --yes only print the plan (each tag with the rule that decides it).',
    options: {
      'keep-last': {
        type: 'string',
        value: 'N',
        help: 'keep the N most recently pushed tags (alone: delete all others)',
      },
      'older-than': {
        type: 'string',
        value: 'DURATION',
        help: 'select tags last pushed longer ago, e.g. 30d',
      },
      'unpulled-for': {
        type: 'string',
        value: 'DURATION',
        help: 'select tags not pulled for this long, e.g. 90d (Docker Hub)',
      },
      include: {
        type: 'string',
        multiple: true,
        value: 'REGEX',
        help: 'consider only tags matching (in full; repeatable)',
      },
      exclude: {
        type: 'string',
        multiple: true,
        value: 'REGEX',
        help: 'always keep tags matching (in full; repeatable)',
      },
      yes: { type: 'boolean', help: 'delete (without it nothing is deleted)' },
    },
    examples: [
      'dhub prune alice/app --keep-last 10',
      'dhub prune alice/app --older-than 30d --keep-last 3 --exclude latest --yes',
    ],
    positionals: ['REPO'],
  },
  async (input) => {
    const ref = repositoryOperand(input, 0);
    const policy = await prunePolicy(input);
    const dryRun = !flag(input, 'yes');
    const result = await withClient(input, [ref], (client) =>
      client.tags.prune(ref, policy, { dryRun, signal: input.io.signal }),
    );
    if (flag(input, 'json')) {
      await writeJson(input.io.stdout, resultJson(result));
      return 0;
    }
    const selected = result.tags.filter((t) => t.action === 'delete').length;
    const lines = result.tags.map(planLine);
    lines.push(
      dryRun
        ? `Dry run: ${selected} of ${result.tags.length} tags would be deleted; add --yes to delete them.`
        : `Deleted ${result.deleted.length} of ${result.tags.length} tags.`,
    );
    await write(input.io.stdout, `${lines.join('\n')}\n`);
    return 0;
  },
);
