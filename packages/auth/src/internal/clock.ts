/**
 * The time source this package reads; inject one in tests instead of faking `Date`.
 * @public
 */
export interface AuthClock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** The real clock. @internal */
export const systemClock: AuthClock = { now: () => Date.now() };
