import {
  AbortedError,
  ImageReference,
  NotFoundError,
  RateLimitError,
  ValidationError,
  isDockerHubError,
  isIndexMediaType,
  systemClock,
  type Clock,
  type Descriptor,
} from '@llmdevops/docker-hub-core';
import { HubTagsService } from '../hub/hub-tags-service.js';
import { compileTagFilter, type TagFilter, type TagWithTime } from '../tags/tag-filter.js';
import { TagsService } from '../tags/tags-service.js';
import { executeCopy, planCopy, type BlobTransfers, type CopyPlan } from './copy-image.js';
import { ensurePullBudget, knownPullBudget } from './rate-plan.js';
import { copyReferrers, type CopiedReferrers } from '../referrers/copy-referrers.js';
import type { CopyRepositoryEvent, CopyRepositoryOptions, CopyRepositoryResult, ImageDeps, PlannedBlob, TagCopyResult } from './types.js';

/** Default number of tags copied at once. */
const DEFAULT_JOBS = 4;

/** What a run shares between its tags. */
interface Run {
  readonly deps: ImageDeps;
  readonly src: ImageReference;
  readonly dst: ImageReference;
  readonly options: CopyRepositoryOptions;
  /** Blob transfers of the run: each digest moves once. */
  readonly transfers: BlobTransfers;
  /** Dry run: blobs already counted in the plan (each once per run). */
  readonly planned: Set<string>;
  /** Set when no new tag may start (a failure without keep-going, or a drain). */
  stopping: boolean;
  /** Waits for rate-limit resets. */
  readonly clock: Clock;
  /** Every worker awaits it before a tag: pending while the run waits for a rate-limit reset. */
  pause: Promise<void>;
  /** When the current pause ends (ms since the epoch), if one is pending. */
  pausedUntil: number | undefined;
}

function checkJobs(jobs: number): number {
  if (!Number.isSafeInteger(jobs) || jobs < 1) {
    throw new ValidationError('INVALID_ARGUMENT', `jobs must be a whole number of at least 1, got ${String(jobs)}`, String(jobs));
  }
  return jobs;
}

