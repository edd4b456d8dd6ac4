import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { keepSharedDigests, planPrune, type PruneCandidate, type PrunePolicy } from './prune.js';

const DAY = 86_400_000;
const NOW = 1_800_000_000_000;

/**
 * The selection rules written as plainly as possible, as a set of names to delete: the model the
 * implementation is checked against. Ranks by push time with explicit loops, no shared helpers.
 */
function modelDeletes(tags: readonly PruneCandidate[], policy: PrunePolicy): Set<string> {
  const included = (name: string): boolean =>
    policy.include === undefined ||
    [policy.include].flat().some((p) => new RegExp(`^(?:${p})$`, 'u').test(name));
  const excluded = (name: string): boolean =>
    policy.exclude !== undefined &&
    [policy.exclude].flat().some((p) => new RegExp(`^(?:${p})$`, 'u').test(name));
  const eligible = tags.filter((t) => included(t.name) && !excluded(t.name));
  // The N newest: repeatedly take the newest remaining (unknown times count as oldest, ties by name).
  const newest = new Set<string>();
  const pool = [...eligible];
  for (let i = 0; i < (policy.keepLast ?? 0) && pool.length > 0; i++) {
    let best = 0;
    for (let j = 1; j < pool.length; j++) {
      const a = pool[j]?.lastPushed?.getTime() ?? -Infinity;
      const b = pool[best]?.lastPushed?.getTime() ?? -Infinity;
      if (a > b || (a === b && (pool[j]?.name ?? '') < (pool[best]?.name ?? ''))) best = j;
    }
    newest.add(pool[best]?.name ?? '');
    pool.splice(best, 1);
  }
  const out = new Set<string>();
  for (const t of eligible) {
    if (newest.has(t.name)) continue;
    if (policy.olderThanMs === undefined && policy.unpulledForMs === undefined) {
      out.add(t.name);
      continue;
    }
    const pushedAge = t.lastPushed === undefined ? undefined : NOW - t.lastPushed.getTime();
    const pulledAge = t.lastPulled !== undefined ? NOW - t.lastPulled.getTime() : pushedAge;
    const old =
      policy.olderThanMs !== undefined && pushedAge !== undefined && pushedAge > policy.olderThanMs;
    const unpulled =
      policy.unpulledForMs !== undefined &&
      pulledAge !== undefined &&
      pulledAge > policy.unpulledForMs;
    if (old || unpulled) out.add(t.name);
  }
  return out;
}

const date = fc.option(
  fc.integer({ min: 0, max: 200 }).map((d) => new Date(NOW - d * DAY)),
  { nil: undefined },
);
const tagsArb = fc
  .uniqueArray(
    fc.constantFrom(
      'latest',
      'v1',
      'v2',
      'v3',
      'v1.1',
      'v2.0',
      'dev',
      'rc1',
      'rc2',
      'edge',
      'main',
      'x',
    ),
    {
      minLength: 0,
      maxLength: 12,
    },
  )
  .chain((names) =>
    fc.tuple(
      ...names.map((name) =>
        fc.record({
          name: fc.constant(name),
          lastPushed: date,
          lastPulled: date,
          digest: fc.constantFrom('sha256:a', 'sha256:b', 'sha256:c', undefined),
        }),
      ),
    ),
  );
const pattern = fc.option(fc.constantFrom('v.*', 'rc\\d', 'latest', 'v1|dev', '.*'), {
  nil: undefined,
});
const policyArb: fc.Arbitrary<PrunePolicy> = fc
  .record({
    keepLast: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
    olderThanMs: fc.option(
      fc.integer({ min: 1, max: 150 }).map((d) => d * DAY),
      { nil: undefined },
    ),
    unpulledForMs: fc.option(
      fc.integer({ min: 1, max: 150 }).map((d) => d * DAY),
      { nil: undefined },
    ),
    include: pattern,
    exclude: pattern,
  })
  .filter(
    (p) => p.keepLast !== undefined || p.olderThanMs !== undefined || p.unpulledForMs !== undefined,
  )
  .map(
    (p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as PrunePolicy,
  );

describe('planPrune against a model of the rules', () => {
  test.prop([tagsArb, policyArb], { numRuns: 400 })(
    'deletes exactly the tags the model selects',
    (tags, policy) => {
      const plan = planPrune(tags, policy, NOW);
      const deleted = new Set(plan.filter((t) => t.action === 'delete').map((t) => t.name));
      expect(deleted).toEqual(modelDeletes(tags, policy));
      // Every tag appears once, with a rule that fits its action.
      expect(plan.map((t) => t.name).sort()).toEqual(tags.map((t) => t.name).sort());
      for (const t of plan)
        expect(t.action === 'delete').toBe(
          ['beyond-keep-last', 'older-than', 'unpulled-for'].includes(t.rule),
        );
    },
  );

  test.prop([tagsArb, policyArb])(
    'never deletes an excluded tag, a tag outside include, or one of the keep-last newest',
    (tags, policy) => {
      const plan = planPrune(tags, policy, NOW);
      const keepLast = policy.keepLast ?? 0;
      const kept = plan.filter((t) => t.rule === 'keep-last');
      expect(kept.length).toBeLessThanOrEqual(keepLast);
      for (const t of plan) {
        if (t.rule === 'excluded' || t.rule === 'not-included' || t.rule === 'keep-last')
          expect(t.action).toBe('keep');
      }
    },
  );

  test.prop([tagsArb, policyArb])(
    'on a registry, never deletes a digest that a kept tag still uses',
    (tags, policy) => {
      const plan = keepSharedDigests(planPrune(tags, policy, NOW));
      const keptDigests = new Set(plan.filter((t) => t.action === 'keep').map((t) => t.digest));
      for (const t of plan.filter((x) => x.action === 'delete')) {
        expect(t.digest).toBeDefined();
        expect(keptDigests.has(t.digest)).toBe(false);
      }
    },
  );

  it('refuses a policy without a rule, a negative or fractional keepLast and a bad pattern', () => {
    expect(() => planPrune([], {}, NOW)).toThrow('prune needs a rule');
    expect(() => planPrune([], { keepLast: -1 }, NOW)).toThrow('keepLast must be a whole number');
    expect(() => planPrune([], { keepLast: 1.5 }, NOW)).toThrow('keepLast must be a whole number');
    expect(() => planPrune([], { olderThanMs: 0 }, NOW)).toThrow(
      'olderThanMs must be a positive number',
    );
    expect(() => planPrune([], { keepLast: 1, include: '(' }, NOW)).toThrow(
      'invalid regular expression',
    );
  });

  it('keeps a tag whose times are unknown under the time rules, and counts a never-pulled tag from its push', () => {
    const plan = planPrune(
      [
        { name: 'unknown' },
        { name: 'never-pulled-old', lastPushed: new Date(NOW - 100 * DAY) },
        { name: 'never-pulled-new', lastPushed: new Date(NOW - 10 * DAY) },
      ],
      { unpulledForMs: 30 * DAY },
      NOW,
    );
    expect(plan.map((t) => `${t.name}:${t.action}:${t.rule}`)).toEqual([
      'never-pulled-new:keep:no-rule-matched',
      'never-pulled-old:delete:unpulled-for',
      'unknown:keep:no-rule-matched',
    ]);
  });
});
