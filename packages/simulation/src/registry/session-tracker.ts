/** Default lifetime of an idle upload session: 24 hours, in seconds. @internal */
export const DEFAULT_UPLOAD_TTL_SECONDS = 86_400;

/** Longest gap between two sweeps for stale sessions. */
const MAX_SWEEP_INTERVAL_MS = 60_000;

/** What a sweep needs to drop a session. @internal */
export interface SessionSweepTarget {
  /** Open sessions: id to repository. */
  readonly uploads: Map<string, string>;
  /** Removes a session's bytes. */
  cancel(id: string): Promise<unknown>;
  /** Persists the metadata. */
  save(): Promise<void>;
}

/**
 * Per-session facts the registry keeps in memory: when each upload session was last used, and
 * which one is being written now. One write at a time per session (as distribution's upload
 * lock): a second PATCH or PUT while one is in progress is refused, not interleaved. Sessions
 * unused for the TTL are purged, bytes and all, by a sweep that runs at most once a minute.
 * @internal
 */
export class SessionTracker {
  readonly #lastUsed = new Map<string, number>();
  readonly #writing = new Set<string>();
  readonly #ttlMs: number;
  readonly #now: () => number;
  #lastSweep = Number.NEGATIVE_INFINITY;

  /**
   * @param ttlSeconds - how long an unused session lives
   * @param now - clock in ms
   */
  constructor(ttlSeconds: number, now: () => number) {
    this.#ttlMs = ttlSeconds * 1000;
    this.#now = now;
  }

  /**
   * Records that a session was used now.
   * @param id - session id
   */
  touch(id: string): void {
    this.#lastUsed.set(id, this.#now());
  }

  /**
   * Claims a session for one write.
   * @param id - session id
   * @returns false when another write holds it
   */
  tryLock(id: string): boolean {
    if (this.#writing.has(id)) return false;
    this.#writing.add(id);
    return true;
  }

  /**
   * Releases a write claim, and counts the write as use while the session stays open.
   * @param id - session id
   */
  unlock(id: string): void {
    this.#writing.delete(id);
    if (this.#lastUsed.has(id)) this.touch(id);
  }

  /**
   * Forgets a closed session.
   * @param id - session id
   */
  forget(id: string): void {
    this.#lastUsed.delete(id);
  }

  /**
   * Purges sessions unused for the TTL (never one being written). Sessions first seen here (for
   * example restored from a directory store) count as used now.
   * @param target - the open sessions and how to drop them
   * @returns when done
   */
  async sweep(target: SessionSweepTarget): Promise<void> {
    const now = this.#now();
    if (now - this.#lastSweep < Math.min(this.#ttlMs, MAX_SWEEP_INTERVAL_MS)) return;
    this.#lastSweep = now;
    const stale: string[] = [];
    for (const id of target.uploads.keys()) {
      if (this.#writing.has(id)) continue;
      const used = this.#lastUsed.get(id);
      if (used === undefined) this.#lastUsed.set(id, now);
      else if (now - used >= this.#ttlMs) stale.push(id);
    }
    for (const id of stale) {
      target.uploads.delete(id);
      this.#lastUsed.delete(id);
      await target.cancel(id).catch(() => undefined);
    }
    if (stale.length > 0) await target.save();
  }
}
