import { ValidationError } from '@llmdevops/docker-hub-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileTagFilter, tagSatisfies } from './tag-filter.js';

const TAGS = ['latest', '3.18', '3.18.4', '3.19.0', '3.19.1', 'v3.20.0', '3.20.0-rc.1', '4.0.0', 'edge', '3.19.1-slim'];

describe('compileTagFilter', () => {
  it('takes every tag when empty', () => {
    expect(compileTagFilter().select(TAGS)).toEqual(TAGS);
  });

  it('include patterns match the whole tag, any of a list', () => {
    const f = compileTagFilter({ include: ['3\\.19\\.\\d+', 'edge'] });
    expect(f.select(TAGS)).toEqual(['3.19.0', '3.19.1', 'edge']);
    // "3.19.1-slim" contains a match but is not one in full
    expect(f.matches('3.19.1-slim')).toBe(false);
  });

  it('exclude drops what include took', () => {
    const f = compileTagFilter({ include: '3\\..*', exclude: ['.*-rc.*', '.*-slim'] });
    expect(f.select(TAGS)).toEqual(['3.18', '3.18.4', '3.19.0', '3.19.1']);
  });

  it('semver ranges follow node-semver: v prefix parses, two-part tags do not, pre-releases need a range naming one', () => {
    expect(compileTagFilter({ semver: '>=3.19 <4' }).select(TAGS)).toEqual(['3.19.0', '3.19.1', 'v3.20.0']);
    expect(compileTagFilter({ semver: '>=3.20.0-rc.0 <4' }).select(TAGS)).toEqual(['v3.20.0', '3.20.0-rc.1']);
    expect(compileTagFilter({ semver: '^3.18.0 || 4.x' }).select(TAGS)).toEqual(['3.18.4', '3.19.0', '3.19.1', 'v3.20.0', '4.0.0']);
    expect(tagSatisfies('3.18', '>=3')).toBe(false);
    expect(tagSatisfies('latest', '*')).toBe(false);
  });

  it('last N keeps the last N in list order without times', () => {
    expect(compileTagFilter({ include: '3\\..*', last: 2 }).select(TAGS)).toEqual(['3.20.0-rc.1', '3.19.1-slim']);
  });

  it('last N keeps the N most recently pushed with times, newest last', () => {
    const tags = [
      { name: 'a', lastUpdated: '2026-01-03T00:00:00Z' },
      { name: 'b', lastUpdated: '2026-01-01T00:00:00Z' },
      { name: 'c', lastUpdated: new Date('2026-01-05T00:00:00Z') },
      { name: 'd' },
    ];
    expect(compileTagFilter({ last: 2 }).select(tags)).toEqual(['a', 'c']);
    expect(compileTagFilter({ last: 10 }).select(tags)).toEqual(['d', 'b', 'a', 'c']);
  });

  it.each([
    [{ include: '(' }, '('],
    [{ exclude: ['ok', '[z-a]'] }, '[z-a]'],
    [{ semver: '>=banana' }, '>=banana'],
    [{ semver: '' }, ''],
    [{ last: 0 }, '0'],
    [{ last: 1.5 }, '1.5'],
  ])('rejects %o with a ValidationError naming the value', (options, bad) => {
    let caught: unknown;
    try {
      compileTagFilter(options);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).code).toBe('INVALID_ARGUMENT');
    expect((caught as ValidationError).input).toBe(bad);
    expect((caught as ValidationError).message).toContain(bad === '' ? 'semver' : bad);
  });

  it('property: the selection is an ordered subsequence of the input, of at most last N, each passing matches()', () => {
    const tag = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,8}$/);
    fc.assert(
      fc.property(fc.array(tag, { maxLength: 30 }), fc.integer({ min: 1, max: 40 }), (tags, last) => {
        const f = compileTagFilter({ include: '[a-m].*', exclude: '.*9', last });
        const out = f.select(tags);
        expect(out.length).toBeLessThanOrEqual(last);
        expect(out.every((t) => f.matches(t))).toBe(true);
        const passing = tags.filter((t) => f.matches(t));
        expect(out).toEqual(passing.slice(Math.max(0, passing.length - last)));
      }),
    );
  });
});
