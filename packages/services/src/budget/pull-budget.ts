import { randomUUID } from 'node:crypto';
import { AbortedError, RateLimitError, systemClock, type Clock } from '@llmdevops/docker-hub-core';
import type { BudgetGrant, BudgetOutcome, RequestBudget, TransportRequest } from '@llmdevops/docker-hub-transport';
import { createMemoryStore } from './memory-store.js';
import { BudgetStoreError } from './store-error.js';
import type { BudgetStore, StoreTimes } from './store.js';

/** What a budget does when no pull is left: refuse before sending, or wait its turn. @public */
export type BudgetExhaustedMode = 'fail' | 'wait';

/** Which work a pull belongs to: `high` may use the pulls `reserve` keeps back. @public */
export type BudgetPriority = 'high' | 'low';

/** Settings of a {@link PullBudget}. @public */
export interface PullBudgetOptions {
  /** `fail`: a `RateLimitError` before sending; `wait` (default): wait in arrival order. */
  readonly onExhausted?: BudgetExhaustedMode;
  /** Longest wait in `wait` mode, in ms (default 600 000). */
  readonly maxWaitMs?: number;
  /** Pulls low-priority work leaves for high-priority work (default 0). */
  readonly reserve?: number;
  /** Priority of this client's pulls unless a request says otherwise (`context.priority`); default `low`. */
  readonly priority?: BudgetPriority;
  /** How long a reservation counts when it is never settled (a killed worker), in ms (default 60 000). */
  readonly reservationMs?: number;
  /** Time source and sleeper (default the system clock). */
  readonly clock?: Clock;
  /** Where a switch to the local budget is reported (`fallback`). */
  readonly warn?: (message: string) => void;
  /** On a store failure, continue on a budget of this process instead of failing (default false). */
  readonly fallbackToLocal?: boolean;
  /**
   * The budget key of a request (registry and account), or undefined when the budget does not
   * cover it; several keys (a pool of accounts) to spend the one with the most pulls left.
   */
  readonly keyOf: (req: TransportRequest) => Promise<BudgetTarget | undefined> | BudgetTarget | undefined;
}

/** A budget key, with the request context tags a grant on it adds (e.g. `{ account }`). @public */
export interface BudgetKey {
  /** The key, e.g. `registry-1.docker.io/alice`. */
  readonly key: string;
  /** Tags a grant on this key adds to the request's context, e.g. `{ account: 'alice' }`. */
  readonly context?: Readonly<Record<string, unknown>>;
}

/** Where a request spends: one key, or several to choose from (the one with the most pulls left). @public */
export type BudgetTarget = string | BudgetKey | readonly BudgetKey[];

/** The shared state of one budget key (a registry and account). @public */
export interface BudgetKeyStatus {
  /** `registry/account`, or `registry/<anonymous key>`. */
  readonly key: string;
  /** Pulls per window, once a response said; undefined while unknown or not limited. */
  readonly limit: number | undefined;
  /** The window, in seconds. */
  readonly windowSeconds: number;
  /** Pulls that may start now; -1 when the registry sends no limit. */
  readonly remaining: number;
  /** Pulls counted in the current window (including the server's reports of others'). */
  readonly used: number;
  /** Reservations handed out and not settled yet. */
  readonly inFlight: number;
  /** Waiters queued across the fleet. */
  readonly waiters: number;
  /** When the next pull frees up, when known. */
  readonly resetAt: Date | undefined;
  /** Until when a 429 blocks everyone, when it does. */
  readonly blockedUntil: Date | undefined;
  /** The server's latest `ratelimit-remaining`. */
  readonly lastRemaining: number | undefined;
  /** When the server's latest figures were seen. */
  readonly lastObservedAt: Date | undefined;
  /** `docker-ratelimit-source` of the latest response. */
  readonly source: string | undefined;
}

/** A budget's state: where it lives and every key's status. @public */
export interface BudgetStatus {
  /** `memory`, `file:///path` or `redis://host:port/db` (never a password). */
  readonly store: string;
  /** True when the shared store failed and this process continues on its own budget. */
  readonly fellBack: boolean;
  /** Every registry and account the budget has seen, sorted by key. */
  readonly keys: readonly BudgetKeyStatus[];
}

interface PullGrant extends BudgetGrant {
  readonly key: string;
}

function isKeyList(target: BudgetKey | readonly BudgetKey[]): target is readonly BudgetKey[] {
  return Array.isArray(target);
}

