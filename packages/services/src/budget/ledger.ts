/**
 * The reservation logic of a shared pull budget, as pure functions over one plain state object
 * per budget key. The memory and file stores run these functions; the Redis store runs the same
 * steps in a Lua script (`redis-script.ts`), and a property test checks that both agree.
 *
 * The window is rolling, like Docker Hub's: every pull the fleet sent counts for `windowMs` from
 * the moment its response arrived (never earlier than the server counted it), reservations not
 * yet settled count until they expire, and the server's own figures add "foreign" entries when it
 * reports more use than the fleet knows of (the lowest remaining wins).
 */

/** One counted pull: counts until `at + windowMs`. */
export interface LedgerEntry {
  readonly id: string;
  readonly at: number;
}

/** A reservation handed out and not yet settled: counts until `expiresAt`. */
export interface LedgerReservation {
  readonly id: string;
  readonly expiresAt: number;
}

/** A waiter in a queue: served in `seq` order, dropped when its `beat` is older than the ticket TTL. */
export interface LedgerTicket {
  readonly id: string;
  readonly seq: number;
  beat: number;
}

/** The shared state of one budget key. */
export interface LedgerState {
  /** Pulls per window: undefined while unknown, -1 when the server sends no limit (not limited). */
  limit: number | undefined;
  windowMs: number;
  /** A 429 blocks the key for everyone until then (0: not blocked). */
  blockedUntil: number;
  log: LedgerEntry[];
  pending: LedgerReservation[];
  high: LedgerTicket[];
  low: LedgerTicket[];
  seq: number;
  /** The latest `ratelimit-remaining` and when it was seen. */
  lastRemaining: number | undefined;
  lastObservedAt: number | undefined;
  /** `docker-ratelimit-source` of the latest response (an IP or account id). */
  source: string | undefined;
}

/** Timing parameters every operation takes. */
export interface LedgerTimes {
  readonly now: number;
  /** How long an unsettled reservation counts (default in config: 60 s). */
  readonly reservationMs: number;
  /** How long a waiter stays queued without polling. */
  readonly ticketTtlMs: number;
}

/** A reservation request. */
export interface ReserveArgs extends LedgerTimes {
  readonly id: string;
  readonly priority: 'high' | 'low';
  readonly mode: 'wait' | 'fail';
  /** Pulls low-priority work leaves for high-priority work. */
  readonly reserve: number;
}

/** The answer to {@link ledgerReserve}. */
export type ReserveResult =
  | { readonly granted: true }
  | {
      readonly granted: false;
      /** Waiters ahead of this one (0 at the head). */
      readonly ahead: number;
      /** Pulls available now, before the reserve is held back. */
      readonly remaining: number;
      /** When the next pull frees up, when known. */
      readonly nextAt: number | undefined;
    };

/** What a response said, for {@link ledgerSettle}. */
export interface SettleArgs extends LedgerTimes {
  readonly id: string;
  /** The response was a 429: block everyone for `retryAfterMs` (or the window). */
  readonly rejected: boolean;
  readonly retryAfterMs: number | undefined;
  /** Parsed headers; undefined when the response had none. */
  readonly limit: number | undefined;
  readonly remaining: number | undefined;
  readonly windowSeconds: number | undefined;
  readonly source: string | undefined;
  /** Whether the response carried rate-limit headers at all. */
  readonly headers: boolean;
  /** Whether the response was a success (2xx); only a success without headers means "not limited". */
  readonly ok: boolean;
}

/** A key's state as reported by {@link ledgerSnapshot}. */
export interface LedgerSnapshot {
  readonly limit: number | undefined;
  readonly windowSeconds: number;
  /** Pulls available now (-1: not limited). */
  readonly remaining: number;
  readonly used: number;
  readonly inFlight: number;
  readonly waiters: number;
  readonly nextAt: number | undefined;
  readonly blockedUntil: number | undefined;
  readonly lastRemaining: number | undefined;
  readonly lastObservedAt: number | undefined;
  readonly source: string | undefined;
}

/** Docker Hub's window (6 h) until the server says otherwise. */
export const DEFAULT_WINDOW_MS = 21_600_000;

/**
 * A fresh state.
 * @returns the state of a key nothing is known about
 */
