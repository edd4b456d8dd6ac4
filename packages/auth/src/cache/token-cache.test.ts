import { Secret } from '@llmdevops/docker-hub-core';
import { describe, expect, it, vi } from 'vitest';
import { pullScope, pushScope } from '@llmdevops/docker-hub-core';
import { type RegistryToken } from '../token/token-response.js';
import { TokenCache, type TokenCacheKey } from './token-cache.js';

function makeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

function token(value: string, expiresAt: number, scopes = [pullScope('a')]): RegistryToken {
  return {
    token: new Secret(value),
    issuedAt: expiresAt - 60_000,
    expiresAt,
    refreshToken: new Secret(`${value}-r`),
    scopes,
  };
}

const key: TokenCacheKey = {
  realm: 'https://auth/token',
  service: 'svc',
  account: 'alice',
  scopes: [pullScope('a')],
};

describe('TokenCache', () => {
  it('reuses a token until the safety margin before expiry', async () => {
    const clock = makeClock();
    const cache = new TokenCache({ clock, refreshMarginMs: 5_000 });
    const fetch = vi.fn(async () => token(`t${fetch.mock.calls.length}`, clock.now() + 60_000));
    const a = await cache.getOrFetch(key, fetch);
    clock.advance(54_000);
    expect(await cache.getOrFetch(key, fetch)).toBe(a);
    clock.advance(1_000); // 5 s before expiry: inside the margin
    const b = await cache.getOrFetch(key, fetch);
    expect(b).not.toBe(a);
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(cache.isFresh(b)).toBe(true);
  });

  it('keys by realm, service, account and sorted scope set', async () => {
    const clock = makeClock();
    const cache = new TokenCache({ clock });
    const fetch = vi.fn(async () => token('t', clock.now() + 60_000, []));
    await cache.getOrFetch({ ...key, scopes: [pullScope('a'), pullScope('b')] }, fetch);
    await cache.getOrFetch({ ...key, scopes: [pullScope('b'), pullScope('a')] }, fetch);
    expect(fetch).toHaveBeenCalledTimes(1);
    await cache.getOrFetch(
      { ...key, account: 'bob', scopes: [pullScope('a'), pullScope('b')] },
      fetch,
    );
    await cache.getOrFetch(
      { ...key, service: 'other', scopes: [pullScope('a'), pullScope('b')] },
      fetch,
    );
    await cache.getOrFetch(
      { ...key, realm: 'https://other/token', scopes: [pullScope('a'), pullScope('b')] },
      fetch,
    );
    expect(fetch).toHaveBeenCalledTimes(4);
    expect(cache.size).toBe(4);
  });

  it('reuses a token whose scopes cover the request', async () => {
    const clock = makeClock();
    const cache = new TokenCache({ clock });
    const wide = token('wide', clock.now() + 60_000, [pushScope('a')]);
    cache.set({ ...key, scopes: [pushScope('a')] }, wide);
    expect(cache.get(key)).toBe(wide);
    expect(cache.get({ ...key, account: 'bob' })).toBeUndefined();
  });

  it('shares one fetch between concurrent requests (single flight)', async () => {
    const clock = makeClock();
    const cache = new TokenCache({ clock });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const fetch = vi.fn(async () => {
      await gate;
      return token('once', clock.now() + 60_000);
    });
    const all = Promise.all([1, 2, 3, 4, 5].map(async () => cache.getOrFetch(key, fetch)));
    release();
    const results = await all;
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(new Set(results).size).toBe(1);
  });

  it('does not cache a failed fetch and lets the next call retry', async () => {
    const clock = makeClock();
    const cache = new TokenCache({ clock });
    await expect(
      cache.getOrFetch(key, async () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    const t = await cache.getOrFetch(key, async () => token('ok', clock.now() + 60_000));
    expect(t.token.reveal()).toBe('ok');
  });

  it('evicts a refused token so the next request fetches anew, zeroing it only on dispose', async () => {
    const clock = makeClock();
    const cache = new TokenCache({ clock });
    const first = await cache.getOrFetch(key, async () => token('first', clock.now() + 60_000));
    expect(cache.evict(first)).toBe(true);
    expect(cache.evict(first)).toBe(false);
    expect(first.token.disposed).toBe(false);
    const second = await cache.getOrFetch(key, async () => token('second', clock.now() + 60_000));
    expect(second.token.reveal()).toBe('second');
    cache.dispose();
    expect(first.token.disposed).toBe(true);
    expect(second.token.disposed).toBe(true);
    expect(second.refreshToken?.disposed).toBe(true);
    expect(cache.size).toBe(0);
  });

  it('refresh() fetches even when a fresh token is cached and retires the old one', async () => {
    const clock = makeClock();
    const cache = new TokenCache({ clock });
    const a = await cache.getOrFetch(key, async () => token('a', clock.now() + 60_000));
    const b = await cache.refresh(key, async () => token('b', clock.now() + 60_000));
    expect(cache.get(key)).toBe(b);
    expect(a.token.disposed).toBe(false);
    clock.advance(3_600_000);
    cache.set(key, token('c', clock.now() + 60_000)); // retiring b prunes long-expired retired tokens
    expect(a.token.disposed).toBe(true);
    cache[Symbol.dispose]();
    expect(cache.size).toBe(0);
  });
});