/** How long a waiter stays queued without polling (a killed waiter leaves the queue after this). */
const TICKET_TTL_MS = 10_000;
/** Longest pause between two polls of a waiter. */
const POLL_MS = 250;

/**
 * A pull budget shared through a store (memory, a file, Redis): the {@link RequestBudget} the
 * client's transport consults for Docker Hub manifest GETs. Reservations are atomic in the
 * store; waiters are served in arrival order across every process using it; the server's
 * `ratelimit-*` headers settle the shared state and a 429 blocks everyone until its reset.
 * @public
 */
export class PullBudget implements RequestBudget {
  readonly #store: BudgetStore;
  readonly #clock: Clock;
  readonly #mode: BudgetExhaustedMode;
  readonly #maxWaitMs: number;
  readonly #reserve: number;
  readonly #priority: BudgetPriority;
  readonly #times: StoreTimes;
  readonly #options: PullBudgetOptions;
  #local: BudgetStore | undefined;

  /**
   * @param store - where the state lives
   * @param options - behaviour when exhausted, waits, reserve, key function
   * @internal
   */
  constructor(store: BudgetStore, options: PullBudgetOptions) {
    this.#store = store;
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#mode = options.onExhausted ?? 'wait';
    this.#maxWaitMs = options.maxWaitMs ?? 600_000;
    this.#reserve = options.reserve ?? 0;
    this.#priority = options.priority ?? 'low';
    this.#times = { reservationMs: options.reservationMs ?? 60_000, ticketTtlMs: TICKET_TTL_MS };
  }

