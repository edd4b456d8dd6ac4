import { AbortedError, ValidationError, isDockerHubError } from '@llmdevops/docker-hub-core';
import { toReference } from '../../client/ref.js';
import { mapLimit } from '../../internal/map-limit.js';
import { compileTagFilter } from '../../tags/tag-filter.js';
import { copyRepository } from '../copy-repository.js';
import type { CopyRepositoryEvent, CopyRepositoryOptions, CopyRepositoryResult, ImageDeps } from '../types.js';
import type { RateLimitPlanOptions } from '../rate-plan.js';
import type { SyncConfig, SyncEntry } from './sync-config.js';

/** Options of {@link ImagesService.sync}. @public */
export interface SyncOptions {
  /** Plan only: nothing is written (see `CopyRepositoryOptions.dryRun`). */
  readonly dryRun?: boolean;
  /** Within an entry, try every tag after a failure (default: stop starting new tags of that entry). */
  readonly keepGoing?: boolean;
  /** Cancels everything at once. */
  readonly signal?: AbortSignal;
  /** When aborted, no new tag or entry starts and the tags in flight finish. */
  readonly drain?: AbortSignal;
  /** Pull-budget planning for each entry (see `CopyRepositoryOptions.rateLimit`). */
  readonly rateLimit?: RateLimitPlanOptions;
  /**
   * Called as the run progresses.
   * @param event - which entry, and what happened
   */
  readonly onEvent?: (event: SyncEvent) => void;
}

/** A step of a sync: an entry's repository-copy event, or an entry that could not run. @public */
export type SyncEvent =
  | { readonly type: 'copy'; readonly entry: number; readonly source: string; readonly target: string; readonly event: CopyRepositoryEvent }
  | { readonly type: 'entry-failed'; readonly entry: number; readonly source: string; readonly target: string; readonly message: string };

/** What one entry of a sync did. @public */
export interface SyncEntryResult {
  readonly source: string;
  readonly target: string;
  /** The repository copy, when the entry ran. */
  readonly result?: CopyRepositoryResult;
  /** Why the entry could not run at all (unknown repository, no rights to list it, ...): `CODE: message`. */
  readonly message?: string;
}

/** What a sync did, entry by entry, with totals over tags. @public */
export interface SyncResult {
  readonly entries: readonly SyncEntryResult[];
  readonly copied: number;
  readonly unchanged: number;
  /** Tags that failed, plus entries that could not run. */
  readonly failed: number;
  /** Dry run: tags that would be copied. */
  readonly planned: number;
}

/** An entry's copy options: its own settings over the defaults (tag filter fields one by one). */
function entryOptions(config: SyncConfig, entry: SyncEntry): CopyRepositoryOptions {
  const d = config.defaults ?? {};
  const tags = { ...(d.tags ?? {}), ...(entry.tags ?? {}) };
  const platforms = entry.platforms ?? d.platforms;
  const referrers = entry.referrers ?? d.referrers;
  const jobs = entry.jobs ?? d.jobs;
  return {
    tags,
    ...(platforms === undefined ? {} : { platforms }),
    ...(referrers === undefined ? {} : { referrers }),
    ...(jobs === undefined ? {} : { jobs }),
  };
}

const messageOf = (err: unknown): string =>
  isDockerHubError(err) ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);

/**
 * Runs a sync configuration: each entry is a repository copy ({@link copyRepository}) with the
 * defaults under its own settings, `parallel` entries at a time. An entry that cannot run is
 * reported and the others go on.
 * @param deps - client services
 * @param config - the entries, defaults and parallelism
 * @param options - dry run, keep-going, drain, events, signal
 * @returns per-entry results and totals
 * @internal
 */
export async function runSync(deps: ImageDeps, config: SyncConfig, options: SyncOptions): Promise<SyncResult> {
  const aborted = (): boolean => options.signal?.aborted === true;
  const parallel = config.parallel ?? 1;
  if (!Number.isSafeInteger(parallel) || parallel < 1) {
    throw new ValidationError('INVALID_ARGUMENT', `parallel must be a whole number of at least 1, got ${String(parallel)}`, String(parallel));
  }
  // Settings are checked before anything runs (a bad pattern fails the whole sync, not one entry).
  const planned = config.syncs.map((entry, index) => {
    const copy = entryOptions(config, entry);
    compileTagFilter(copy.tags ?? {});
    return { index, entry, copy, from: toReference(entry.source), to: toReference(entry.target) };
  });
  const entries = await mapLimit(planned, parallel, async ({ index, entry, copy, from, to }): Promise<SyncEntryResult> => {
    const base = { source: entry.source, target: entry.target };
    if (options.drain?.aborted === true || aborted()) return base;
    try {
      const result = await copyRepository(deps, from, to, {
        ...copy,
        ...(options.dryRun === undefined ? {} : { dryRun: options.dryRun }),
        ...(options.keepGoing === undefined ? {} : { keepGoing: options.keepGoing }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        ...(options.drain === undefined ? {} : { drain: options.drain }),
        ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }),
        onEvent: (event) => options.onEvent?.({ type: 'copy', entry: index, ...base, event }),
      });
      return { ...base, result };
    } catch (err) {
      if (aborted()) throw err;
      const message = messageOf(err);
      options.onEvent?.({ type: 'entry-failed', entry: index, ...base, message });
      return { ...base, message };
    }
  });
  if (aborted()) throw new AbortedError('sync', options.signal?.reason);
  const sum = (key: 'copied' | 'unchanged' | 'failed' | 'planned'): number => entries.reduce((n, e) => n + (e.result?.[key] ?? 0), 0);
  return {
    entries,
    copied: sum('copied'),
    unchanged: sum('unchanged'),
    failed: sum('failed') + entries.filter((e) => e.message !== undefined).length,
    planned: sum('planned'),
  };
}
