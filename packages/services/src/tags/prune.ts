import { ValidationError, type ImageReference } from '@llmdevops/docker-hub-core';
import { compileTagFilter } from './tag-filter.js';

/**
 * Which tags {@link @llmdevops/docker-hub-services!TagsService.prune | prune} deletes. At least one
 * of `keepLast`, `olderThanMs`, `unpulledForMs` is needed.
 *
 * - `keepLast` alone selects every considered tag but the N most recently pushed.
 * - With `olderThanMs` (by last push) and/or `unpulledForMs` (by last pull; a tag never pulled
 *   counts from its last push), a tag is selected only when one of them matches, and never when
 *   it is among the `keepLast` newest.
 * - `include` narrows the tags considered (full-match regular expressions); a tag matching
 *   `exclude` is always kept. The `keepLast` newest are counted among the considered tags that
 *   are not excluded.
 * - A tag whose times are unknown (registries other than Docker Hub keep none) is never selected
 *   by `olderThanMs` or `unpulledForMs`, and ranks below every tag with a push time; among tags
 *   without times `keepLast` keeps the first by name (so on such registries it is a name rule).
 * @public
 */
export interface PrunePolicy {
  /** Keep the N most recently pushed tags (a whole number, 0 or more). */
  readonly keepLast?: number;
  /** Select tags last pushed longer ago than this (ms). */
  readonly olderThanMs?: number;
  /** Select tags not pulled for longer than this (ms). */
  readonly unpulledForMs?: number;
  /** Consider only tags matching one of these regular expressions (in full). */
  readonly include?: string | readonly string[];
  /** Always keep tags matching one of these regular expressions (in full). */
  readonly exclude?: string | readonly string[];
}

/** A tag as prune sees it. @public */
export interface PruneCandidate {
  readonly name: string;
  /** The manifest digest it points at, when known. */
  readonly digest?: string | undefined;
  /** When it was last pushed. */
  readonly lastPushed?: Date | undefined;
  /** When it was last pulled (Docker Hub only; undefined: never, or unknown). */
  readonly lastPulled?: Date | undefined;
}

/**
 * Why a tag is kept or deleted: `not-included` (outside `include`), `excluded`, `keep-last` (among
 * the N newest), `beyond-keep-last` (`keepLast` alone selected it), `older-than`, `unpulled-for`,
 * `no-rule-matched`, `shares-digest` (selected, but a kept tag points at the same manifest, which
 * a registry without a tag API cannot delete alone).
 * @public
 */
export type PruneRule =
  | 'not-included'
  | 'excluded'
  | 'keep-last'
  | 'beyond-keep-last'
  | 'older-than'
  | 'unpulled-for'
  | 'no-rule-matched'
  | 'shares-digest';

/** One tag in a prune plan. @public */
export interface PruneDecision extends PruneCandidate {
  /** What happens to it. */
  readonly action: 'delete' | 'keep';
  /** The rule that decided it. */
  readonly rule: PruneRule;
}

/** The plan, and what was deleted. @public */
export interface PruneResult {
  /** The repository, e.g. `docker.io/alice/app`. */
  readonly repository: string;
  /** Whether nothing was deleted on purpose (`dryRun`). */
  readonly dryRun: boolean;
  /** How deletions are made: one Hub API tag delete each, or one registry manifest delete per digest. */
  readonly via: 'hub-api' | 'registry';
  /** Every tag, newest push first, with its action and rule. */
  readonly tags: readonly PruneDecision[];
  /** Tags deleted (empty for a dry run). */
  readonly deleted: readonly string[];
}

/**
 * Checks a prune policy.
 * @param policy - the policy
 * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} without any rule, for a negative or fractional `keepLast`, a non-positive duration or a bad pattern
 * @public
 */
export function checkPrunePolicy(policy: PrunePolicy): void {
  const { keepLast, olderThanMs, unpulledForMs } = policy;
  if (keepLast === undefined && olderThanMs === undefined && unpulledForMs === undefined)
    throw new ValidationError(
      'INVALID_ARGUMENT',
      'prune needs a rule: keepLast, olderThanMs or unpulledForMs',
      '{}',
    );
  if (keepLast !== undefined && (!Number.isSafeInteger(keepLast) || keepLast < 0))
    throw new ValidationError(
      'INVALID_ARGUMENT',
      'keepLast must be a whole number, 0 or more',
      String(keepLast),
    );
  for (const [name, v] of [
    ['olderThanMs', olderThanMs],
    ['unpulledForMs', unpulledForMs],
  ] as const)
    if (v !== undefined && (!Number.isFinite(v) || v <= 0))
      throw new ValidationError(
        'INVALID_ARGUMENT',
        `${name} must be a positive number of milliseconds`,
        String(v),
      );
  compileTagFilter({ include: policy.include, exclude: policy.exclude });
}

const time = (d: Date | undefined): number | undefined => {
  const t = d?.getTime();
  return t === undefined || !Number.isFinite(t) ? undefined : t;
};

