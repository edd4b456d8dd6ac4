import { NetworkError, RateLimitError, ServerError } from '@llmdevops/docker-hub-core';
import { describe, expect, it } from 'vitest';
import { decideFailure, RetryBudget, type RetryPolicy } from './decide.js';

const policy: RetryPolicy = {
  maxRetries: 3,
  maxRetryWaitMs: 60_000,
  backoff: { baseMs: 100, capMs: 1000, random: () => 1 },
};
const ctx = { attempt: 1, idempotent: true, now: 1_000_000, policy };

describe('decideFailure', () => {
  it('judges an error with a status as that response: 503 backs off, 404 never retries', () => {
    expect(decideFailure(new ServerError('x', { status: 503 }), ctx)).toEqual({
      retry: true,
      delayMs: 100,
      reason: 'status 503',
    });
    expect(decideFailure(new ServerError('x', { status: 404 }), ctx)).toEqual({ retry: false });
    expect(decideFailure(new ServerError('x', { status: 503 }), { ...ctx, attempt: 4 })).toEqual({
      retry: false,
    });
  });

  it('never retries a RateLimitError marked not retryable, even with a reset time', () => {
    const resetAt = new Date(ctx.now + 1_000);
    expect(decideFailure(new RateLimitError('budget refused', { resetAt, retryable: false }), ctx)).toEqual({
      retry: false,
    });
    expect(decideFailure(new RateLimitError('slow down', { resetAt }), ctx)).toMatchObject({ retry: true });
  });

  it('waits for a RateLimitError until its reset time, rounded up to whole seconds', () => {
    const resetAt = new Date(ctx.now + 4_200);
    expect(decideFailure(new RateLimitError('slow down', { resetAt }), ctx)).toEqual({
      retry: true,
      delayMs: 5_000,
      reason: 'status 429',
    });
    // A reset in the past waits nothing; one beyond maxRetryWaitMs gives up, reporting the wait.
    expect(
      decideFailure(new RateLimitError('x', { resetAt: new Date(ctx.now - 10_000) }), ctx),
    ).toEqual({ retry: true, delayMs: 0, reason: 'status 429' });
    expect(
      decideFailure(new RateLimitError('x', { resetAt: new Date(ctx.now + 120_000) }), ctx),
    ).toEqual({ retry: false, rateLimited: { waitMs: 120_000 } });
    // Without a reset time it backs off like any retry.
    expect(decideFailure(new RateLimitError('x'), ctx)).toEqual({
      retry: true,
      delayMs: 100,
      reason: 'status 429',
    });
  });

  it('judges an error without a status as a failed attempt', () => {
    const reset = new NetworkError('x', { causeCode: 'ECONNRESET' });
    expect(decideFailure(reset, ctx)).toEqual({ retry: true, delayMs: 100, reason: 'NETWORK' });
    expect(decideFailure(reset, { ...ctx, idempotent: false })).toEqual({ retry: false });
    expect(decideFailure(reset, { ...ctx, attempt: 4 })).toEqual({ retry: false });
    expect(decideFailure(new Error('plain'), ctx)).toEqual({ retry: false });
  });
});

describe('RetryBudget', () => {
  it('counts every failure when there is no progress to measure', () => {
    const budget = new RetryBudget();
    expect(budget.peek()).toBe(1);
    expect([budget.fail(), budget.fail(), budget.fail()]).toEqual([1, 2, 3]);
    expect(budget.peek()).toBe(4);
  });

  it('starts the count again after a failure that followed progress, and only then', () => {
    let moved = 10;
    const budget = new RetryBudget(() => moved);
    expect(budget.fail()).toBe(1);
    expect(budget.fail()).toBe(2);
    moved = 20;
    expect(budget.peek()).toBe(1);
    expect(budget.fail()).toBe(1);
    expect(budget.peek()).toBe(2);
    expect(budget.fail()).toBe(2);
    // Progress present at creation is not progress since then.
    const fresh = new RetryBudget(() => 50);
    expect(fresh.fail()).toBe(1);
    expect(fresh.fail()).toBe(2);
  });
});
