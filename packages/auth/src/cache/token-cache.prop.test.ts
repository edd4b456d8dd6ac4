import { Secret } from '@llmdevops/docker-hub-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pullScope, pushScope } from '@llmdevops/docker-hub-core';
import { type RegistryToken } from '../token/token-response.js';
import { TokenCache, type TokenCacheKey } from './token-cache.js';

function token(expiresAt: number, scopes = [pullScope('a')]): RegistryToken {
  return {
    token: new Secret('t'),
    issuedAt: expiresAt - 60_000,
    expiresAt,
    refreshToken: undefined,
    scopes,
  };
}

const key: TokenCacheKey = {
  realm: 'https://auth/token',
  service: 'svc',
  account: '',
  scopes: [pullScope('a')],
};

describe('TokenCache freshness (properties)', () => {
  it('returns a stored token exactly while now < expiresAt - refreshMargin', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 600_000 }),
        fc.integer({ min: -600_000, max: 600_000 }),
        fc.integer({ min: 0, max: 1_200_000 }),
        (margin, lifetime, elapsed) => {
          let now = 1_000_000_000;
          const cache = new TokenCache({ clock: { now: () => now }, refreshMarginMs: margin });
          const t = token(now + lifetime);
          cache.set(key, t);
          now += elapsed;
          const fresh = now < t.expiresAt - margin;
          expect(cache.isFresh(t)).toBe(fresh);
          expect(cache.get(key)).toBe(fresh ? t : undefined);
          expect(cache.size).toBe(1);
        },
      ),
    );
  });

  it('serves a narrower scope set from a fresh token whose scopes cover it, never a wider one', () => {
    fc.assert(
      fc.property(fc.constantFrom('a', 'b', 'team/app'), (repo) => {
        const cache = new TokenCache({ clock: { now: () => 0 } });
        const wide = token(3_600_000, [pushScope(repo)]);
        cache.set({ ...key, scopes: [pushScope(repo)] }, wide);
        expect(cache.get({ ...key, scopes: [pullScope(repo)] })).toBe(wide);
        expect(cache.get({ ...key, scopes: [pullScope(`${repo}x`)] })).toBeUndefined();
        expect(
          cache.get({ ...key, account: 'someone', scopes: [pullScope(repo)] }),
        ).toBeUndefined();
      }),
    );
  });
});

describe('TokenCache defaults', () => {
  it('uses the system clock and a 10 s refresh margin when given no options', () => {
    const cache = new TokenCache();
    // Far from the boundaries in both directions, so the real clock cannot make this flaky.
    expect(cache.isFresh(token(Date.now() + 3_600_000))).toBe(true);
    expect(cache.isFresh(token(Date.now() + 5_000))).toBe(false);
    expect(cache.isFresh(token(Date.now() - 1))).toBe(false);
  });
});