export function emptyLedger(): LedgerState {
  return {
    limit: undefined,
    windowMs: DEFAULT_WINDOW_MS,
    blockedUntil: 0,
    log: [],
    pending: [],
    high: [],
    low: [],
    seq: 0,
    lastRemaining: undefined,
    lastObservedAt: undefined,
    source: undefined,
  };
}

/** Drops what no longer counts: old pulls, expired reservations, silent waiters, a past block. */
function purge(s: LedgerState, t: LedgerTimes): void {
  s.log = s.log.filter((e) => e.at + s.windowMs > t.now);
  s.pending = s.pending.filter((p) => p.expiresAt > t.now);
  s.high = s.high.filter((w) => w.beat + t.ticketTtlMs > t.now);
  s.low = s.low.filter((w) => w.beat + t.ticketTtlMs > t.now);
  if (s.blockedUntil <= t.now) s.blockedUntil = 0;
}

/** Pulls that may start now (Infinity when not limited). */
function available(s: LedgerState): number {
  if (s.blockedUntil > 0) return 0;
  if (s.limit === undefined) return s.pending.length === 0 ? 1 : 0;
  if (s.limit < 0) return Number.POSITIVE_INFINITY;
  return Math.max(0, s.limit - s.log.length - s.pending.length);
}

/**
 * When the next pull frees up: a block ends, or the oldest counted pull leaves the window.
 * Reservations in flight are left out: they settle (or are released) within moments, and their
 * expiry only matters for a worker that died.
 */
function nextFree(s: LedgerState): number | undefined {
  if (s.blockedUntil > 0) return s.blockedUntil;
  let next: number | undefined;
  for (const e of s.log) if (next === undefined || e.at + s.windowMs < next) next = e.at + s.windowMs;
  return next;
}

/**
 * Tries to reserve one pull. In `wait` mode the caller joins (or stays in) its priority's queue
 * and is granted only when the waiters ahead of it would leave a pull for it; `fail` mode never
 * queues and never overtakes a waiter. High-priority waiters go before low-priority ones, and
 * only low priority leaves `reserve` pulls untouched.
 * @param s - the key's state (changed in place)
 * @param a - the request
 * @returns granted, or how things stand
 */
export function ledgerReserve(s: LedgerState, a: ReserveArgs): ReserveResult {
  purge(s, a);
  const avail = available(s);
  const threshold = a.priority === 'high' || s.limit === undefined ? avail : avail - a.reserve;
  const queue = a.priority === 'high' ? s.high : s.low;
  let ahead: number;
  if (a.mode === 'fail') {
    ahead = a.priority === 'high' ? s.high.length : s.high.length + s.low.length;
  } else {
    let index = queue.findIndex((w) => w.id === a.id);
    if (index < 0) {
      s.seq += 1;
      queue.push({ id: a.id, seq: s.seq, beat: a.now });
      index = queue.length - 1;
    } else {
      const ticket = queue[index];
      if (ticket !== undefined) ticket.beat = a.now;
    }
    ahead = a.priority === 'high' ? index : s.high.length + index;
  }
  if (ahead + 1 <= threshold) {
    if (a.mode === 'wait') {
      const i = queue.findIndex((w) => w.id === a.id);
      if (i >= 0) queue.splice(i, 1);
    }
    s.pending.push({ id: a.id, expiresAt: a.now + a.reservationMs });
    return { granted: true };
  }
  return { granted: false, ahead, remaining: Number.isFinite(avail) ? avail : -1, nextAt: nextFree(s) };
}

/**
 * Records a response: the reservation becomes a counted pull (from now, when the server has
 * surely counted it); the server's figures set the limit and window and add foreign entries when
 * it reports more use than the fleet knows of; a 429 blocks the key until its retry time.
 * @param s - the key's state (changed in place)
 * @param a - the response's figures
 */
