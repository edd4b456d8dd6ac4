import { describe, expect, it } from 'vitest';
import { createEventBus } from '../../events/events.js';
import { parseRateLimitHeaders, parseRetryAfter } from './parse-headers.js';
import { RateLimitTracker } from './rate-limit-tracker.js';

const NOW = Date.UTC(2026, 0, 1);

describe('rate-limit header edge cases', () => {
  it('rejects a Retry-After that looks like an HTTP date but is not one', () => {
    expect(parseRetryAfter('Foo, 99 Bar 2026 25:61:61 GMT', NOW)).toBeUndefined();
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', NOW)).toBe(30_000);
  });

  it('reports a quota header longer than 1 KiB as malformed instead of parsing it', () => {
    const long = `100;w=21600${', 100;w=21600'.repeat(100)}`;
    expect(long.length).toBeGreaterThan(1024);
    const { status, problems } = parseRateLimitHeaders(
      { 'ratelimit-limit': long, 'ratelimit-remaining': '5' },
      NOW,
    );
    expect(problems).toEqual([{ header: 'ratelimit-limit', problem: 'expected N or N;w=SECONDS' }]);
    expect(status?.limit).toBeUndefined();
    expect(status?.remaining).toBe(5);
  });

  it('ignores quota parameters other than w= and keeps the first window', () => {
    const { status, problems } = parseRateLimitHeaders(
      { 'ratelimit-limit': '100;comment=x;w=60, 200;w=3600' },
      NOW,
    );
    expect(problems).toEqual([]);
    expect(status).toMatchObject({ limit: 100, windowSeconds: 60 });
  });

  it('treats a blank docker-ratelimit-source as no source', () => {
    const { status } = parseRateLimitHeaders(
      { 'ratelimit-remaining': '1', 'docker-ratelimit-source': '   ' },
      NOW,
    );
    expect(status).toBeDefined();
    expect(status?.source).toBeUndefined();
  });
});

describe('RateLimitTracker', () => {
  const status = (remaining: number | undefined, source?: string) => ({
    limit: 100,
    remaining,
    windowSeconds: 21600,
    source,
    resetAt: undefined,
    observedAt: new Date(NOW),
  });

  it('knows no status before any response', () => {
    const tracker = new RateLimitTracker(10, createEventBus());
    expect(tracker.status()).toBeUndefined();
    expect(tracker.status('registry-1.docker.io')).toBeUndefined();
    expect(tracker.bySource('registry-1.docker.io')).toEqual([]);
  });

  it('emits rateLimitLow once per remaining count, again when it drops, and re-arms above the threshold', () => {
    const events = createEventBus();
    const seen: (number | undefined)[] = [];
    events.on('rateLimitLow', (e) => seen.push(e.remaining));
    const tracker = new RateLimitTracker(10, events);
    tracker.record('hub', status(5));
    tracker.record('hub', status(5));
    tracker.record('hub', status(4));
    tracker.record('hub', status(50));
    tracker.record('hub', status(4));
    tracker.record('hub', status(undefined));
    expect(seen).toEqual([5, 4, 4]);
  });

  it('keeps one status per source and answers host lookups case-insensitively', () => {
    const tracker = new RateLimitTracker(10, createEventBus());
    tracker.record('hub', status(70, '192.0.2.1'));
    tracker.record('hub', status(90, 'account'));
    tracker.record('other', status(30));
    expect(tracker.status()?.remaining).toBe(30);
    expect(tracker.status('HUB')?.remaining).toBe(90);
    expect(tracker.bySource('Hub').map((s) => s.remaining)).toEqual([70, 90]);
  });
});