function messageOf(err: unknown): string {
  if (isDockerHubError(err)) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

function emit(run: Run, event: CopyRepositoryEvent): void {
  run.options.onEvent?.(event);
}

/**
 * The repository's tags with push times when the source is on Docker Hub and `last` needs them
 * (Hub API, `last_updated`), else the registry's list in its order.
 */
async function listTags(deps: ImageDeps, src: ImageReference, filter: TagFilter, signal: AbortSignal | undefined): Promise<readonly (string | TagWithTime)[]> {
  const s = signal === undefined ? {} : { signal };
  if (filter.options.last !== undefined && deps.ctx.usesHubApi(src)) {
    const slash = src.repository.indexOf('/');
    const hub = deps.hubTags ?? new HubTagsService(deps.ctx);
    const out: TagWithTime[] = [];
    for await (const t of hub.list(src.repository.slice(0, slash), src.repository.slice(slash + 1), { ...s, pageSize: 100 })) {
      out.push({ name: t.name, lastUpdated: t.lastUpdated });
    }
    return out;
  }
  const tags = deps.tags ?? new TagsService(deps.ctx, deps.manifests);
  return tags.list(src, s);
}

/** The digest a destination tag points at, or undefined when it has none. */
async function destinationDigest(run: Run, tag: string): Promise<string | undefined> {
  const s = run.options.signal === undefined ? {} : { signal: run.options.signal };
  try {
    return (await run.deps.manifests.head(run.dst.withTag(tag), s)).digest;
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

/** Dry run: the blobs of a plan the destination lacks (HEAD each), each counted once per run. */
async function blobsToMove(run: Run, plan: CopyPlan): Promise<PlannedBlob[]> {
  const s = run.options.signal === undefined ? {} : { signal: run.options.signal };
  const out: PlannedBlob[] = [];
  for (const d of plan.graph.blobs) {
    if (run.planned.has(d.digest)) continue;
    run.planned.add(d.digest);
    if (!(await run.deps.blobs.exists(run.dst, d.digest, s))) out.push({ digest: d.digest, size: d.size });
  }
  return out;
}

const sum = (blobs: readonly Descriptor[] | readonly PlannedBlob[]): number => blobs.reduce((n, b) => n + b.size, 0);

/** A tag after the HEADs at both sides. */
interface TagHeads {
  readonly index: number;
  readonly tag: string;
  readonly sourceDigest: string;
  /** The destination tag's digest, undefined when it has none. */
  readonly current: string | undefined;
  /** The source is an index (at least one child manifest to GET besides it). */
  readonly isIndex: boolean;
}

const zero = { manifestGets: 0, blobsTransferred: 0, blobsSkipped: 0, bytesTransferred: 0 } as const;

function choosesPlatforms(options: CopyRepositoryOptions): boolean {
  return options.platform !== undefined || (options.platforms?.length ?? 0) > 0;
}

/** HEAD at both sides (free on Docker Hub): unchanged when the digests are equal. */
async function headTag(run: Run, index: number, tag: string): Promise<TagHeads | TagCopyResult> {
  const s = run.options.signal === undefined ? {} : { signal: run.options.signal };
  const [source, current] = await Promise.all([run.deps.manifests.head(run.src.withTag(tag), s), destinationDigest(run, tag)]);
  if (!choosesPlatforms(run.options) && current === source.digest) {
    return { tag, sourceDigest: source.digest, state: 'unchanged', digest: current, ...zero };
  }
  return { index, tag, sourceDigest: source.digest, current, isIndex: isIndexMediaType(source.mediaType) };
}

/** Plans a changed tag, pinned to the digest its HEAD saw (a tag moved meanwhile cannot mix two images). */
function planTag(run: Run, heads: TagHeads): Promise<CopyPlan> {
  return planCopy(run.deps, run.src.withTag(heads.tag).withDigest(heads.sourceDigest), run.options);
}

/**
 * With `referrers`, the referrers of the copied manifests (signatures, SBOMs, attestations, and
 * theirs) follow with their exact bytes, sharing the run's blob transfers.
 */
async function referrersOf(run: Run, subjects: readonly string[]): Promise<CopiedReferrers | undefined> {
  if (run.options.referrers !== true) return undefined;
  const signal = run.options.signal === undefined ? {} : { signal: run.options.signal };
  return copyReferrers(run.deps, { src: run.src, dst: run.dst }, subjects, { transfers: run.transfers, ...signal });
}

/** A changed tag: its plan (manifest GETs), then, unless a dry run, the copy. */
async function copyTag(run: Run, heads: TagHeads, planned: CopyPlan | undefined): Promise<TagCopyResult> {
  const { deps, options } = run;
  const { tag, sourceDigest, current } = heads;
  const base = { tag, sourceDigest };
  const plan = planned ?? (await planTag(run, heads));
  if (current === plan.top.digest) {
    return { ...base, state: 'unchanged', digest: current, ...zero, manifestGets: plan.manifestGets };
  }
  if (options.dryRun === true) {
    const blobs = await blobsToMove(run, plan);
    return {
      ...base, state: 'planned', digest: plan.top.digest, manifests: plan.graph.manifests.length, blobs,
      ...zero, manifestGets: plan.manifestGets, bytesTransferred: sum(blobs),
    };
  }
  let bytes = 0;
  const result = await executeCopy(deps, { src: run.src.withTag(tag).withDigest(sourceDigest), dst: run.dst.withTag(tag) }, plan, {
    ...options,
    transfers: run.transfers,
    onBlob: (b) => {
      if (b.state === 'transferred') bytes += b.size;
      options.onBlob?.(b);
      emit(run, { type: 'blob', tag, blob: b });
    },
  });
  const referrers = await referrersOf(run, plan.graph.manifests.map((m) => m.digest));
  return {
    ...base, state: 'copied', digest: result.digest, manifestGets: plan.manifestGets, manifests: result.manifests,
    blobsTransferred: result.blobsTransferred + (referrers?.blobsTransferred ?? 0), blobsSkipped: result.blobsSkipped, bytesTransferred: bytes,
    ...(plan.rewritten ? { indexRewritten: true } : {}),
    ...(referrers === undefined ? {} : { referrers: referrers.digests.length }),
  };
}

function failed(tag: string, err: unknown): TagCopyResult {
  return { tag, state: 'failed', message: messageOf(err), error: err instanceof Error ? err : new Error(String(err)), ...zero };
}

/**
 * After a 429 the whole run waits for the reset: no tag starts or retries before it. The wait is
 * shared; a later reset extends it.
 */
function pauseRun(run: Run, until: Date): void {
  if (run.pausedUntil !== undefined && run.pausedUntil >= until.getTime()) return;
  run.pausedUntil = until.getTime();
  emit(run, { type: 'rate-limit-wait', reason: 'too-many-requests', until });
  run.pause = run.clock.sleep(Math.max(0, until.getTime() - run.clock.now()), run.options.signal).finally(() => {
    if (run.pausedUntil === until.getTime()) run.pausedUntil = undefined;
  });
}

/** Most times one tag waits out a 429 before it counts as failed. */
const MAX_PAUSES_PER_TAG = 3;

/**
 * Runs one step of a tag after any pause of the run; a 429 with a known reset pauses the whole
 * run until then and the step starts again (at most {@link MAX_PAUSES_PER_TAG} times).
 */
async function withPauses<T>(run: Run, fn: () => Promise<T>): Promise<T> {
  for (let pauses = 0; ; pauses++) {
    await run.pause;
    try {
      return await fn();
    } catch (err) {
      const until = err instanceof RateLimitError && run.options.signal?.aborted !== true ? (err.resetAt ?? knownPullBudget(run.deps.ctx, run.src)?.resetAt) : undefined;
      if (until === undefined || pauses >= MAX_PAUSES_PER_TAG) throw err;
      pauseRun(run, until);
    }
  }
}

/**
 * Runs `fn` over items `jobs` at a time, recording a result per item; a failure stops new items
 * unless `keepGoing`; a 429 pauses every worker until the reset, then the item is tried again.
 * With `firstAlone`, the first item runs before the others start.
 */
async function pool<T extends { readonly tag: string }>(
  run: Run,
  items: readonly T[],
  fn: (item: T) => Promise<TagCopyResult | TagHeads>,
  { record, firstAlone = false }: { readonly record: (item: T, outcome: TagCopyResult | TagHeads) => void; readonly firstAlone?: boolean },
): Promise<void> {
  let next = 0;
  const { signal, drain } = run.options;
  const aborted = (): boolean => signal?.aborted === true;
  const more = (): boolean => next < items.length && !run.stopping && !aborted() && drain?.aborted !== true;
  /** Runs the next item; false when the pool is stopping (aborted). */
  const step = async (): Promise<boolean> => {
    const item = items[next++];
    if (item === undefined) return false;
    let outcome: TagCopyResult | TagHeads;
    try {
      outcome = await withPauses(run, () => fn(item));
    } catch (err) {
      if (aborted()) return false;
      outcome = failed(item.tag, err);
      if (run.options.keepGoing !== true) run.stopping = true;
    }
    record(item, outcome);
    return true;
  };
  const worker = async (): Promise<void> => {
    while (more() && (await step()));
  };
  if (firstAlone && more() && !(await step())) return;
  await Promise.all(Array.from({ length: Math.max(1, Math.min(run.options.jobs ?? DEFAULT_JOBS, items.length)) }, () => worker()));
}

const isResult = (o: TagCopyResult | TagHeads): o is TagCopyResult => 'state' in o;

/**
 * Checks the pull budget before the manifest GETs: first that it covers what the HEADs tell (one
 * GET per changed image, two per changed index: before any GET), then, once the first changed image is planned, that it covers the rest at
 * that image's count. Returns the first plan (its GETs are spent) and the estimate.
 */
async function planBudget(run: Run, changed: readonly TagHeads[]): Promise<{ first: CopyPlan | undefined; needed: number }> {
  const head = changed[0];
  if (head === undefined || knownPullBudget(run.deps.ctx, run.src) === undefined) return { first: undefined, needed: 0 };
  const options = run.options.rateLimit ?? {};
  const seams = {
    ctx: run.deps.ctx,
    src: run.src,
    clock: run.clock,
    signal: run.options.signal,
    probe: async (): Promise<void> => {
      await run.deps.manifests.head(run.src.withTag(head.tag), run.options.signal === undefined ? {} : { signal: run.options.signal });
    },
    onWait: (w: { readonly needed: number; readonly remaining: number; readonly until: Date }): void => {
      emit(run, { type: 'rate-limit-wait', reason: 'budget', ...w });
    },
  };
  // Known before any GET: an image manifest is one GET, an index at least two.
  await ensurePullBudget(changed.reduce((n, t) => n + (t.isIndex ? 2 : 1), 0), options, seams);
  const first = await withPauses(run, () => planTag(run, head));
  const needed = first.manifestGets * changed.length;
  await ensurePullBudget(needed - first.manifestGets, options, seams);
  return { first, needed };
}

/**
 * Copies the tags of a repository that a filter selects: each tag's digest is compared by HEAD at
 * both sides (unchanged tags cost no GET), changed tags are copied `jobs` at a time, and a blob
 * shared by several tags moves once per run (mounted within one registry, streamed across
 * registries; blobs the destination has are skipped). A tag that fails is reported and, without
 * `keepGoing`, stops new tags from starting (those in flight finish).
 * @param deps - client services
 * @param src - the source repository (tag and digest ignored)
 * @param dst - the destination repository (tag and digest ignored)
 * @param options - tag filter, platforms, jobs, keep-going, dry run, events, signal
 * @returns one result per selected tag, and totals
 * @internal
 */
export async function copyRepository(deps: ImageDeps, src: ImageReference, dst: ImageReference, options: CopyRepositoryOptions): Promise<CopyRepositoryResult> {
  const filter = compileTagFilter(options.tags ?? {});
  if (options.jobs !== undefined) checkJobs(options.jobs);
  const source = ImageReference.from({ registry: src.registry, repository: src.repository });
  const target = ImageReference.from({ registry: dst.registry, repository: dst.repository });
  const run: Run = {
    deps, src: source, dst: target, options, transfers: new Map(), planned: new Set(), stopping: false,
    clock: options.clock ?? systemClock, pause: Promise.resolve(), pausedUntil: undefined,
  };
  const selected = filter.select(await listTags(deps, source, filter, options.signal));
  emit(run, { type: 'tags', tags: selected });
  const results: (TagCopyResult | undefined)[] = new Array<TagCopyResult | undefined>(selected.length).fill(undefined);
  const finish = (index: number, result: TagCopyResult): void => {
    results[index] = result;
    emit(run, { type: 'tag', result });
  };
  // 1. HEAD at both sides: unchanged tags are done without a GET. The first tag's HEADs go alone:
  // a registry this process has not met yet answers 401 to every request sent before its first
  // challenge is answered, so concurrent first HEADs would each be sent twice.
  const changed: TagHeads[] = [];
  await pool(run, selected.map((tag, index) => ({ tag, index })), async ({ tag, index }) => {
    const outcome = await headTag(run, index, tag);
    if (!isResult(outcome) || options.dryRun === true) return outcome;
    // An unchanged image may have new referrers (a signature added later).
    const referrers = await referrersOf(run, outcome.digest === undefined ? [] : [outcome.digest]);
    return referrers === undefined ? outcome : { ...outcome, referrers: referrers.digests.length, blobsTransferred: referrers.blobsTransferred };
  }, {
    record: (item, outcome) => {
      if (isResult(outcome)) finish(item.index, outcome);
      else changed.push(outcome);
    },
    firstAlone: true,
  });
  changed.sort((a, b) => a.index - b.index);
  // 2. The pull budget against the manifest GETs the changed tags need.
  let budget: { first: CopyPlan | undefined; needed: number } = { first: undefined, needed: 0 };
  if (!run.stopping && changed.length > 0) budget = await planBudget(run, changed);
  // 3. The changed tags: plan and copy (or, for a dry run, list what would move).
  const firstTag = changed[0]?.tag;
  await pool(run, changed, (heads) => copyTag(run, heads, heads.tag === firstTag ? budget.first : undefined), {
    record: (heads, outcome) => {
      if (isResult(outcome)) finish(heads.index, outcome);
    },
  });
  if (options.signal?.aborted === true) throw new AbortedError(`copy of ${source.name} to ${target.name}`, options.signal.reason);
  const done = results.filter((r): r is TagCopyResult => r !== undefined);
  const count = (state: TagCopyResult['state']): number => done.filter((r) => r.state === state).length;
  return {
    source: source.name,
    target: target.name,
    dryRun: options.dryRun === true,
    tags: done,
    notStarted: selected.filter((_, i) => results[i] === undefined),
    copied: count('copied'),
    unchanged: count('unchanged'),
    failed: count('failed'),
    planned: count('planned'),
    manifestGets: done.reduce((n, r) => n + r.manifestGets, 0),
    blobsTransferred: done.reduce((n, r) => n + r.blobsTransferred, 0),
    bytesTransferred: done.reduce((n, r) => n + r.bytesTransferred, 0),
    ...(budget.needed > 0 ? { manifestGetsNeeded: budget.needed } : {}),
  };
}
