import { describe, expect, it } from 'vitest';
import { ManifestCache } from './manifest-cache.js';

describe('ManifestCache', () => {
  it('keeps tag entries for the TTL and digest entries for good', () => {
    let now = 1000;
    const cache = new ManifestCache<string>({ enabled: true, ttlMs: 500, clock: { now: () => now } });
    cache.set('r@latest', 'tag', false);
    cache.set('r@sha256:x', 'digest', true);
    now += 499;
    expect(cache.get('r@latest')).toBe('tag');
    now += 1;
    expect(cache.get('r@latest')).toBeUndefined();
    now += 1e9;
    expect(cache.get('r@sha256:x')).toBe('digest');
  });

  it('stores nothing when disabled, and no tags with a zero TTL', () => {
    const off = new ManifestCache<string>({ enabled: false, ttlMs: 500 });
    off.set('k', 'v', true);
    expect(off.get('k')).toBeUndefined();
    const zero = new ManifestCache<string>({ enabled: true, ttlMs: 0 });
    zero.set('t', 'v', false);
    zero.set('d', 'v', true);
    expect(zero.get('t')).toBeUndefined();
    expect(zero.get('d')).toBe('v');
  });

  it('drops the oldest entry past the size cap and forgets by key and prefix', () => {
    const cache = new ManifestCache<number>({ enabled: true, ttlMs: 1000, maxEntries: 2 });
    cache.set('a@1', 1, true);
    cache.set('a@2', 2, true);
    cache.set('b@3', 3, true);
    expect(cache.get('a@1')).toBeUndefined();
    expect(cache.get('a@2')).toBe(2);
    cache.deletePrefix('a@');
    expect(cache.get('a@2')).toBeUndefined();
    cache.delete('b@3');
    expect(cache.get('b@3')).toBeUndefined();
  });
});
