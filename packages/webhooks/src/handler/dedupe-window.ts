/**
 * Remembers delivery keys for a time window so a redelivered event is recognised. Bounded:
 * past `maxEntries` the oldest keys are forgotten first, so a flood cannot grow memory without end.
 * @internal
 */
export class DedupeWindow {
  readonly #expiries = new Map<string, number>();
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #maxEntries: number;

  /**
   * @param windowMs - how long a key is remembered (0 disables deduplication)
   * @param now - clock in milliseconds
   * @param maxEntries - most keys kept at once
   */
  constructor(windowMs: number, now: () => number, maxEntries = 10_000) {
    this.#windowMs = windowMs;
    this.#now = now;
    this.#maxEntries = maxEntries;
  }

  /**
   * Records a key unless it is already remembered.
   * @param key - delivery key
   * @returns true when the key is new (the delivery should be processed)
   */
  claim(key: string): boolean {
    if (this.#windowMs <= 0) return true;
    const now = this.#now();
    this.#prune(now);
    const expiry = this.#expiries.get(key);
    if (expiry !== undefined && expiry > now) return false;
    this.#expiries.delete(key);
    this.#expiries.set(key, now + this.#windowMs);
    while (this.#expiries.size > this.#maxEntries) {
      const oldest = this.#expiries.keys().next();
      if (oldest.done === true) break;
      this.#expiries.delete(oldest.value);
    }
    return true;
  }

  /**
   * Forgets a key claimed by a delivery that was then rejected, so a genuine retry is processed.
   * @param key - delivery key
   */
  release(key: string): void {
    this.#expiries.delete(key);
  }

  /** Drops expired keys from the front (insertion order equals expiry order). */
  #prune(now: number): void {
    for (const [key, expiry] of this.#expiries) {
      if (expiry > now) break;
      this.#expiries.delete(key);
    }
  }
}
