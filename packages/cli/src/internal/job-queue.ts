/** One unit of work; it reports its own failures (a rejection is ignored). @internal */
export type Job = () => Promise<void>;

/**
 * Runs jobs first in, first out, at most `maxConcurrent` at a time, with at most `maxQueued`
 * more waiting. A batch that does not fit is refused whole, so the caller can answer "busy".
 * @internal
 */
export class JobQueue {
  readonly #maxConcurrent: number;
  readonly #maxQueued: number;
  readonly #waiting: Job[] = [];
  #running = 0;

  /**
   * @param maxConcurrent - most jobs running at once (at least 1)
   * @param maxQueued - most jobs waiting for a free slot (0: none wait)
   */
  constructor(maxConcurrent: number, maxQueued: number) {
    this.#maxConcurrent = Math.max(1, maxConcurrent);
    this.#maxQueued = Math.max(0, maxQueued);
  }

  /** Jobs running now. */
  get running(): number {
    return this.#running;
  }

  /** Jobs waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Adds a batch of jobs, all or none.
   * @param jobs - the jobs, run in this order
   * @returns false (and nothing added) when they do not all fit
   */
  offer(jobs: readonly Job[]): boolean {
    const capacity = this.#maxConcurrent + this.#maxQueued;
    if (this.#running + this.#waiting.length + jobs.length > capacity) return false;
    this.#waiting.push(...jobs);
    this.#pump();
    return true;
  }

  /** Drops the jobs that have not started (running ones finish or are aborted by their owner). */
  clear(): void {
    this.#waiting.length = 0;
  }

  #pump(): void {
    while (this.#running < this.#maxConcurrent) {
      const job = this.#waiting.shift();
      if (job === undefined) return;
      this.#running += 1;
      void job()
        .catch(() => undefined)
        .finally(() => {
          this.#running -= 1;
          this.#pump();
        });
    }
  }
}
