import { describe, expect, it } from 'vitest';
import { readJwtExpiry } from './jwt.js';

function jwt(claims: unknown): string {
  const enc = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${enc({ alg: 'HS256' })}.${enc(claims)}.sig`;
}

describe('readJwtExpiry', () => {
  it('reads exp in milliseconds', () => {
    expect(readJwtExpiry(jwt({ exp: 1_700_000_000 }))).toBe(1_700_000_000_000);
  });

  it.each([
    ['no exp', jwt({ sub: 'x' })],
    ['string exp', jwt({ exp: '1700000000' })],
    ['negative exp', jwt({ exp: -1 })],
    ['non-object claims', jwt(5)],
    ['null claims', jwt(null)],
    ['two parts', 'a.b'],
    ['empty payload', 'a..c'],
    ['not base64 JSON', 'a.!!!.c'],
    ['plain text', 'opaque-token'],
  ])('returns undefined for %s', (_label, value) => {
    expect(readJwtExpiry(value)).toBeUndefined();
  });
});
