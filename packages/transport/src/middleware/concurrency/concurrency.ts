import { AbortedError } from '@llmdevops/docker-hub-core';
import { hostKey, safeUrl } from '../../internal/host.js';
import type { Middleware } from '../../pipeline/types.js';

interface Waiter {
  readonly resolve: () => void;
}

/** A FIFO counting semaphore. @internal */
class Semaphore {
  #available: number;
  readonly #queue: Waiter[] = [];

  constructor(permits: number) {
    this.#available = permits;
  }

  get idle(): boolean {
    return this.#queue.length === 0;
  }

  async acquire(signal: AbortSignal | undefined, what: string): Promise<void> {
    if (this.#available > 0) {
      this.#available--;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        const i = this.#queue.indexOf(waiter);
        if (i >= 0) this.#queue.splice(i, 1);
        reject(new AbortedError(what, signal?.reason));
      };
      this.#queue.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  release(): void {
    const next = this.#queue.shift();
    if (next === undefined) this.#available++;
    else next.resolve();
  }
}

/**
 * Limits concurrent calls per host. A permit is held until the response body is consumed,
 * discarded or destroyed (not just until headers), so the limit really bounds open sockets.
 * Waiting is abort-aware.
 * @param maxPerHost - permits per host
 * @returns the middleware
 * @internal
 */
export function createConcurrencyMiddleware(maxPerHost: number): Middleware {
  const semaphores = new Map<string, Semaphore>();
  return {
    name: 'concurrency',
    async handle(req, next) {
      const host = hostKey(req.url);
      let sem = semaphores.get(host);
      if (sem === undefined) {
        sem = new Semaphore(Math.max(1, maxPerHost));
        semaphores.set(host, sem);
      }
      await sem.acquire(req.signal, `${req.method} ${safeUrl(req.url)}`);
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        sem.release();
      };
      try {
        const res = await next(req);
        if (res.body.destroyed) release();
        else res.body.once('close', release);
        return res;
      } catch (err) {
        release();
        throw err;
      }
    },
  };
}
