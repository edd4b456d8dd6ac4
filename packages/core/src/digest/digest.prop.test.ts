import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DigestMismatchError, SizeMismatchError } from '../errors/integrity-errors.js';
import { Digest } from './digest.js';
import { createHasher } from './hasher.js';
import { verifyBytes } from './verify.js';
import { throughStream, throughTransform } from '../../test/helpers/streams.js';

/** Splits bytes at the given cut points (sorted, deduplicated). */
function chunk(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let start = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(start, p));
    start = p;
  }
  return out;
}

const content = fc.uint8Array({ minLength: 1, maxLength: 2048 });
const algorithm = fc.constantFrom('sha256' as const, 'sha512' as const);

describe('digest properties', () => {
  it('the digest of chunks equals the digest of the whole, for any chunking', () => {
    fc.assert(
      fc.property(content, fc.array(fc.nat(), { maxLength: 10 }), algorithm, (bytes, cuts, alg) => {
        const h = createHasher(alg);
        for (const part of chunk(bytes, cuts)) h.update(part);
        expect(h.bytes).toBe(bytes.length);
        expect(h.digest().equals(Digest.fromBytes(bytes, alg))).toBe(true);
      }),
    );
  });

  it('parse(toString()) round-trips', () => {
    fc.assert(
      fc.property(content, algorithm, (bytes, alg) => {
        const d = Digest.fromBytes(bytes, alg);
        expect(Digest.parse(d.toString()).equals(d)).toBe(true);
      }),
    );
  });

  it('a digest verifies its own bytes and rejects any single flipped bit', () => {
    fc.assert(
      fc.property(content, fc.nat(), fc.integer({ min: 0, max: 7 }), (bytes, at, bit) => {
        const d = Digest.fromBytes(bytes);
        verifyBytes(bytes, d, bytes.length);
        const flipped = Uint8Array.from(bytes);
        const i = at % flipped.length;
        flipped[i] = (flipped[i] ?? 0) ^ (1 << bit);
        expect(() => {
          verifyBytes(flipped, d, bytes.length);
        }).toThrow(DigestMismatchError);
      }),
    );
  });

  it('a single flipped bit anywhere makes the Node Transform and the TransformStream fail', async () => {
    await fc.assert(
      fc.asyncProperty(
        content,
        fc.array(fc.nat(), { maxLength: 5 }),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        async (bytes, cuts, at, bit) => {
          const expected = Digest.fromBytes(bytes);
          const flipped = Uint8Array.from(bytes);
          const i = at % flipped.length;
          flipped[i] = (flipped[i] ?? 0) ^ (1 << bit);
          const parts = chunk(flipped, cuts);
          for (const run of [throughTransform, throughStream]) {
            const bad = await run(parts, { expected, size: bytes.length });
            expect(bad.error).toBeInstanceOf(DigestMismatchError);
            const ok = await run(chunk(bytes, cuts), { expected, size: bytes.length });
            expect(ok.error).toBeUndefined();
            expect(Buffer.compare(ok.out, Buffer.from(bytes))).toBe(0);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('any wrong size makes the streams fail with SizeMismatchError', async () => {
    await fc.assert(
      fc.asyncProperty(
        content,
        fc.integer({ min: -3, max: 3 }).filter((n) => n !== 0),
        async (bytes, delta) => {
          const size = Math.max(0, bytes.length + delta);
          fc.pre(size !== bytes.length);
          for (const run of [throughTransform, throughStream]) {
            const { error } = await run([bytes], { expected: Digest.fromBytes(bytes), size });
            expect(error).toBeInstanceOf(SizeMismatchError);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
