import { AbortedError, RateLimitError, type Clock } from '@llmdevops/docker-hub-core';
import type { BudgetOutcome, TransportRequest } from '@llmdevops/docker-hub-transport';
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from './memory-store.js';
import { PullBudget, type PullBudgetOptions } from './pull-budget.js';

/** A clock whose sleep moves time forward at once (and honours aborts). */
function steppingClock(start = 1_000_000): Clock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms, signal) => {
      if (signal?.aborted === true) throw new AbortedError('sleep', signal.reason);
      slept.push(ms);
      now += ms;
      await Promise.resolve();
    },
  };
}

const req = (context: Record<string, unknown> = {}, signal?: AbortSignal): TransportRequest => ({
  method: 'GET',
  url: new URL('https://registry-1.docker.io/v2/library/alpine/manifests/3'),
  headers: {},
  context,
  ...(signal === undefined ? {} : { signal }),
});

const ok = (remaining: number, limit = 3): BudgetOutcome => ({
  status: 200,
  rateLimit: { limit, remaining, windowSeconds: 10, source: 'ip', resetAt: undefined, observedAt: new Date(0) },
  retryAfterMs: undefined,
});

function budget(clock: Clock, options: Partial<PullBudgetOptions> = {}): PullBudget {
  return new PullBudget(createMemoryStore(clock), { clock, keyOf: () => 'registry-1.docker.io/anonymous', ...options });
}

/** Spends the whole budget of 3 (limit learnt from the first response). */
async function spend(b: PullBudget): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const g = await b.reserve(req());
    if (g !== undefined) await b.settle(g, ok(2 - i));
  }
}

describe('PullBudget', () => {
  it('covers only the requests its key function names', async () => {
    const clock = steppingClock();
    const b = new PullBudget(createMemoryStore(clock), { clock, keyOf: () => undefined });
    expect(await b.reserve(req())).toBeUndefined();
  });

  it('fail mode refuses before sending, naming needed, remaining, the reserve and the reset', async () => {
    const clock = steppingClock();
    const b = budget(clock, { onExhausted: 'fail', reserve: 1 });
    const g = await b.reserve(req());
    if (g !== undefined) await b.settle(g, ok(2));
    await b.reserve(req());
    const err = await b.reserve(req()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).message).toBe(
      'Docker Hub pull budget registry-1.docker.io/anonymous (memory): no pull left: needed 1, remaining 1, 1 held in reserve for high priority; nothing was sent; resets at 1970-01-01T00:16:50.000Z',
    );
    expect((err as RateLimitError).remaining).toBe(1);
    // Nothing was sent: no HTTP status and not retryable, so no retry policy turns it into a wait.
    expect((err as RateLimitError).status).toBeUndefined();
    expect((err as RateLimitError).retryable).toBe(false);
    // High priority may take the pull held back.
    expect(await b.reserve(req({ priority: 'high' }))).toBeDefined();
  });

  it('wait mode waits on the clock until the rolling window gives a pull back', async () => {
    const clock = steppingClock();
    const b = budget(clock);
    await spend(b);
    const before = clock.now();
    expect(await b.reserve(req())).toBeDefined();
    // The first pull was counted at `before` and leaves the 10 s window then.
    expect(clock.now() - before).toBe(10_000);
    expect(Math.max(...clock.slept)).toBeLessThanOrEqual(250);
  });

  it('wait mode gives up at maxWaitMs with a RateLimitError and leaves the queue', async () => {
    const clock = steppingClock();
    const b = budget(clock, { maxWaitMs: 5_000 });
    await spend(b);
    const err = await b.reserve(req()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as Error).message).toMatch(/no pull within the longest wait of 5 s: needed 1, remaining 0/);
    expect((await b.status()).keys[0]?.waiters).toBe(0);
  });

  it('an aborted wait ends with AbortedError and leaves the queue', async () => {
    const clock = steppingClock();
    const b = budget(clock);
    await spend(b);
    const controller = new AbortController();
    controller.abort(new Error('job cancelled'));
    await expect(b.reserve(req({}, controller.signal))).rejects.toBeInstanceOf(AbortedError);
    expect((await b.status()).keys[0]?.waiters).toBe(0);
  });

  it('a 429 blocks the key until its retry time and status reports it', async () => {
    const clock = steppingClock();
    const b = budget(clock, { onExhausted: 'fail' });
    const g = await b.reserve(req());
    if (g !== undefined) await b.settle(g, { status: 429, rateLimit: ok(0).rateLimit, retryAfterMs: 7_000 });
    const status = await b.status();
    expect(status.keys[0]).toMatchObject({ key: 'registry-1.docker.io/anonymous', remaining: 0, blockedUntil: new Date(clock.now() + 7_000) });
    await expect(b.reserve(req())).rejects.toBeInstanceOf(RateLimitError);
  });

  it('a response without rate-limit headers means not limited', async () => {
    const clock = steppingClock();
    const b = budget(clock, { onExhausted: 'fail' });
    const g = await b.reserve(req());
    if (g !== undefined) await b.settle(g, { status: 200, rateLimit: undefined, retryAfterMs: undefined });
    for (let i = 0; i < 10; i++) expect(await b.reserve(req())).toBeDefined();
    expect((await b.status()).keys[0]?.remaining).toBe(-1);
  });
});
