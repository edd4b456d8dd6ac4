import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { backoffCeiling, backoffDelay } from './exponential-jitter.js';

const options = fc.record({
  baseMs: fc.integer({ min: 0, max: 100_000 }),
  capMs: fc.integer({ min: 0, max: 1_000_000 }),
});

describe('backoff', () => {
  test.prop([fc.integer({ min: -5, max: 10_000 }), options, fc.double({ min: 0, max: 1, noNaN: true })])(
    'full jitter stays within [0, ceiling] and the ceiling within [0, cap]',
    (attempt, opts, r) => {
      const ceiling = backoffCeiling(attempt, opts);
      const delay = backoffDelay(attempt, { ...opts, random: () => r });
      expect(ceiling).toBeGreaterThanOrEqual(0);
      expect(ceiling).toBeLessThanOrEqual(opts.capMs);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(ceiling);
      expect(Number.isInteger(delay)).toBe(true);
    },
  );

  test.prop([fc.integer({ min: 1, max: 60 }), options])('ceilings never shrink as attempts grow', (attempt, opts) => {
    expect(backoffCeiling(attempt + 1, opts)).toBeGreaterThanOrEqual(backoffCeiling(attempt, opts));
  });

  test.prop([fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 1000 })])('ceiling is base * 2^(attempt-1) below the cap', (attempt, base) => {
    expect(backoffCeiling(attempt, { baseMs: base, capMs: Number.MAX_SAFE_INTEGER })).toBe(base * 2 ** (attempt - 1));
  });

  test.prop([fc.constantFrom(Number.NaN, Infinity, -1, 2)])('a broken random source still gives a bounded delay', (r) => {
    const d = backoffDelay(3, { baseMs: 100, capMs: 1000, random: () => r });
    expect(d).toBeGreaterThanOrEqual(0);
    expect(d).toBeLessThanOrEqual(400);
  });
});
