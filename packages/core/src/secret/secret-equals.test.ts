import type * as NodeCrypto from 'node:crypto';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// The comparison path is proven by watching it: every byte comparison must be made by
// crypto.timingSafeEqual. A plain `===` (or any loop that stops at the first difference) would
// never call it, and then these tests fail. Timing itself is not measured (no timing assertions in
// unit tests); what is proven is that the decision is timingSafeEqual's alone.
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
const { Secret } = await import('./secret.js');
const spy = vi.mocked(timingSafeEqual);

/** Two byte arrays of the same length (equal, or differing anywhere, the first byte included). */
const sameLength = fc.uint8Array({ minLength: 1, maxLength: 64 }).chain((a) =>
  fc.oneof(
    fc.constant([a, Uint8Array.from(a)] as const),
    fc.uint8Array({ minLength: a.length, maxLength: a.length }).map((b) => [a, b] as const),
    fc.nat(a.length - 1).map((i) => {
      const b = Uint8Array.from(a);
      b[i] = (b[i] ?? 0) ^ 0xff;
      return [a, b] as const;
    }),
  ),
);

function bytesOf(view: NodeJS.ArrayBufferView | undefined): number[] {
  if (view === undefined) throw new Error('timingSafeEqual was not called');
  const v = view;
  return [...new Uint8Array(v.buffer, v.byteOffset, v.byteLength)];
}

// Never leave a forced answer behind for another file (the mutation runner shares modules).
afterEach(() => {
  crypto.answer = undefined;
});

beforeEach(() => {
  crypto.answer = undefined;
  spy.mockClear();
});

describe('Secret.equals comparison path', () => {
  it('hands every equal-length pair, whole, to crypto.timingSafeEqual exactly once', () => {
    fc.assert(
      fc.property(sameLength, fc.boolean(), ([rawA, rawB], asText) => {
        spy.mockClear();
        // As text, the other side is a string: keep both ASCII so its UTF-8 bytes are b's bytes.
        const [a, b] = asText
          ? [rawA.map((x) => x & 0x7f), rawB.map((x) => x & 0x7f)]
          : [rawA, rawB];
        const mine = new Secret(a);
        const result = asText
          ? mine.equals(Buffer.from(b).toString('latin1'))
          : mine.equals(new Secret(b));
        expect(spy).toHaveBeenCalledTimes(1);
        const [x, y] = spy.mock.calls[0] ?? [];
        expect(bytesOf(x)).toEqual([...a]);
        expect(bytesOf(y)).toEqual([...b]);
        expect(result).toBe(Buffer.from(a).equals(Buffer.from(b)));
      }),
    );
  });

  it('returns what timingSafeEqual answers, with no comparison of its own before or after', () => {
    fc.assert(
      fc.property(sameLength, fc.boolean(), ([a, b], answer) => {
        crypto.answer = answer;
        expect(new Secret(a).equals(new Secret(b))).toBe(answer);
      }),
    );
  });

  it('returns false without comparing bytes when the lengths differ (the length is not hidden)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 32 }), fc.uint8Array({ maxLength: 32 }), (a, b) => {
        fc.pre(a.length !== b.length);
        spy.mockClear();
        crypto.answer = true;
        expect(new Secret(a).equals(new Secret(b))).toBe(false);
        expect(spy).not.toHaveBeenCalled();
      }),
    );
  });

  it('returns false without comparing when either side was disposed', () => {
    crypto.answer = true;
    const gone = new Secret('ab');
    gone.dispose();
    expect(new Secret('ab').equals(gone)).toBe(false);
    expect(gone.equals('ab')).toBe(false);
    expect(gone.equals(new Secret('ab'))).toBe(false);
    expect(spy).not.toHaveBeenCalled();
  });
});
