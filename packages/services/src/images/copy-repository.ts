import {
  AbortedError,
  ImageReference,
  NotFoundError,
  UnsupportedError,
  ValidationError,
  isDockerHubError,
  type Descriptor,
} from '@llmdevops/docker-hub-core';
import { HubTagsService } from '../hub/hub-tags-service.js';
import { compileTagFilter, type TagFilter, type TagWithTime } from '../tags/tag-filter.js';
import { TagsService } from '../tags/tags-service.js';
import { executeCopy, planCopy, type BlobTransfers, type CopyPlan } from './copy-image.js';
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

/**
 * One tag: HEAD at both sides; equal digests mean unchanged (no GET). Otherwise the plan (manifest
 * GETs), then, unless a dry run, the copy.
 */
async function copyTag(run: Run, tag: string): Promise<TagCopyResult> {
  const { deps, options } = run;
  const s = options.signal === undefined ? {} : { signal: options.signal };
  const from = run.src.withTag(tag);
  const to = run.dst.withTag(tag);
  const choosing = options.platform !== undefined || (options.platforms?.length ?? 0) > 0;
  const [sourceHead, current] = await Promise.all([deps.manifests.head(from, s), destinationDigest(run, tag)]);
  const base = { tag, sourceDigest: sourceHead.digest };
  if (!choosing && current === sourceHead.digest) {
    return { ...base, state: 'unchanged', digest: current, manifestGets: 0, blobsTransferred: 0, blobsSkipped: 0, bytesTransferred: 0 };
  }
  // Pinned to the digest just seen, so a tag moved meanwhile cannot mix two images.
  const plan = await planCopy(deps, from.withDigest(sourceHead.digest), options);
  if (current === plan.top.digest) {
    return { ...base, state: 'unchanged', digest: current, manifestGets: plan.manifestGets, blobsTransferred: 0, blobsSkipped: 0, bytesTransferred: 0 };
  }
  if (options.dryRun === true) {
    const blobs = await blobsToMove(run, plan);
    return {
      ...base, state: 'planned', digest: plan.top.digest, manifestGets: plan.manifestGets, manifests: plan.graph.manifests.length,
      blobs, blobsTransferred: 0, blobsSkipped: 0, bytesTransferred: sum(blobs),
    };
  }
  let bytes = 0;
  const result = await executeCopy(deps, { src: from.withDigest(sourceHead.digest), dst: to }, plan, {
    ...options,
    transfers: run.transfers,
    onBlob: (b) => {
      if (b.state === 'transferred') bytes += b.size;
      options.onBlob?.(b);
      emit(run, { type: 'blob', tag, blob: b });
    },
  });
  return {
    ...base, state: 'copied', digest: result.digest, manifestGets: plan.manifestGets, manifests: result.manifests,
    blobsTransferred: result.blobsTransferred, blobsSkipped: result.blobsSkipped, bytesTransferred: bytes,
    ...(plan.rewritten ? { indexRewritten: true } : {}),
  };
}

function failed(tag: string, err: unknown): TagCopyResult {
  return {
    tag, state: 'failed', message: messageOf(err), error: err instanceof Error ? err : new Error(String(err)),
    manifestGets: 0, blobsTransferred: 0, blobsSkipped: 0, bytesTransferred: 0,
  };
}

/** Runs the tags `jobs` at a time; a failure stops new work unless `keepGoing`. */
async function runTags(run: Run, tags: readonly string[]): Promise<(TagCopyResult | undefined)[]> {
  const results: (TagCopyResult | undefined)[] = new Array<TagCopyResult | undefined>(tags.length).fill(undefined);
  let next = 0;
  const { signal, drain } = run.options;
  const aborted = (): boolean => signal?.aborted === true;
  const worker = async (): Promise<void> => {
    while (next < tags.length && !run.stopping && !aborted() && drain?.aborted !== true) {
      const index = next++;
      const tag = tags[index];
      if (tag === undefined) return;
      emit(run, { type: 'tag-start', tag });
      let result: TagCopyResult;
      try {
        result = await copyTag(run, tag);
      } catch (err) {
        if (aborted()) return;
        result = failed(tag, err);
        if (run.options.keepGoing !== true) run.stopping = true;
      }
      results[index] = result;
      emit(run, { type: 'tag', result });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(run.options.jobs ?? DEFAULT_JOBS, tags.length)) }, () => worker()));
  return results;
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
  if (options.referrers === true) {
    throw new UnsupportedError('copying referrers (signatures, SBOMs, attestations) with a repository is not available yet; copy them by digest with images.copy', {});
  }
  const source = ImageReference.from({ registry: src.registry, repository: src.repository });
  const target = ImageReference.from({ registry: dst.registry, repository: dst.repository });
  const run: Run = { deps, src: source, dst: target, options, transfers: new Map(), planned: new Set(), stopping: false };
  const selected = filter.select(await listTags(deps, source, filter, options.signal));
  emit(run, { type: 'tags', tags: selected });
  const results = await runTags(run, selected);
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
  };
}
