import { AbortedError } from '../errors/index.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from './clock.js';

describe('systemClock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sleeps with timers and ends early on abort', async () => {
    vi.useFakeTimers();
    let done = false;
    const p = systemClock.sleep(1000).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await p;
    expect(done).toBe(true);
    const ac = new AbortController();
    const waiting = systemClock.sleep(10_000, ac.signal);
    ac.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortedError);
    await expect(systemClock.sleep(1, AbortSignal.abort())).rejects.toBeInstanceOf(AbortedError);
    expect(typeof systemClock.now()).toBe('number');
  });
});