export function ledgerSettle(s: LedgerState, a: SettleArgs): void {
  purge(s, a);
  s.pending = s.pending.filter((p) => p.id !== a.id);
  if (a.windowSeconds !== undefined && a.windowSeconds > 0) s.windowMs = a.windowSeconds * 1000;
  if (a.source !== undefined) s.source = a.source;
  if (a.rejected) {
    // A refused pull is not counted by the server; everyone waits for the reset.
    const until = a.now + (a.retryAfterMs ?? s.windowMs);
    if (until > s.blockedUntil) s.blockedUntil = until;
    if (a.limit !== undefined) s.limit = a.limit;
    s.lastRemaining = 0;
    s.lastObservedAt = a.now;
    return;
  }
  if (!a.headers) {
    // No rate-limit headers: not limited (until a response says otherwise).
    if (s.limit === undefined && a.ok) s.limit = -1;
    return;
  }
  if (a.limit !== undefined) s.limit = a.limit;
  else if (s.limit === -1) s.limit = undefined;
  if (a.remaining !== undefined) {
    s.lastRemaining = a.remaining;
    s.lastObservedAt = a.now;
    s.limit ??= a.remaining + s.log.length + s.pending.length + 1;
  }
  if (s.limit === undefined) return;
  s.log.push({ id: a.id, at: a.now });
  if (a.remaining === undefined) return;
  const known = s.log.length + s.pending.length;
  const used = s.limit - a.remaining;
  for (let i = known; i < used; i++) s.log.push({ id: `foreign:${a.id}:${String(i)}`, at: a.now });
}

/**
 * Gives a reservation back and leaves the queues (a failed request, a waiter giving up).
 * @param s - the key's state (changed in place)
 * @param id - the reservation or ticket
 * @param t - timing
 */
export function ledgerRelease(s: LedgerState, id: string, t: LedgerTimes): void {
  purge(s, t);
  s.pending = s.pending.filter((p) => p.id !== id);
  s.high = s.high.filter((w) => w.id !== id);
  s.low = s.low.filter((w) => w.id !== id);
}

/**
 * How a key stands now.
 * @param s - the key's state (purged in place)
 * @param t - timing
 * @returns the snapshot
 */
export function ledgerSnapshot(s: LedgerState, t: LedgerTimes): LedgerSnapshot {
  purge(s, t);
  const avail = available(s);
  return {
    limit: s.limit === undefined || s.limit < 0 ? undefined : s.limit,
    windowSeconds: s.windowMs / 1000,
    remaining: Number.isFinite(avail) ? avail : -1,
    used: s.log.length,
    inFlight: s.pending.length,
    waiters: s.high.length + s.low.length,
    nextAt: nextFree(s),
    blockedUntil: s.blockedUntil > 0 ? s.blockedUntil : undefined,
    lastRemaining: s.lastRemaining,
    lastObservedAt: s.lastObservedAt,
    source: s.source,
  };
}

/**
 * Reads a stored state back (JSON written by any store, including Lua's, where empty lists may
 * come back as `{}`); anything unreadable starts afresh.
 * @param value - parsed JSON
 * @returns the state
 */
export function ledgerFromJson(value: unknown): LedgerState {
  const s = emptyLedger();
  if (typeof value !== 'object' || value === null) return s;
  const v = value as Record<string, unknown>;
  const num = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);
  const list = <T>(x: unknown, ok: (e: Record<string, unknown>) => T | undefined): T[] =>
    Array.isArray(x) ? x.flatMap((e) => (typeof e === 'object' && e !== null ? [ok(e as Record<string, unknown>)] : [])).filter((e): e is T => e !== undefined) : [];
  s.limit = num(v['limit']);
  s.windowMs = num(v['windowMs']) ?? DEFAULT_WINDOW_MS;
  s.blockedUntil = num(v['blockedUntil']) ?? 0;
  s.seq = num(v['seq']) ?? 0;
  s.lastRemaining = num(v['lastRemaining']);
  s.lastObservedAt = num(v['lastObservedAt']);
  s.source = typeof v['source'] === 'string' ? v['source'] : undefined;
  s.log = list(v['log'], (e) => {
    const at = num(e['at']);
    return typeof e['id'] === 'string' && at !== undefined ? { id: e['id'], at } : undefined;
  });
  s.pending = list(v['pending'], (e) => {
    const expiresAt = num(e['expiresAt']);
    return typeof e['id'] === 'string' && expiresAt !== undefined ? { id: e['id'], expiresAt } : undefined;
  });
  const ticket = (e: Record<string, unknown>): LedgerTicket | undefined => {
    const seq = num(e['seq']);
    const beat = num(e['beat']);
    return typeof e['id'] === 'string' && seq !== undefined && beat !== undefined ? { id: e['id'], seq, beat } : undefined;
  };
  s.high = list(v['high'], ticket);
  s.low = list(v['low'], ticket);
  return s;
}
