// A deterministic clock for tests: `sleep` either resolves at once while advancing `now`
// (auto mode, for retry schedules) or waits for `advance()` (manual mode, for deadlines).
import { AbortedError } from '@llmdevops/docker-hub-core';
import type { Clock } from '../src/index.js';

interface Timer {
  readonly at: number;
  readonly resolve: () => void;
}

export class FakeClock implements Clock {
  /** Every requested sleep, in ms, in order. */
  readonly sleeps: number[] = [];
  #now: number;
  readonly #auto: boolean;
  #timers: Timer[] = [];

  constructor(options: { start?: number; auto?: boolean } = {}) {
    this.#now = options.start ?? Date.UTC(2026, 0, 1, 0, 0, 0);
    this.#auto = options.auto ?? true;
  }

  now(): number {
    return this.#now;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (signal?.aborted === true) throw new AbortedError('wait', signal.reason);
    if (this.#auto) {
      this.#now += ms;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const timer: Timer = { at: this.#now + ms, resolve };
      this.#timers.push(timer);
      signal?.addEventListener('abort', () => {
        this.#timers = this.#timers.filter((t) => t !== timer);
        reject(new AbortedError('wait', signal.reason));
      });
    });
  }

  /** Moves time forward and fires due timers (manual mode). */
  advance(ms: number): void {
    this.#now += ms;
    const due = this.#timers.filter((t) => t.at <= this.#now);
    this.#timers = this.#timers.filter((t) => t.at > this.#now);
    for (const t of due) t.resolve();
  }
}
