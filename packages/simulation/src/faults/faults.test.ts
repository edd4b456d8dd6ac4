import { describe, expect, it } from 'vitest';
import { FaultPlan } from './faults.js';
import { PullRateLimiter } from './rate-limit.js';

describe('FaultPlan', () => {
  it('counts attempts per rule and honours times', () => {
    const plan = new FaultPlan([
      { match: { method: 'GET', path: '/a', attempt: 2 }, status: 500 },
      { match: { path: /^\/b/ }, status: 429, times: 2 },
    ]);
    expect(plan.next('GET', '/a')).toBeUndefined();
    expect(plan.next('GET', '/a')).toEqual({ status: 500 });
    expect(plan.next('GET', '/a')).toBeUndefined();
    expect(plan.next('POST', '/a')).toBeUndefined();
    expect(plan.next('PUT', '/b/1')).toEqual({ status: 429 });
    expect(plan.next('PUT', '/b/2')).toEqual({ status: 429 });
    expect(plan.next('PUT', '/b/3')).toBeUndefined();
  });

  it('draws random faults from the seed only', () => {
    const run = (seed: number) => {
      const plan = new FaultPlan([], { seed, rate: 0.3, match: { method: 'GET' } });
      return Array.from({ length: 40 }, () => plan.next('GET', '/x')?.status ?? 0);
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
    expect(run(7)).toContain(503);
    expect(
      new FaultPlan([], { seed: 1, rate: 1, match: { method: 'GET' } }).next('PUT', '/x'),
    ).toBeUndefined();
  });
});

describe('PullRateLimiter', () => {
  it('reports on HEAD without counting and refuses once spent until the window resets', () => {
    let now = 0;
    const limiter = new PullRateLimiter({ anonymousLimit: 2, windowSeconds: 10 }, () => now);
    expect(limiter.take('1.2.3.4', false, false).headers['ratelimit-remaining']).toBe('2;w=10');
    expect(limiter.take('1.2.3.4', false, true).retryAfter).toBeUndefined();
    expect(limiter.take('1.2.3.4', false, true).headers['ratelimit-remaining']).toBe('0;w=10');
    now = 4_000;
    expect(limiter.take('1.2.3.4', false, true).retryAfter).toBe(6);
    expect(limiter.take('5.6.7.8', false, true).retryAfter).toBeUndefined();
    now = 10_000;
    expect(limiter.take('1.2.3.4', false, true).headers['ratelimit-remaining']).toBe('1;w=10');
    expect(limiter.take('acct', true, true).headers['ratelimit-limit']).toBe('200;w=10');
  });
});
