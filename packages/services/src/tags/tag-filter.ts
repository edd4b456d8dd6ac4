import { ValidationError } from '@llmdevops/docker-hub-core';
import semver from 'semver';

/**
 * Which tags of a repository to take. Every part is optional; an empty filter takes every tag.
 * A tag is taken when it full-matches at least one `include` pattern (or there is none), matches
 * no `exclude` pattern, and satisfies `semver` (when given); `last` then keeps the newest N of
 * those.
 * @public
 */
export interface TagFilterOptions {
  /**
   * Regular expressions (JavaScript syntax, `u` flag) a tag must match in full (`^(?:...)$` is
   * implied): one pattern or a list, any of which may match.
   */
  readonly include?: string | readonly string[] | undefined;
  /** Regular expressions (matched in full) that drop a tag: one pattern or a list. */
  readonly exclude?: string | readonly string[] | undefined;
  /**
   * A node-semver range (`>=3.18 <4`, `^1.2`, `~2.0.1`, `1.x || 2.x`). Only tags that parse as
   * semantic versions (a `v` prefix is allowed: `v1.2.3`) can match; a pre-release such as
   * `1.3.0-rc.1` matches only a range naming a pre-release of the same `major.minor.patch`, as in
   * node-semver.
   */
  readonly semver?: string | undefined;
  /**
   * Keep only the N most recently pushed tags of those matching (by the time given with each
   * tag, such as Docker Hub's `last_updated`; without times, the last N in the order given).
   */
  readonly last?: number | undefined;
}

/** A tag with the time it was last pushed, when known (Docker Hub's `last_updated`). @public */
export interface TagWithTime {
  readonly name: string;
  /** When the tag was last pushed (a `Date` or an ISO 8601 string). */
  readonly lastUpdated?: Date | string | undefined;
}

/**
 * A compiled {@link TagFilterOptions}: patterns and range checked once, then applied to names.
 * Build one with {@link compileTagFilter}.
 * @public
 */
export interface TagFilter {
  /** The options it was compiled from. */
  readonly options: TagFilterOptions;
  /**
   * Whether one tag passes `include`, `exclude` and `semver` (`last` needs the whole list: see
   * {@link TagFilter.select}).
   * @param tag - the tag name
   * @returns true when taken
   */
  matches(tag: string): boolean;
  /**
   * The tags taken from a repository's list: those that {@link TagFilter.matches}, then the newest
   * `last` of them. The result keeps the order of `tags` (with times, the newest last).
   * @param tags - the repository's tags, names or names with push times, in the registry's order
   * @returns the names taken
   */
  select(tags: readonly (string | TagWithTime)[]): string[];
}

function asList(value: string | readonly string[] | undefined): readonly string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : value;
}

function compilePattern(pattern: string, option: 'include' | 'exclude'): RegExp {
  if (typeof pattern !== 'string') {
    throw new ValidationError('INVALID_ARGUMENT', `tag filter ${option}: a pattern must be a string`, String(pattern));
  }
  try {
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ValidationError('INVALID_ARGUMENT', `tag filter ${option}: invalid regular expression "${pattern}" (${why})`, pattern);
  }
}

function checkRange(range: string): string {
  const valid = typeof range === 'string' && range.trim() !== '' ? semver.validRange(range) : null;
  if (valid === null) {
    throw new ValidationError('INVALID_ARGUMENT', `tag filter semver: invalid semver range "${range}" (node-semver syntax, such as ">=1.2 <2" or "^3.18")`, range);
  }
  return range;
}

function checkLast(last: number): number {
  if (!Number.isSafeInteger(last) || last < 1) {
    throw new ValidationError('INVALID_ARGUMENT', `tag filter last: must be a whole number of at least 1, got ${String(last)}`, String(last));
  }
  return last;
}

function timeOf(tag: TagWithTime): number | undefined {
  if (tag.lastUpdated === undefined) return undefined;
  const t = tag.lastUpdated instanceof Date ? tag.lastUpdated.getTime() : Date.parse(tag.lastUpdated);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * Whether a tag is a semantic version (a leading `v` allowed) satisfying a node-semver range.
 * @param tag - the tag
 * @param range - a node-semver range
 * @returns true when it parses and satisfies the range
 * @public
 */
export function tagSatisfies(tag: string, range: string): boolean {
  const version = semver.parse(tag);
  return version !== null && semver.satisfies(version, range);
}

/**
 * Checks tag filter options and compiles them.
 * @param options - include/exclude patterns, semver range, last N
 * @returns the filter
 * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} (`INVALID_ARGUMENT`) naming the bad value: an invalid regular expression, an invalid semver range, or a `last` that is not a whole number of at least 1
 * @example
 * ```ts
 * const filter = compileTagFilter({ include: '3\\.\\d+', exclude: '.*-rc.*', last: 5 });
 * filter.select(await client.tags.list('library/alpine'));
 * ```
 * @public
 */
export function compileTagFilter(options: TagFilterOptions = {}): TagFilter {
  const include = asList(options.include).map((p) => compilePattern(p, 'include'));
  const exclude = asList(options.exclude).map((p) => compilePattern(p, 'exclude'));
  const range = options.semver === undefined ? undefined : checkRange(options.semver);
  const last = options.last === undefined ? undefined : checkLast(options.last);
  const matches = (tag: string): boolean =>
    (include.length === 0 || include.some((r) => r.test(tag))) &&
    !exclude.some((r) => r.test(tag)) &&
    (range === undefined || tagSatisfies(tag, range));
  const select = (tags: readonly (string | TagWithTime)[]): string[] => {
    const taken = tags
      .map((t, position) => (typeof t === 'string' ? { name: t, time: undefined, position } : { name: t.name, time: timeOf(t), position }))
      .filter((t) => matches(t.name));
    if (last === undefined) return taken.map((t) => t.name);
    // With times, order by time (tags without one count as oldest), keeping the given order on ties.
    const ordered = taken.some((t) => t.time !== undefined)
      ? [...taken].sort((a, b) => (a.time ?? -Infinity) - (b.time ?? -Infinity) || a.position - b.position)
      : taken;
    return ordered.slice(Math.max(0, ordered.length - last)).map((t) => t.name);
  };
  return { options, matches, select };
}
