import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Secret } from '@llmdevops/docker-hub-core';
import { signPayload, verifySignature } from './signature.js';

const secretText = fc.string({ minLength: 1, maxLength: 64 });
const body = fc.uint8Array({ minLength: 1, maxLength: 512 });

describe('signPayload / verifySignature properties', () => {
  it('verify accepts the signature it produced, for bytes and for text', () => {
    fc.assert(
      fc.property(secretText, body, fc.string(), (s, bytes, text) => {
        const secret = new Secret(s);
        expect(verifySignature([secret], bytes, signPayload(secret, bytes))).toBe(true);
        expect(verifySignature([secret], text, signPayload(s, text))).toBe(true);
        expect(signPayload(s, bytes)).toMatch(/^sha256=[0-9a-f]{64}$/);
      }),
    );
  });

  it('verify rejects any single-byte mutation of the body', () => {
    fc.assert(
      fc.property(
        secretText,
        body,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (s, bytes, at, delta) => {
          const secret = new Secret(s);
          const header = signPayload(secret, bytes);
          const mutated = Uint8Array.from(bytes);
          const i = at % mutated.length;
          mutated[i] = (mutated[i]! + delta) % 256;
          expect(verifySignature([secret], mutated, header)).toBe(false);
        },
      ),
    );
  });

  it('verify rejects any single-character mutation of the signature and any other secret', () => {
    fc.assert(
      fc.property(secretText, secretText, body, fc.nat(), (s, other, bytes, at) => {
        fc.pre(s !== other);
        const header = signPayload(s, bytes);
        const i = 'sha256='.length + (at % 64);
        const flipped = header[i] === '0' ? '1' : '0';
        const mutated = `${header.slice(0, i)}${flipped}${header.slice(i + 1)}`;
        expect(verifySignature([new Secret(s)], bytes, mutated)).toBe(false);
        expect(verifySignature([new Secret(other)], bytes, header)).toBe(false);
      }),
    );
  });

  it('accepts any of several secrets (rotation) and refuses malformed headers', () => {
    const [a, b] = [new Secret('old'), new Secret('new')];
    expect(verifySignature([a, b], 'x', signPayload('new', 'x'))).toBe(true);
    expect(verifySignature([a, b], 'x', undefined)).toBe(false);
    expect(verifySignature([a, b], 'x', 'sha1=abcd')).toBe(false);
    expect(verifySignature([a, b], 'x', `${signPayload('new', 'x')}00`)).toBe(false);
    b.dispose();
    expect(verifySignature([a, b], 'x', signPayload('new', 'x'))).toBe(false);
  });
});
