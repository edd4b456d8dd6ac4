import { describe, expect, it } from 'vitest';
import { readJwtExpiry } from './jwt.js';

const enc = (text: string): string => Buffer.from(text).toString('base64url');
const header = enc('{"alg":"HS256"}');

// Each case would give an expiry if the check that refuses it were missing: the payload itself
// is valid JSON with a numeric exp, so only the rule under test makes the answer undefined.
describe('readJwtExpiry edge cases', () => {
  it('refuses a token with more than three parts even when its payload has an exp', () => {
    expect(readJwtExpiry(`${header}.${enc('{"exp":1700000000}')}.sig.extra`)).toBeUndefined();
    expect(readJwtExpiry(`${header}.${enc('{"exp":1700000000}')}.sig`)).toBe(1_700_000_000_000);
  });

  it('refuses an exp that is zero, negative or not finite (1e999 parses to Infinity)', () => {
    for (const exp of ['0', '-5', '1e999', '-1e999']) {
      expect(readJwtExpiry(`${header}.${enc(`{"exp":${exp}}`)}.sig`)).toBeUndefined();
    }
    expect(readJwtExpiry(`${header}.${enc('{"exp":0.5}')}.sig`)).toBe(500);
  });
});
