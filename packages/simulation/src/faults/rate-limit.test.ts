import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PullRateLimiter } from './rate-limit.js';

describe('PullRateLimiter rolling window', () => {
  it('gives pulls back one at a time as each leaves the window, not all at a boundary', () => {
    let now = 0;
    const limiter = new PullRateLimiter({ anonymousLimit: 2, windowSeconds: 10 }, () => now);
    expect(limiter.take('ip', false, true).retryAfter).toBeUndefined();
    now = 5_000;
    expect(limiter.take('ip', false, true).headers['ratelimit-remaining']).toBe('0;w=10');
    // At 10 s only the first pull has left the window: one pull is back, the second comes at 15 s.
    now = 10_000;
    const third = limiter.take('ip', false, true);
    expect(third.retryAfter).toBeUndefined();
    expect(third.headers['ratelimit-remaining']).toBe('0;w=10');
    expect(limiter.take('ip', false, true).retryAfter).toBe(5);
    now = 15_000;
    expect(limiter.take('ip', false, true).retryAfter).toBeUndefined();
  });

  it('never counts more pulls than the limit in any rolling window, and refuses only when spent', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3_000 }), { maxLength: 200 }), fc.integer({ min: 1, max: 6 }), (gaps, limit) => {
        let now = 0;
        const limiter = new PullRateLimiter({ anonymousLimit: limit, windowSeconds: 5 }, () => now);
        const granted: number[] = [];
        for (const gap of gaps) {
          now += gap;
          const inWindow = granted.filter((t) => t > now - 5_000).length;
          const d = limiter.take('ip', false, true);
          expect(d.retryAfter === undefined).toBe(inWindow < limit);
          if (d.retryAfter === undefined) granted.push(now);
        }
        for (const t of granted) expect(granted.filter((u) => u > t - 5_000 && u <= t).length).toBeLessThanOrEqual(limit);
      }),
    );
  });
});
