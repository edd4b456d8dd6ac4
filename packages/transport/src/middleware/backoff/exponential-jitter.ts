/** Options of the exponential backoff. @public */
export interface BackoffOptions {
  /** Ceiling of the first retry's delay, in ms. */
  readonly baseMs: number;
  /** Largest ceiling, in ms; the delay never exceeds it. */
  readonly capMs: number;
  /** Source of randomness in `[0, 1)`; injectable for deterministic tests. */
  readonly random?: () => number;
}

/**
 * The ceiling of the delay before retry `attempt`: `min(capMs, baseMs * 2^(attempt-1))`.
 * @param attempt - 1 for the first retry
 * @param options - base and cap
 * @returns the ceiling in ms, always finite and within `[0, capMs]`
 * @public
 */
export function backoffCeiling(attempt: number, options: BackoffOptions): number {
  const base = Math.max(0, Number.isFinite(options.baseMs) ? options.baseMs : 0);
  const cap = Math.max(0, Number.isFinite(options.capMs) ? options.capMs : 0);
  const exponent = Math.min(Math.max(0, Math.floor(attempt) - 1), 60);
  return Math.min(cap, base * 2 ** exponent);
}

/**
 * Exponential backoff with full jitter (AWS architecture blog): a uniformly random delay in
 * `[0, ceiling]`, which spreads retries of many clients instead of synchronising them.
 * @param attempt - 1 for the first retry
 * @param options - base, cap and random source
 * @returns the delay in whole ms, within `[0, backoffCeiling(attempt)]`
 * @example
 * ```ts
 * backoffDelay(3, { baseMs: 100, capMs: 10_000, random: () => 0.5 }); // 200
 * ```
 * @public
 */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const ceiling = backoffCeiling(attempt, options);
  const r = (options.random ?? Math.random)();
  const unit = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1) : 0;
  return Math.floor(unit * ceiling);
}
