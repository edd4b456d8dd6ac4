import { resolve } from 'node:path';
import { ConfigError, ImageReference, systemClock } from '@llmdevops/docker-hub-core';
import type { DockerHubClient, SyncConfig, SyncResult } from '@llmdevops/docker-hub-services';
import { defineCommand, flag, positional, stringOption, usageError, type CommandInput } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { write, writeJson, writeLine } from '../io.js';
import { withClient } from '../internal/client.js';
import { rateLimitOptions, resultJson, summaryLine, tagLine, waitLine } from '../internal/repository-copy.js';

const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** `30m`, `1h`, `90s`, `1h30m` in milliseconds; at least one second. */
function parseInterval(input: CommandInput, text: string): number {
  const m = DURATION.exec(text);
  const ms = m === null || text === '' ? 0 : ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
  if (ms < 1000) throw usageError(input, `--interval must be a duration such as 30m, 1h or 1h30m (at least 1s), got "${text}"`);
  return ms;
}

function totals(r: SyncResult, dryRun: boolean): string {
  return summaryLine({
    source: '', target: '', dryRun, tags: [], notStarted: [],
    copied: r.copied, unchanged: r.unchanged, failed: r.failed, planned: r.planned,
    manifestGets: r.entries.reduce((n, e) => n + (e.result?.manifestGets ?? 0), 0),
    blobsTransferred: r.entries.reduce((n, e) => n + (e.result?.blobsTransferred ?? 0), 0),
    bytesTransferred: r.entries.reduce((n, e) => n + (e.result?.bytesTransferred ?? 0), 0),
  });
}

/** One round: every entry, a line per tag as it finishes, then the totals (or the JSON result). */
async function round(input: CommandInput, client: DockerHubClient, config: SyncConfig, interval: boolean): Promise<SyncResult> {
  const json = flag(input, 'json');
  const quiet = flag(input, 'quiet');
  const dryRun = flag(input, 'dry-run');
  const rateLimit = rateLimitOptions(input);
  const lines: Promise<void>[] = [];
  const short = (repo: string): string => ImageReference.parse(repo).familiar().replace(/:latest$/, '');
  const result = await client.images.sync(config, {
    dryRun,
    keepGoing: flag(input, 'keep-going'),
    ...(rateLimit === undefined ? {} : { rateLimit }),
    // Looping: the first SIGINT/SIGTERM lets the tags in flight finish; once: it cancels at once.
    ...(interval ? { drain: input.io.signal } : { signal: input.io.signal }),
    onEvent: (e) => {
      if (json) return;
      if (e.type === 'copy' && e.event.type === 'rate-limit-wait' && !quiet) lines.push(writeLine(input.io.stderr, `${e.source}: ${waitLine(e.event)}`));
      if (e.type === 'entry-failed') lines.push(writeLine(input.io.stdout, `${e.source} -> ${e.target}: failed: ${e.message}`));
      else if (e.event.type === 'tag' && (!quiet || e.event.result.state === 'failed')) {
        lines.push(writeLine(input.io.stdout, `${short(e.target)}:${tagLine(e.event.result)}`));
      }
    },
  });
  await Promise.all(lines);
  if (json) {
    await writeJson(input.io.stdout, {
      ...result,
      entries: result.entries.map((e) => (e.result === undefined ? e : { ...e, result: resultJson(e.result) })),
    });
  } else await writeLine(input.io.stdout, totals(result, dryRun));
  return result;
}

/** `dhub sync FILE.yaml`: the repository copies a YAML file declares, once or on an interval. @public */
export const syncCommand = defineCommand(
  {
    name: 'sync',
    usage: 'dhub sync FILE.yaml [--dry-run] [--once | --interval DURATION] [--keep-going] [--wait-for-reset] [--rate-limit-reserve N] [--json]',
    summary:
      'Copy the repositories a YAML file lists (each as dhub copy --all-tags, with tag filters), once or every DURATION. FILE.yaml: defaults { tags, platforms, referrers, jobs }, parallel N, syncs [{ source, target, tags { include, exclude, semver, last }, platforms, referrers, jobs }].',
    options: {
      'dry-run': { type: 'boolean', help: "print every entry's plan and write nothing" },
      once: { type: 'boolean', help: 'one round (the default)' },
      interval: {
        type: 'string',
        value: 'D',
        help: 'a round every D (30m, 1h, 1h30m) until SIGINT/SIGTERM, which lets the tags in flight finish',
      },
      'keep-going': { type: 'boolean', help: 'within an entry, try every tag after a failure' },
      'wait-for-reset': {
        type: 'boolean',
        help: 'wait for the pull budget instead of stopping an entry it cannot cover',
      },
      'rate-limit-reserve': { type: 'string', value: 'N', help: 'leave N pulls of the budget unused for others' },
    },
    examples: ['dhub sync mirror.yaml --dry-run', 'dhub sync mirror.yaml --interval 30m'],
    positionals: ['FILE.yaml'],
  },
  async (input) => {
    const intervalText = stringOption(input, 'interval');
    if (intervalText !== undefined && flag(input, 'once')) throw usageError(input, '--once and --interval exclude each other');
    const interval = intervalText === undefined ? undefined : parseInterval(input, intervalText);
    rateLimitOptions(input);
    const file = resolve(input.io.cwd ?? '.', positional(input, 0));
    const { loadSyncFile } = await import('@llmdevops/docker-hub-services');
    let config: SyncConfig;
    try {
      config = await loadSyncFile(file);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      await write(input.io.stderr, `${err.code}: ${err.message}\n`);
      return EXIT.USAGE;
    }
    const refs = config.syncs.flatMap((s) => [ImageReference.parse(s.source), ImageReference.parse(s.target)]);
    return withClient(input, refs, async (client) => {
      for (let n = 1; ; n++) {
        const result = await round(input, client, config, interval !== undefined);
        const code = result.failed > 0 ? EXIT.FAILED : EXIT.OK;
        if (interval === undefined || input.io.signal.aborted) return code;
        if (!flag(input, 'quiet') && !flag(input, 'json')) {
          await writeLine(input.io.stderr, `round ${n} done; next in ${intervalText ?? ''} (SIGINT or SIGTERM stops)`);
        }
        try {
          await systemClock.sleep(interval, input.io.signal);
        } catch {
          return code;
        }
      }
    });
  },
);
