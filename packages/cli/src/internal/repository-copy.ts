import type { ImageReference, Platform } from '@llmdevops/docker-hub-core';
import type {
  CopyRepositoryEvent,
  CopyRepositoryResult,
  RateLimitPlanOptions,
  DockerHubClient,
  TagCopyResult,
  TagFilterOptions,
} from '@llmdevops/docker-hub-services';
import { flag, listOption, parseOperand, stringOption, usageError, type CommandInput } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { writeJson, writeLine } from '../io.js';
import { formatBytes } from '../output/progress.js';

/**
 * A whole number of at least 1 from an option.
 * @param input - the parsed command line
 * @param name - the option
 * @returns the number, or undefined when absent
 * @throws UsageError when it is not a whole number of at least 1
 * @internal
 */
export function countOption(input: CommandInput, name: string): number | undefined {
  const text = stringOption(input, name);
  if (text === undefined) return undefined;
  if (!/^[1-9]\d{0,8}$/.test(text)) throw usageError(input, `--${name} must be a whole number of at least 1, got "${text}"`);
  return Number(text);
}

/**
 * The tag filter from the command line (`--include`, `--exclude`, `--semver`, `--last`), checked.
 * @param input - the parsed command line
 * @returns the filter options
 * @throws UsageError for an invalid pattern, range or count
 * @internal
 */
export async function tagFilterOptions(input: CommandInput): Promise<TagFilterOptions> {
  const include = listOption(input, 'include');
  const exclude = listOption(input, 'exclude');
  const semver = stringOption(input, 'semver');
  const last = countOption(input, 'last');
  const options: TagFilterOptions = {
    ...(include.length > 0 ? { include } : {}),
    ...(exclude.length > 0 ? { exclude } : {}),
    ...(semver === undefined ? {} : { semver }),
    ...(last === undefined ? {} : { last }),
  };
  const { compileTagFilter } = await import('@llmdevops/docker-hub-services');
  parseOperand(input, 'tag filter', () => compileTagFilter(options));
  return options;
}

const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

/**
 * `--wait-for-reset` and `--rate-limit-reserve N`, for the library's `rateLimit` option.
 * @param input - the parsed command line
 * @returns the options, or undefined when neither was given
 * @throws UsageError for a reserve that is not a whole number
 * @internal
 */
export function rateLimitOptions(input: CommandInput): RateLimitPlanOptions | undefined {
  const wait = flag(input, 'wait-for-reset');
  const text = stringOption(input, 'rate-limit-reserve');
  if (text !== undefined && !/^\d{1,9}$/.test(text)) throw usageError(input, `--rate-limit-reserve must be a whole number, got "${text}"`);
  if (!wait && text === undefined) return undefined;
  return { ...(wait ? { waitForReset: true } : {}), ...(text === undefined ? {} : { reserve: Number(text) }) };
}

/**
 * The progress line of a rate-limit wait (stderr).
 * @param e - the wait
 * @returns the line
 * @internal
 */
export function waitLine(e: Extract<CopyRepositoryEvent, { type: 'rate-limit-wait' }>): string {
  const until = e.until.toISOString();
  return e.reason === 'budget'
    ? `waiting for the pull budget: ${e.needed ?? '?'} manifest GETs needed, ${e.remaining ?? '?'} remain; resuming at ${until}`
    : `rate limited (429): every tag pauses until ${until}`;
}

/**
 * One line per tag: `TAG: copied DIGEST`, `TAG: skipped (unchanged)`, `TAG: failed: reason`, or
 * for a dry run the plan with one line per blob.
 * @param r - the tag's result
 * @returns the text (no trailing newline)
 * @internal
 */
export function tagLine(r: TagCopyResult): string {
  switch (r.state) {
    case 'copied':
      return `${r.tag}: copied ${r.digest ?? ''}${r.indexRewritten === true ? ' (index rewritten)' : ''}${r.referrers === undefined ? '' : `, ${plural(r.referrers, 'referrer')}`}`;
    case 'unchanged':
      return `${r.tag}: skipped (unchanged)`;
    case 'planned': {
      const blobs = r.blobs ?? [];
      const digest = r.digest === r.sourceDigest ? (r.digest ?? '') : `${r.sourceDigest ?? ''} as ${r.digest ?? ''}`;
      const head = `${r.tag}: would copy ${digest}: ${plural(r.manifests ?? 0, 'manifest')} (${plural(r.manifestGets, 'manifest GET')}), ${plural(blobs.length, 'new blob')} (${formatBytes(r.bytesTransferred)})`;
      return [head, ...blobs.map((b) => `  ${b.digest} ${formatBytes(b.size)}`)].join('\n');
    }
    case 'failed':
      return `${r.tag}: failed: ${r.message ?? 'unknown error'}`;
  }
}

/**
 * The summary line: `N copied, N unchanged, N failed`, or the dry run's totals.
 * @param r - the run's result
 * @returns the line
 * @internal
 */
export function summaryLine(r: CopyRepositoryResult): string {
  if (r.dryRun) {
    return `dry run: ${r.planned} to copy, ${r.unchanged} unchanged, ${r.failed} failed; ${formatBytes(r.bytesTransferred)} of blobs to move; ${r.manifestGets} manifest GETs`;
  }
  const rest = r.notStarted.length > 0 ? ` (${r.notStarted.length} not started)` : '';
  return `${r.copied} copied, ${r.unchanged} unchanged, ${r.failed} failed${rest}`;
}

/**
 * The result for `--json`: each failure as its message (no error objects).
 * @param r - the run's result
 * @returns a JSON-ready value
 * @internal
 */
export function resultJson(r: CopyRepositoryResult): unknown {
  return {
    ...r,
    tags: r.tags.map((t) => {
      const { error, ...rest } = t;
      return error === undefined ? rest : { ...rest, message: t.message ?? error.message };
    }),
  };
}

/**
 * `dhub copy --all-tags`: runs the repository copy, printing one line per tag as it finishes and
 * the summary (or the JSON result).
 * @param input - the parsed command line
 * @param client - the client
 * @param route - source and destination repositories, platforms
 * @returns exit 0 when no tag failed, else 1
 * @internal
 */
export async function copyAllTags(
  input: CommandInput,
  client: DockerHubClient,
  route: { readonly src: ImageReference; readonly dst: ImageReference; readonly platforms: readonly Platform[] },
): Promise<number> {
  const { src, dst, platforms } = route;
  const json = flag(input, 'json');
  const quiet = flag(input, 'quiet');
  const jobs = countOption(input, 'jobs');
  const rateLimit = rateLimitOptions(input);
  const lines: Promise<void>[] = [];
  const result = await client.images.copyRepository(src, dst, {
    signal: input.io.signal,
    tags: await tagFilterOptions(input),
    ...(platforms.length > 0 ? { platforms } : {}),
    ...(jobs === undefined ? {} : { jobs }),
    keepGoing: flag(input, 'keep-going'),
    dryRun: flag(input, 'dry-run'),
    referrers: flag(input, 'referrers'),
    ...(rateLimit === undefined ? {} : { rateLimit }),
    onEvent: (e) => {
      if (e.type === 'tag' && !json && (!quiet || e.result.state === 'failed')) lines.push(writeLine(input.io.stdout, tagLine(e.result)));
      if (e.type === 'rate-limit-wait' && !quiet) lines.push(writeLine(input.io.stderr, waitLine(e)));
    },
  });
  await Promise.all(lines);
  if (json) await writeJson(input.io.stdout, resultJson(result));
  else await writeLine(input.io.stdout, summaryLine(result));
  return result.failed > 0 ? EXIT.FAILED : EXIT.OK;
}
