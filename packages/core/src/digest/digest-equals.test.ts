import type * as NodeCrypto from 'node:crypto';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// Digest.equals must leave the decision to crypto.timingSafeEqual over the whole hex value; a
// `===` on the strings would never call it, and these tests would fail. Timing is not measured.
const crypto = vi.hoisted(() => ({ answer: undefined as boolean | undefined }));
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof NodeCrypto>();
  return {
    ...actual,
    timingSafeEqual: vi.fn(
      (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) =>
        crypto.answer ?? actual.timingSafeEqual(a, b),
    ),
  };
});

const { timingSafeEqual } = await import('node:crypto');
const { Digest } = await import('./digest.js');
const spy = vi.mocked(timingSafeEqual);

const HEX = { sha256: 64, sha512: 128 } as const;
const algorithm = fc.constantFrom('sha256' as const, 'sha512' as const);
const hexOf = (length: number): fc.Arbitrary<string> =>
  fc.stringMatching(new RegExp(`^[0-9a-f]{${length}}$`));

/** Two digests of one algorithm: equal, random, or differing in one character (the first too). */
const pair = algorithm.chain((alg) =>
  hexOf(HEX[alg]).chain((a) =>
    fc.oneof(
      fc.constant([alg, a, a] as const),
      hexOf(HEX[alg]).map((b) => [alg, a, b] as const),
      fc.nat(HEX[alg] - 1).map((i) => {
        const flipped = a[i] === '0' ? '1' : '0';
        return [alg, a, `${a.slice(0, i)}${flipped}${a.slice(i + 1)}`] as const;
      }),
    ),
  ),
);

function text(view: NodeJS.ArrayBufferView | undefined): string {
  if (view === undefined) throw new Error('timingSafeEqual was not called');
  const v = view;
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('latin1');
}

// Never leave a forced answer behind for another file (the mutation runner shares modules).
afterEach(() => {
  crypto.answer = undefined;
});

beforeEach(() => {
  crypto.answer = undefined;
  spy.mockClear();
});

describe('Digest.equals comparison path', () => {
  it('hands the two whole hex values of one algorithm to crypto.timingSafeEqual exactly once', () => {
    fc.assert(
      fc.property(pair, fc.boolean(), ([alg, a, b], asString) => {
        spy.mockClear();
        const mine = Digest.of(alg, a);
        const result = mine.equals(asString ? `${alg}:${b}` : Digest.of(alg, b));
        expect(spy).toHaveBeenCalledTimes(1);
        const [x, y] = spy.mock.calls[0] ?? [];
        expect(text(x)).toBe(a);
        expect(text(y)).toBe(b);
        expect(result).toBe(a === b);
      }),
    );
  });

  it('returns what timingSafeEqual answers, with no comparison of its own', () => {
    fc.assert(
      fc.property(pair, fc.boolean(), ([alg, a, b], answer) => {
        crypto.answer = answer;
        expect(Digest.of(alg, a).equals(Digest.of(alg, b))).toBe(answer);
      }),
    );
  });

  it('returns false without comparing values for another algorithm or an invalid string', () => {
    crypto.answer = true;
    const d = Digest.fromBytes(new Uint8Array([1, 2, 3]));
    expect(d.equals(Digest.fromBytes(new Uint8Array([1, 2, 3]), 'sha512'))).toBe(false);
    expect(d.equals('not a digest')).toBe(false);
    expect(d.equals(`${d.toString()}0`)).toBe(false);
    expect(spy).not.toHaveBeenCalled();
  });
});
