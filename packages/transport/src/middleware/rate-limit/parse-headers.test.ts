import { describe, expect, it } from 'vitest';
import { parseRateLimitHeaders, retryDelayFromHeaders } from './parse-headers.js';

const NOW = Date.UTC(2026, 0, 1);

describe('rate-limit headers', () => {
  it('parses the documented Docker Hub example', () => {
    const { status } = parseRateLimitHeaders(
      { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '76;w=21600', 'docker-ratelimit-source': '192.0.2.1' },
      NOW,
    );
    expect(status).toMatchObject({ limit: 100, remaining: 76, windowSeconds: 21600, source: '192.0.2.1' });
  });

  it('reads RateLimit-Reset as delta seconds and reports malformed resets', () => {
    expect(parseRateLimitHeaders({ 'ratelimit-remaining': '3', 'ratelimit-reset': '30' }, NOW).status?.resetAt).toEqual(new Date(NOW + 30_000));
    expect(parseRateLimitHeaders({ 'ratelimit-remaining': '3', 'ratelimit-reset': 'soon' }, NOW).problems).toEqual([
      { header: 'ratelimit-reset', problem: 'expected delta seconds' },
    ]);
    expect(parseRateLimitHeaders({ 'x-ratelimit-limit': '3', 'x-ratelimit-reset': 'x' }, NOW).problems[0]?.header).toBe('x-ratelimit-reset');
  });

  it('picks the retry hint in the documented order', () => {
    expect(retryDelayFromHeaders({ 'retry-after': '3', 'x-retry-after': String(NOW / 1000 + 9) }, NOW)).toEqual({ delayMs: 3000, from: 'retry-after' });
    expect(retryDelayFromHeaders({ 'x-retry-after': String(NOW / 1000 + 9) }, NOW)).toEqual({ delayMs: 9000, from: 'x-retry-after' });
    expect(retryDelayFromHeaders({ 'x-ratelimit-limit': '1', 'x-ratelimit-reset': String(NOW / 1000 + 4) }, NOW)).toEqual({ delayMs: 4000, from: 'reset' });
    expect(retryDelayFromHeaders({ 'ratelimit-limit': '1;w=60' }, NOW)).toEqual({ delayMs: 60_000, from: 'window' });
    expect(retryDelayFromHeaders({}, NOW)).toBeUndefined();
  });
});
