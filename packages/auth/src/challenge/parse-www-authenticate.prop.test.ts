import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWwwAuthenticate } from './parse-www-authenticate.js';

const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,10}$/);
const value = fc.string({ maxLength: 30 });

function quote(v: string): string {
  return `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

describe('parseWwwAuthenticate properties', () => {
  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(fc.string())), (input) => {
        expect(Array.isArray(parseWwwAuthenticate(input))).toBe(true);
      }),
    );
  });

  it('reads back any generated list of challenges', () => {
    const challenge = fc.record({
      scheme: token,
      params: fc.uniqueArray(fc.tuple(token, value), {
        selector: ([k]) => k.toLowerCase(),
        minLength: 1,
        maxLength: 4,
      }),
    });
    fc.assert(
      fc.property(fc.array(challenge, { minLength: 1, maxLength: 3 }), (challenges) => {
        const header = challenges
          .map((c) => `${c.scheme} ${c.params.map(([k, v]) => `${k}=${quote(v)}`).join(', ')}`)
          .join(', ');
        const parsed = parseWwwAuthenticate(header);
        expect(parsed).toEqual(
          challenges.map((c) => ({
            scheme: c.scheme.toLowerCase(),
            params: Object.fromEntries(c.params.map(([k, v]) => [k.toLowerCase(), v])),
          })),
        );
      }),
    );
  });
});
