import { systemClock, type Clock } from '@llmdevops/docker-hub-core';

/** One cached value and when it stops being fresh (`Infinity` for digests). */
interface Entry<T> {
  readonly value: T;
  readonly expiresAt: number;
}

/**
 * Manifest lookups cached by reference: tags for a TTL (they move), digests forever (content
 * addressed), at most `maxEntries` (oldest dropped first).
 * @internal
 */
export class ManifestCache<T> {
  readonly #entries = new Map<string, Entry<T>>();
  readonly #ttlMs: number;
  readonly #enabled: boolean;
  readonly #clock: Pick<Clock, 'now'>;
  readonly #max: number;

  constructor(options: { readonly enabled: boolean; readonly ttlMs: number; readonly clock?: Pick<Clock, 'now'>; readonly maxEntries?: number }) {
    this.#enabled = options.enabled;
    this.#ttlMs = options.ttlMs;
    this.#clock = options.clock ?? systemClock;
    this.#max = options.maxEntries ?? 500;
  }

  /**
   * A fresh cached value.
   * @param key - cache key
   * @returns the value, or undefined when absent or stale
   */
  get(key: string): T | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#clock.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /**
   * Stores a value.
   * @param key - cache key
   * @param value - the value
   * @param byDigest - whether the key names a digest (kept forever)
   */
  set(key: string, value: T, byDigest: boolean): void {
    if (!this.#enabled || (!byDigest && this.#ttlMs <= 0)) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: byDigest ? Infinity : this.#clock.now() + this.#ttlMs });
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
  }

  /**
   * Forgets a key (after a put or delete).
   * @param key - cache key
   */
  delete(key: string): void {
    this.#entries.delete(key);
  }

  /**
   * Forgets every key that starts with a prefix (a repository).
   * @param prefix - key prefix
   */
  deletePrefix(prefix: string): void {
    for (const key of [...this.#entries.keys()]) if (key.startsWith(prefix)) this.#entries.delete(key);
  }
}
