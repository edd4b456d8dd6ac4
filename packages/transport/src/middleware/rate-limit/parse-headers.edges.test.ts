import { describe, expect, it } from 'vitest';
import { createEventBus } from '../../events/events.js';
import { headerValue, parseRateLimitHeaders, parseRetryAfter, parseUnixTime } from './parse-headers.js';
import { RateLimitTracker, retryHintProblems } from './rate-limit-tracker.js';

const NOW = Date.UTC(2026, 0, 1);

describe('rate-limit header parsing, more edges', () => {
  it('joins repeated header values with a comma, so a repeated quota reads as a policy list', () => {
    expect(headerValue({ 'ratelimit-limit': ['100;w=60', '50'] }, 'ratelimit-limit')).toBe('100;w=60, 50');
    expect(parseRateLimitHeaders({ 'ratelimit-limit': ['100;w=60', '50'] }, NOW).status).toMatchObject({ limit: 100, windowSeconds: 60 });
  });

  it('reads a Retry-After of exactly 1 KiB and refuses a longer one', () => {
    expect(parseRetryAfter(`${' '.repeat(1023)}5`, NOW)).toBe(5000);
    expect(parseRetryAfter(`${' '.repeat(1024)}5`, NOW)).toBeUndefined();
  });

  it('reads a quota of exactly 1 KiB', () => {
    expect(parseRateLimitHeaders({ 'ratelimit-limit': `5${' '.repeat(1023)}` }, NOW).status?.limit).toBe(5);
  });

  it('takes as HTTP dates only text that starts with three letters and has a two-digit hh:mm:ss time', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', NOW)).toBe(30_000);
    for (const odd of ['2026-01-01T00:00:30Z', '12 Jan 2026 00:00:30 GMT', 'Z, 01 Jan 2026 00:00:30 GMT', 'Thu, 01 Jan 2026 0:00:30 GMT', 'Thu, 01 Jan 2026 00:00:3 GMT']) {
      expect(parseRetryAfter(odd, NOW), odd).toBeUndefined();
    }
  });

  it('trims a unix time', () => {
    expect(parseUnixTime(' 1767225600 ')).toBe(1_767_225_600_000);
  });

  it('reads the window parameter only as a whole w=N item, blanks around = allowed', () => {
    const window = (v: string): number | undefined => parseRateLimitHeaders({ 'ratelimit-limit': v }, NOW).status?.windowSeconds;
    expect(window('100;w = 60')).toBe(60);
    expect(window('100;xw=60')).toBeUndefined();
    expect(window('100;w=60x')).toBeUndefined();
  });

  it('names a malformed X-RateLimit-Reset and prefers it over RateLimit-Reset when valid', () => {
    expect(parseRateLimitHeaders({ 'x-ratelimit-limit': '3', 'x-ratelimit-reset': 'x' }, NOW).problems).toEqual([
      { header: 'x-ratelimit-reset', problem: 'expected a unix time' },
    ]);
    const { status } = parseRateLimitHeaders({ 'ratelimit-remaining': '1', 'x-ratelimit-reset': String(NOW / 1000 + 9), 'ratelimit-reset': '30' }, NOW);
    expect(status?.resetAt).toEqual(new Date(NOW + 9000));
  });

  it('keeps at most 128 characters of the rate-limit source', () => {
    const { status } = parseRateLimitHeaders({ 'ratelimit-remaining': '1', 'docker-ratelimit-source': 'a'.repeat(200) }, NOW);
    expect(status?.source).toBe('a'.repeat(128));
  });
});

describe('retry hint problems and the low threshold', () => {
  it('names a malformed Retry-After and X-Retry-After, and nothing for valid or absent ones', () => {
    expect(retryHintProblems({ 'retry-after': 'soon', 'x-retry-after': 'later' }, NOW)).toEqual([
      { header: 'retry-after', problem: 'expected delta seconds or an HTTP date' },
      { header: 'x-retry-after', problem: 'expected a unix time' },
    ]);
    expect(retryHintProblems({ 'retry-after': '5', 'x-retry-after': String(NOW / 1000) }, NOW)).toEqual([]);
    expect(retryHintProblems({}, NOW)).toEqual([]);
  });

  it('does not call a remaining count equal to the threshold low', () => {
    const events = createEventBus();
    const seen: number[] = [];
    events.on('rateLimitLow', (e) => seen.push(e.remaining));
    const tracker = new RateLimitTracker(10, events);
    const status = (remaining: number) => ({ limit: 100, remaining, windowSeconds: undefined, source: undefined, resetAt: undefined, observedAt: new Date(NOW) });
    tracker.record('hub', status(10));
    tracker.record('hub', status(9));
    expect(seen).toEqual([9]);
  });
});
