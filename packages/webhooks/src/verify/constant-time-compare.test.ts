import type * as NodeCrypto from 'node:crypto';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// Both verifiers must decide only through crypto.timingSafeEqual, once per accepted secret, and
// must not stop at the first match (rotation: where the matching secret sits must not show). A
// `===`, or a loop that returns on the first match, fails these tests. Timing is not measured.
const crypto = vi.hoisted(() => ({ answers: undefined as boolean[] | undefined }));
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof NodeCrypto>();
  return {
    ...actual,
    timingSafeEqual: vi.fn((a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      const answer = crypto.answers?.shift();
      return answer ?? actual.timingSafeEqual(a, b);
    }),
  };
});

const { timingSafeEqual } = await import('node:crypto');
const { Secret } = await import('@llmdevops/docker-hub-core');
const { matchesSharedSecret } = await import('./shared-secret.js');
const { signPayload, verifySignature } = await import('./signature.js');
const spy = vi.mocked(timingSafeEqual);

const secretText = fc.string({ minLength: 1, maxLength: 40 });
/** A few distinct secrets and which of them (if any) the request uses. */
const rotation = fc
  .uniqueArray(secretText, { minLength: 1, maxLength: 5 })
  .chain((secrets) =>
    fc.tuple(fc.constant(secrets), fc.option(fc.nat(secrets.length - 1), { nil: undefined })),
  );

function lengths(): number[] {
  return spy.mock.calls.flatMap(([a, b]) => [a.byteLength, b.byteLength]);
}

// Never leave a forced answer behind for another file (the mutation runner shares modules).
afterEach(() => {
  crypto.answers = undefined;
});

beforeEach(() => {
  crypto.answers = undefined;
  spy.mockClear();
});

describe('matchesSharedSecret comparison path', () => {
  it('compares the token with every secret through timingSafeEqual, 32-byte hashes on both sides, wherever the match is', () => {
    fc.assert(
      fc.property(rotation, fc.string({ maxLength: 80 }), ([texts, used], other) => {
        fc.pre(!texts.includes(other) && other !== '');
        spy.mockClear();
        const presented = used === undefined ? other : (texts[used] ?? '');
        const result = matchesSharedSecret(
          texts.map((t) => new Secret(t)),
          presented,
        );
        expect(result).toBe(used !== undefined);
        expect(spy).toHaveBeenCalledTimes(texts.length);
        // Hashed first: no length of a secret or of the token reaches the comparison.
        expect(lengths().every((n) => n === 32)).toBe(true);
      }),
    );
  });

  it('accepts exactly when some timingSafeEqual call says equal', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }), (answers) => {
        crypto.answers = [...answers];
        const secrets = answers.map((_, i) => new Secret(`secret-${i}`));
        expect(matchesSharedSecret(secrets, 'presented')).toBe(answers.includes(true));
        crypto.answers = undefined;
      }),
    );
  });
});

describe('verifySignature comparison path', () => {
  it('compares the signature with the HMAC of every secret through timingSafeEqual, wherever the match is', () => {
    fc.assert(
      fc.property(rotation, fc.uint8Array({ maxLength: 64 }), ([texts, used], body) => {
        spy.mockClear();
        const header = signPayload(
          used === undefined ? 'not-a-listed-secret' : (texts[used] ?? ''),
          body,
        );
        fc.pre(used !== undefined || !texts.includes('not-a-listed-secret'));
        const result = verifySignature(
          texts.map((t) => new Secret(t)),
          body,
          header,
        );
        expect(result).toBe(used !== undefined);
        expect(spy).toHaveBeenCalledTimes(texts.length);
        expect(lengths().every((n) => n === 32)).toBe(true);
      }),
    );
  });

  it('accepts exactly when some timingSafeEqual call says equal', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }), (answers) => {
        crypto.answers = [...answers];
        const secrets = answers.map((_, i) => new Secret(`secret-${i}`));
        expect(verifySignature(secrets, 'body', `sha256=${'0'.repeat(64)}`)).toBe(
          answers.includes(true),
        );
        crypto.answers = undefined;
      }),
    );
  });
});
