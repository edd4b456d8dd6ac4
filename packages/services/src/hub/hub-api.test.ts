import { describe, expect, it } from 'vitest';
import { hubRoute } from './hub-api.js';
import { HubRateLimitTracker } from './hub-rate-limit.js';

describe('hubRoute', () => {
  it('replaces names with placeholders so events carry templates, not user data', () => {
    expect(hubRoute('/v2/namespaces/alice/repositories')).toBe(
      '/v2/namespaces/{namespace}/repositories',
    );
    expect(hubRoute('/v2/namespaces/alice/repositories/app/tags/v1')).toBe(
      '/v2/namespaces/{namespace}/repositories/{repository}/tags/{tag}',
    );
    expect(hubRoute('/v2/repositories/alice/app/tags/v1/')).toBe(
      '/v2/repositories/{namespace}/{repository}/tags/{tag}/',
    );
    expect(hubRoute('/v2/search/repositories/')).toBe('/v2/search/repositories/');
  });
});

describe('HubRateLimitTracker', () => {
  it('reads only the Hub API headers and keeps the last status when none are sent', () => {
    const t = new HubRateLimitTracker();
    t.observe({ 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '5;w=21600' }, 0);
    expect(t.status()).toBeUndefined();
    t.observe(
      { 'x-ratelimit-limit': '180', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '60' },
      0,
    );
    expect(t.status()).toMatchObject({ limit: 180, remaining: 0, resetAt: new Date(60_000) });
    t.observe({}, 1);
    expect(t.status()?.remaining).toBe(0);
  });
});
