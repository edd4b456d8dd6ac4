import { describe, expect, it } from 'vitest';
import { isStrictBase64url, signJwt, verifyJwt } from './jwt.js';
import { accountId, authenticate, parseBasic } from './users.js';

describe('token service pieces', () => {
  it('signs and verifies HS256 tokens, refusing tampering and other keys', () => {
    const key = Buffer.from('k'.repeat(32));
    const claims = {
      iss: 'i',
      sub: 's',
      aud: 'a',
      exp: 2,
      nbf: 0,
      iat: 1,
      jti: 'j',
      access: [],
      use: 'access' as const,
      gen: 0,
    };
    const t = signJwt(claims, key);
    expect(verifyJwt(t, key)).toEqual(claims);
    expect(verifyJwt(t, Buffer.from('x'.repeat(32)))).toBeUndefined();
    const [h, , s] = t.split('.');
    expect(
      verifyJwt(`${h}.${Buffer.from('{"sub":"admin"}').toString('base64url')}.${s}`, key),
    ).toBeUndefined();
    expect(verifyJwt('a.b', key)).toBeUndefined();
  });

  it('authenticates passwords and access tokens; parses Basic', () => {
    const users = [{ name: 'u', password: 'p', accessTokens: ['dckr_pat_1'] }];
    expect(authenticate(users, 'u', 'p')?.name).toBe('u');
    expect(authenticate(users, 'u', 'dckr_pat_1')?.name).toBe('u');
    expect(authenticate(users, 'u', 'q')).toBeUndefined();
    expect(authenticate(users, 'v', 'p')).toBeUndefined();
    expect(parseBasic(`Basic ${Buffer.from('a:b:c').toString('base64')}`)).toEqual({
      name: 'a',
      password: 'b:c',
    });
    expect(parseBasic('Bearer x')).toBeUndefined();
    expect(accountId('u')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(accountId('u')).toBe(accountId('u'));
  });

  it('accepts only canonical base64url segments: no padding, no +/, no stray bits', () => {
    expect(isStrictBase64url(Buffer.from('any bytes!').toString('base64url'))).toBe(true);
    expect(isStrictBase64url('')).toBe(true);
    for (const bad of ['YQ==', 'YQ=', 'a+b/', 'YR', 'Y', 'Y Q', 'Y.Q'])
      expect(isStrictBase64url(bad)).toBe(false);
  });
});
