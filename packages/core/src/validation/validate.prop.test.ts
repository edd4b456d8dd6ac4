import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidNamespace, isValidRepositoryName, isValidTag } from './validate.js';

// The specification's regexes, used as oracles.
const TAG = /^[\w][\w.-]{0,127}$/;
const PATH =
  /^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*)*$/;
const NAMESPACE = /^[a-z0-9]{4,30}$/;

const text = (alphabet: string, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...Array.from(alphabet)), maxLength });

describe('validation agrees with the grammar', () => {
  it('tags', () => {
    fc.assert(
      fc.property(fc.oneof(text('aZ9_.-:/ ', 10), text('a_', 130)), (tag) => {
        expect(isValidTag(tag)).toBe(TAG.test(tag));
      }),
      { numRuns: 2000 },
    );
  });

  it('repository names', () => {
    fc.assert(
      fc.property(fc.oneof(text('ab1._-/A:', 12), text('a/', 260)), (name) => {
        expect(isValidRepositoryName(name)).toBe(PATH.test(name) && name.length <= 255);
      }),
      { numRuns: 3000 },
    );
  });

  it('namespaces', () => {
    fc.assert(
      fc.property(text('ab1A-_.', 34), (ns) => {
        expect(isValidNamespace(ns)).toBe(NAMESPACE.test(ns));
      }),
      { numRuns: 1000 },
    );
  });
});