/** Newest push first; unknown times last; ties by name. */
function byPush(a: PruneCandidate, b: PruneCandidate): number {
  const x = time(a.lastPushed);
  const y = time(b.lastPushed);
  if (x !== y) {
    if (x === undefined) return 1;
    if (y === undefined) return -1;
    return y - x;
  }
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Decides, for every tag, whether the policy deletes or keeps it (pure; no I/O).
 * @param tags - the repository's tags with digests and times
 * @param policy - the rules
 * @param now - the current time (ms)
 * @returns every tag, newest push first, with its action and the rule that decided it
 * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} for a bad policy (see {@link checkPrunePolicy})
 * @public
 */
export function planPrune(
  tags: readonly PruneCandidate[],
  policy: PrunePolicy,
  now: number,
): PruneDecision[] {
  checkPrunePolicy(policy);
  const include = compileTagFilter({ include: policy.include });
  const exclude = compileTagFilter({ exclude: policy.exclude });
  const ordered = [...tags].sort(byPush);
  const considered = ordered.filter((t) => include.matches(t.name));
  const eligible = considered.filter((t) => exclude.matches(t.name));
  const newest = new Set(eligible.slice(0, policy.keepLast ?? 0).map((t) => t.name));
  const timeRules = policy.olderThanMs !== undefined || policy.unpulledForMs !== undefined;
  return ordered.map((t): PruneDecision => {
    const keep = (rule: PruneRule): PruneDecision => ({ ...t, action: 'keep', rule });
    const drop = (rule: PruneRule): PruneDecision => ({ ...t, action: 'delete', rule });
    if (!include.matches(t.name)) return keep('not-included');
    if (!exclude.matches(t.name)) return keep('excluded');
    if (newest.has(t.name)) return keep('keep-last');
    if (!timeRules) return drop('beyond-keep-last');
    const pushed = time(t.lastPushed);
    if (
      policy.olderThanMs !== undefined &&
      pushed !== undefined &&
      now - pushed > policy.olderThanMs
    )
      return drop('older-than');
    const pulled = time(t.lastPulled) ?? pushed;
    if (
      policy.unpulledForMs !== undefined &&
      pulled !== undefined &&
      now - pulled > policy.unpulledForMs
    )
      return drop('unpulled-for');
    return keep('no-rule-matched');
  });
}

/**
 * On a registry without a tag API, a selected tag is deleted through its manifest, which would
 * take every other tag on that digest with it: such a tag is kept when a kept tag shares it.
 * @param plan - the plan of {@link planPrune}
 * @returns the plan with those tags kept (`shares-digest`)
 * @public
 */
export function keepSharedDigests(plan: readonly PruneDecision[]): PruneDecision[] {
  const kept = new Set(
    plan.filter((t) => t.action === 'keep' && t.digest !== undefined).map((t) => t.digest),
  );
  return plan.map((t) =>
    t.action === 'delete' && (t.digest === undefined || kept.has(t.digest))
      ? { ...t, action: 'keep', rule: 'shares-digest' }
      : t,
  );
}

/** What {@link pruneTags} needs from the client. @internal */
export interface PruneDeps {
  /** Whether tag deletes go through the Hub API. */
  readonly usesHubApi: boolean;
  /** The tags with digests and times. */
  readonly candidates: () => Promise<PruneCandidate[]>;
  /** Deletes one tag through the Hub API. */
  readonly deleteHubTag: (tag: string) => Promise<void>;
  /** Deletes one manifest by digest on the registry. */
  readonly deleteManifest: (digest: string) => Promise<void>;
  /** The current time (ms). */
  readonly now: () => number;
}

/**
 * Plans and (unless `dryRun`) carries out a prune.
 * @param ref - the repository
 * @param policy - the rules
 * @param dryRun - plan only
 * @param deps - listing, deleting, clock
 * @returns the plan and what was deleted
 * @internal
 */
export async function pruneTags(
  ref: ImageReference,
  policy: PrunePolicy,
  dryRun: boolean,
  deps: PruneDeps,
): Promise<PruneResult> {
  checkPrunePolicy(policy);
  const planned = planPrune(await deps.candidates(), policy, deps.now());
  const tags = deps.usesHubApi ? planned : keepSharedDigests(planned);
  const via = deps.usesHubApi ? 'hub-api' : 'registry';
  const repository = `${ref.registry}/${ref.repository}`;
  if (dryRun) return { repository, dryRun, via, tags, deleted: [] };
  const deleted: string[] = [];
  const digestsDone = new Set<string>();
  for (const t of tags) {
    if (t.action !== 'delete') continue;
    if (deps.usesHubApi) await deps.deleteHubTag(t.name);
    else if (t.digest !== undefined && !digestsDone.has(t.digest)) {
      digestsDone.add(t.digest);
      await deps.deleteManifest(t.digest);
    }
    deleted.push(t.name);
  }
  return { repository, dryRun, via, tags, deleted };
}
