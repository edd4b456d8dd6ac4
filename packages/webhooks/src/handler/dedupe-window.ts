import {
  ConfigError,
  optionCheck,
  systemClock,
  validateOptions,
  type Clock,
  type ConfigIssue,
} from '@llmdevops/docker-hub-core';

/**
 * Where a receiver remembers the deliveries it accepted, so that a redelivery is answered
 * `duplicate`. Keys name the delivery itself (the Docker Hub body hash, or the distribution event
 * id), never the way it was authenticated. Give one store to several receivers (for example one
 * per way of presenting a secret) and a delivery accepted by any of them is a duplicate for all.
 * @public
 */
export interface DedupeStore {
  /**
   * Records a key unless it is already remembered.
   * @param key - delivery key
   * @returns true when the key is new (the delivery should be processed)
   */
  claim(key: string): boolean;
  /**
   * Forgets a key claimed by a delivery that was then rejected, so a genuine retry is processed.
   * @param key - delivery key
   */
  release(key: string): void;
}

/** Options of {@link createDedupeStore}. @public */
export interface DedupeStoreOptions {
  /** How long a key is remembered, in ms (default 10 min; 0 disables deduplication). */
  readonly windowMs?: number;
  /** Most keys kept at once; past it the oldest are forgotten first (default 10,000). */
  readonly maxEntries?: number;
  /** Clock in ms (default the system clock). */
  readonly clock?: Pick<Clock, 'now'>;
}

/** Default of {@link DedupeStoreOptions.windowMs}: ten minutes. @internal */
export const DEFAULT_DEDUPE_WINDOW_MS = 600_000;

/**
 * Remembers delivery keys for a time window so a redelivered event is recognised. Bounded:
 * past `maxEntries` the oldest keys are forgotten first, so a flood cannot grow memory without end.
 * @internal
 */
export class DedupeWindow implements DedupeStore {
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

function checkInteger(issues: ConfigIssue[], path: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min)
    issues.push({ path, message: `must be an integer >= ${min}` });
}

/**
 * Creates a bounded, in-memory {@link DedupeStore} to share between receivers.
 * @param options - window, size bound and clock
 * @returns the store
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} for an unknown option, or when `windowMs` or `maxEntries` is not a valid integer
 * @example
 * ```ts
 * const dedupe = createDedupeStore();
 * const byToken = createWebhooks({ sharedSecret: { secrets: token }, dedupe });
 * const bySignature = createWebhooks({ signature: { secrets: token }, dedupe });
 * ```
 * @public
 */
export function createDedupeStore(options: DedupeStoreOptions = {}): DedupeStore {
  validateOptions('createDedupeStore options', options, {
    windowMs: optionCheck.number(),
    maxEntries: optionCheck.number(),
    clock: optionCheck.clock({ sleep: false }),
  });
  const issues: ConfigIssue[] = [];
  const windowMs = options.windowMs ?? DEFAULT_DEDUPE_WINDOW_MS;
  const maxEntries = options.maxEntries ?? 10_000;
  checkInteger(issues, 'windowMs', windowMs, 0);
  checkInteger(issues, 'maxEntries', maxEntries, 1);
  if (issues.length > 0) throw new ConfigError(issues);
  const clock = options.clock ?? systemClock;
  return new DedupeWindow(windowMs, () => clock.now(), maxEntries);
}
