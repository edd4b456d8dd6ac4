import type { LedgerSnapshot, LedgerTimes, ReserveArgs, ReserveResult, SettleArgs } from './ledger.js';

/** Timing of an operation without `now`: the store supplies its own time (Redis: the server's). */
export type StoreTimes = Omit<LedgerTimes, 'now'>;

/** A store's answer to a reservation, with the store's time so waits are measured on one clock. */
export type StoreReserveResult = ReserveResult & { readonly now: number };

/** One key's state as a store reports it. */
export interface StoreKeySnapshot extends LedgerSnapshot {
  /** `registry/account` (or `registry/<anonymous key>`). */
  readonly key: string;
  /** The store's time when the snapshot was taken. */
  readonly now: number;
}

/**
 * Where a pull budget's state lives (memory, a file, Redis). Each operation is atomic across
 * every process sharing the store; the logic is the ledger's.
 * @internal
 */
export interface BudgetStore {
  /** `memory`, `file:///path` or `redis://host:port/db` (never a password). */
  readonly address: string;
  /** What kind of store, for messages: `memory`, `file` or `Redis`. */
  readonly kind: string;
  reserve(key: string, args: Omit<ReserveArgs, 'now'>): Promise<StoreReserveResult>;
  settle(key: string, args: Omit<SettleArgs, 'now'>): Promise<void>;
  release(key: string, id: string, times: StoreTimes): Promise<void>;
  snapshot(times: StoreTimes): Promise<StoreKeySnapshot[]>;
  /** One key's state, or undefined when nothing is known of it yet. */
  peek(key: string, times: StoreTimes): Promise<LedgerSnapshot | undefined>;
  close(): Promise<void>;
}