  /** The store in use: the shared one, or this process's own after a fallback. */
  #current(): BudgetStore {
    return this.#local ?? this.#store;
  }

  /** Runs a store operation; on a shared-store failure falls back to a local budget when allowed. */
  async #withStore<T>(op: (store: BudgetStore) => Promise<T>): Promise<T> {
    const store = this.#current();
    try {
      return await op(store);
    } catch (err) {
      if (store === this.#local || this.#options.fallbackToLocal !== true || !(err instanceof BudgetStoreError)) throw err;
      this.#local = createMemoryStore(this.#clock);
      const reason = err instanceof Error ? err.message : String(err);
      this.#options.warn?.(`${reason}; continuing with a budget of this process only (fallback: local)`);
      return op(this.#local);
    }
  }

  /**
   * Reserves one pull for a request the budget covers, waiting in `wait` mode.
   * @param req - the request about to be sent
   * @returns the grant, or undefined when no key covers the request
   * @throws {@link @llmdevops/docker-hub-core!RateLimitError | RateLimitError} (not retryable) in `fail` mode when no pull is left, or when the wait would pass `maxWaitMs`;
   *   `AbortedError` when the request's signal aborts; {@link BudgetStoreError} when the store fails
   */
  async reserve(req: TransportRequest): Promise<BudgetGrant | undefined> {
    const target = await this.#options.keyOf(req);
    if (target === undefined) return undefined;
    const { key, context } = await this.#choose(target);
    const requested = req.context?.['priority'];
    const priority: BudgetPriority = requested === 'high' || requested === 'low' ? requested : this.#priority;
    const id = randomUUID();
    const started = this.#clock.now();
    const args = { id, priority, mode: this.#mode, reserve: this.#reserve, ...this.#times };
    for (;;) {
      const store = this.#current();
      const r = await this.#withStore((s) => s.reserve(key, args));
      if (r.granted) {
        const grant: PullGrant = { id, key, ...(context === undefined ? {} : { context }) };
        return grant;
      }
      const waitedMs = this.#clock.now() - started;
      const nextInMs = r.nextAt === undefined ? undefined : Math.max(0, r.nextAt - r.now);
      const tooLong = waitedMs >= this.#maxWaitMs || (nextInMs !== undefined && waitedMs + nextInMs > this.#maxWaitMs);
      if (this.#mode === 'fail' || tooLong) {
        if (this.#mode === 'wait') await this.#withStore((s) => s.release(key, id, this.#times)).catch(() => undefined);
        throw this.#refusal(`${key} (${store.address})`, r, nextInMs);
      }
      try {
        await this.#clock.sleep(Math.max(1, Math.min(POLL_MS, nextInMs ?? POLL_MS)), req.signal);
      } catch (err) {
        await this.#withStore((s) => s.release(key, id, this.#times)).catch(() => undefined);
        throw err instanceof AbortedError ? err : new AbortedError(`waiting for pull budget ${key}`, req.signal?.reason);
      }
    }
  }

  /** One key of a target: among several, the one with the most pulls left (unknown counts as most). */
  async #choose(target: BudgetTarget): Promise<BudgetKey> {
    if (typeof target === 'string') return { key: target };
    if (!isKeyList(target)) return target;
    let best: BudgetKey | undefined;
    let bestLeft = Number.NEGATIVE_INFINITY;
    for (const candidate of target) {
      const snap = await this.#withStore((s) => s.peek(candidate.key, this.#times));
      const left = snap === undefined || snap.remaining < 0 || snap.limit === undefined ? Number.POSITIVE_INFINITY : snap.remaining - snap.waiters;
      if (left > bestLeft) {
        best = candidate;
        bestLeft = left;
      }
    }
    if (best === undefined) throw new TypeError('a pull budget target needs at least one key');
    return best;
  }

  #refusal(what: string, r: { readonly remaining: number; readonly ahead: number }, nextInMs: number | undefined): RateLimitError {
    const { remaining, ahead } = r;
    const held = this.#reserve > 0 ? `, ${String(this.#reserve)} held in reserve for high priority` : '';
    const queue = ahead > 0 ? `, ${String(ahead)} waiting ahead` : '';
    const why = this.#mode === 'fail' ? 'no pull left' : `no pull within the longest wait of ${String(Math.round(this.#maxWaitMs / 1000))} s`;
    const err = new RateLimitError(
      `Docker Hub pull budget ${what}: ${why}: needed 1, remaining ${String(Math.max(0, remaining))}${held}${queue}; nothing was sent`,
      {
        ...(nextInMs === undefined ? {} : { resetAt: new Date(this.#clock.now() + nextInMs) }),
        remaining: Math.max(0, remaining),
        retryable: false,
      },
    );
    // Nothing was sent, so no HTTP status: the retry policy repeats a 429 answer after its reset,
    // which would turn a refusal (fail mode, or a wait past its limit) into more waiting.
    (err as { status: number | undefined }).status = undefined;
    return err;
  }

  /**
   * Settles a grant from the response's rate-limit headers (a 429 blocks the key for everyone).
   * A store failure here is reported and left to the reservation's expiry: the response is kept.
   * @param grant - the grant
   * @param outcome - status and headers
   * @returns when settled
   */
  async settle(grant: BudgetGrant, outcome: BudgetOutcome): Promise<void> {
    const g = grant as PullGrant;
    const status = outcome.rateLimit;
    const args = {
      id: g.id,
      rejected: outcome.status === 429,
      retryAfterMs: outcome.retryAfterMs,
      limit: status?.limit,
      remaining: status?.remaining,
      windowSeconds: status?.windowSeconds,
      source: status?.source,
      headers: status !== undefined,
      ok: outcome.status >= 200 && outcome.status < 300,
      ...this.#times,
    };
    try {
      await this.#withStore((s) => s.settle(g.key, args));
    } catch (err) {
      this.#options.warn?.(`${err instanceof Error ? err.message : String(err)}; the reservation expires on its own`);
    }
  }

  /**
   * Gives a grant back (the request failed without a response).
   * @param grant - the grant
   * @returns when released
   */
  async release(grant: BudgetGrant): Promise<void> {
    const g = grant as PullGrant;
    await this.#withStore((s) => s.release(g.key, g.id, this.#times)).catch(() => undefined);
  }

  /**
   * The shared state of every key: remaining pulls, reset, waiters, per account.
   * @returns the status
   * @throws {@link BudgetStoreError} when the store fails (without fallback)
   */
  async status(): Promise<BudgetStatus> {
    const keys = await this.#withStore((s) => s.snapshot(this.#times));
    const date = (ms: number | undefined): Date | undefined => (ms === undefined ? undefined : new Date(ms));
    return {
      store: this.#current().address,
      fellBack: this.#local !== undefined,
      keys: keys.map((k) => ({
        key: k.key,
        limit: k.limit,
        windowSeconds: k.windowSeconds,
        remaining: k.remaining,
        used: k.used,
        inFlight: k.inFlight,
        waiters: k.waiters,
        resetAt: date(k.nextAt),
        blockedUntil: date(k.blockedUntil),
        lastRemaining: k.lastRemaining,
        lastObservedAt: date(k.lastObservedAt),
        source: k.source,
      })),
    };
  }

  /**
   * Closes the store's connection.
   * @returns when closed
   */
  async close(): Promise<void> {
    await this.#store.close();
  }
}
