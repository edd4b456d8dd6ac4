/**
 * Ends what it was returned for (a subscription, a listener); calling it twice is harmless.
 * Also usable with `using`.
 * @public
 */
export type Disposer = (() => void) & Disposable;

/**
 * Makes a {@link Disposer} of a function.
 * @param dispose - what ending means; should be idempotent
 * @returns the function, callable and `Disposable`
 * @example
 * ```ts
 * const stop = toDisposer(() => emitter.off('x', onX));
 * using _ = stop; // or stop()
 * ```
 * @public
 */
export function toDisposer(dispose: () => void): Disposer {
  const run = (): void => {
    dispose();
  };
  return Object.assign(run, { [Symbol.dispose]: run });
}
