import { type Scope, scopeSetKey, scopesCover } from '@llmdevops/docker-hub-core';
import { systemClock, type Clock } from '@llmdevops/docker-hub-core';
import { type RegistryToken } from '../token/token-response.js';

/** What identifies a cached token. @public */
export interface TokenCacheKey {
  /** Token service URL (the challenge's realm). */
  readonly realm: string;
  /** The challenge's `service` ('' when absent). */
  readonly service: string;
  /** Account the token was obtained for ('' for anonymous). */
  readonly account: string;
  /** Scopes requested. */
  readonly scopes: readonly Scope[];
}

/** Options of a {@link TokenCache}. @public */
export interface TokenCacheOptions {
  /** Time source (default: `Date.now`). */
  readonly clock?: Pick<Clock, 'now'>;
  /** A token is renewed this many ms before it expires (default 10 000). */
  readonly refreshMarginMs?: number;
}

interface Entry {
  readonly key: TokenCacheKey;
  readonly token: RegistryToken;
}

function baseKey(k: TokenCacheKey): string {
  return `${k.realm}\n${k.service}\n${k.account}`;
}

function fullKey(k: TokenCacheKey): string {
  return `${baseKey(k)}\n${scopeSetKey(k.scopes)}`;
}

/**
 * Registry tokens keyed by realm, service, account and (sorted, merged) scope set. A token is
 * reused until `refreshMarginMs` before it expires; a token whose scopes cover the request is
 * reused too. Concurrent misses for the same key share one fetch (single flight). `dispose()`
 * zeroes every token it holds.
 * @example
 * ```ts
 * const cache = new TokenCache({ refreshMarginMs: 5_000 });
 * const t = await cache.getOrFetch(key, () => fetchRegistryToken(send, request));
 * ```
 * @public
 */
export class TokenCache {
  readonly #clock: Pick<Clock, 'now'>;
  readonly #marginMs: number;
  readonly #entries = new Map<string, Entry>();
  readonly #inflight = new Map<string, Promise<RegistryToken>>();
  // Replaced or evicted tokens may still be in use by a request in flight, so they are zeroed
  // later: once long expired, or on dispose().
  readonly #retired = new Set<RegistryToken>();

  /** @param options - clock and refresh margin */
  constructor(options: TokenCacheOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#marginMs = options.refreshMarginMs ?? 10_000;
  }

  /** Number of tokens held (fresh or not). */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Whether a token is still usable now (before expiry minus the margin).
   * @param token - a token
   * @returns true when fresh
   */
  isFresh(token: RegistryToken): boolean {
    return this.#clock.now() < token.expiresAt - this.#marginMs;
  }

  /**
   * A fresh token for the key: one stored under exactly this scope set, else any fresh token of
   * the same realm, service and account whose scopes cover it.
   * @param key - what is needed
   * @returns the token, or undefined
   */
  get(key: TokenCacheKey): RegistryToken | undefined {
    const exact = this.#entries.get(fullKey(key));
    if (exact !== undefined && this.isFresh(exact.token)) return exact.token;
    const base = baseKey(key);
    for (const e of this.#entries.values()) {
      if (
        baseKey(e.key) === base &&
        this.isFresh(e.token) &&
        scopesCover(e.token.scopes, key.scopes)
      )
        return e.token;
    }
    return undefined;
  }

  /**
   * Stores a token, replacing (and zeroing) any token held under the same key.
   * @param key - its key
   * @param token - the token
   */
  set(key: TokenCacheKey, token: RegistryToken): void {
    const k = fullKey(key);
    const old = this.#entries.get(k);
    if (old !== undefined && old.token !== token) this.#retire(old.token);
    this.#entries.set(k, { key, token });
  }

  /**
   * A fresh cached token, or the result of `fetch` (stored). Concurrent calls for the same key
   * while a fetch is running wait for that fetch instead of starting another.
   * @param key - what is needed
   * @param fetch - obtains a new token
   * @returns the token
   * @throws whatever `fetch` throws (nothing is cached then)
   */
  async getOrFetch(
    key: TokenCacheKey,
    fetch: () => Promise<RegistryToken>,
  ): Promise<RegistryToken> {
    const cached = this.get(key);
    if (cached !== undefined) return cached;
    return this.refresh(key, fetch);
  }

  /**
   * Fetches a new token for the key even if a fresh one is cached (single flight as well).
   * @param key - what is needed
   * @param fetch - obtains a new token
   * @returns the new token
   */
  async refresh(key: TokenCacheKey, fetch: () => Promise<RegistryToken>): Promise<RegistryToken> {
    const k = fullKey(key);
    const running = this.#inflight.get(k);
    if (running !== undefined) return running;
    const promise = (async () => {
      try {
        const token = await fetch();
        this.set(key, token);
        return token;
      } finally {
        this.#inflight.delete(k);
      }
    })();
    this.#inflight.set(k, promise);
    return promise;
  }

  /**
   * Drops a token that the registry refused (401), so the next request fetches a new one.
   * Compares by identity. The token is zeroed later (it may still be in use), at the latest on
   * {@link TokenCache.dispose}.
   * @param token - the refused token
   * @returns true when something was evicted
   */
  evict(token: RegistryToken): boolean {
    let found = false;
    for (const [k, e] of this.#entries) {
      if (e.token === token) {
        this.#entries.delete(k);
        found = true;
      }
    }
    if (found) this.#retire(token);
    return found;
  }

  #retire(token: RegistryToken): void {
    this.#retired.add(token);
    const now = this.#clock.now();
    for (const t of this.#retired) {
      if (t.expiresAt + 300_000 < now) {
        disposeToken(t);
        this.#retired.delete(t);
      }
    }
  }

  /** Zeroes and forgets every token. The cache stays usable (empty) afterwards. */
  dispose(): void {
    for (const e of this.#entries.values()) disposeToken(e.token);
    for (const t of this.#retired) disposeToken(t);
    this.#entries.clear();
    this.#retired.clear();
  }

  /** `using` support: same as {@link TokenCache.dispose}. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}

function disposeToken(token: RegistryToken): void {
  token.token.dispose();
  token.refreshToken?.dispose();
}
