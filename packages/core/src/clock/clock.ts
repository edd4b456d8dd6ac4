import { AbortedError } from '../errors/index.js';

/** Time source and sleeper, injectable so tests never wait for real. @public */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Waits `ms` milliseconds.
   * @param ms - how long
   * @param signal - ends the wait early with an `AbortedError`
   * @returns when the time has passed
   * @throws {@link @llmdevops/docker-hub-core!AbortedError | AbortedError} when `signal` aborts first
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The real clock: `Date.now()` and a signal-aware `setTimeout` (an abort ends the wait at once,
 * so a retry wait never keeps a cancelled call alive).
 * @public
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(new AbortedError('wait', signal.reason));
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(new AbortedError('wait', signal?.reason));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};
