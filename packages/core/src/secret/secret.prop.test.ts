import fc from 'fast-check';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Secret } from './secret.js';

describe('Secret properties', () => {
  it('no rendering contains the value', () => {
    // What the renderings print in place of any value; a value that is part of it proves nothing.
    const redacted = `${JSON.stringify({ s: '[REDACTED]' })} ${inspect({ s: new Secret('') })}`;
    const value = fc.string({ minLength: 4 }).filter((v) => !redacted.includes(v));
    fc.assert(
      fc.property(value, (v) => {
        const s = new Secret(v);
        // eslint-disable-next-line @typescript-eslint/restrict-template-expressions -- coercion is what is tested
        const coerced = `${s}`;
        for (const text of [
          JSON.stringify({ s }),
          inspect({ s }, { depth: 5 }),
          String(s),
          coerced,
        ]) {
          expect(text.includes(v)).toBe(false);
        }
        expect(s.reveal()).toBe(v);
      }),
    );
  });

  it('dispose leaves nothing to reveal', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1 }), (bytes) => {
        const s = new Secret(bytes);
        expect(s.byteLength).toBe(bytes.length);
        s[Symbol.dispose]();
        expect(s.byteLength).toBe(0);
        expect(() => s.reveal()).toThrow();
      }),
    );
  });
});
