import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyLedger, ledgerRelease, ledgerReserve, ledgerSettle, type LedgerState } from './ledger.js';

const LIMIT = 5;
const WINDOW_S = 10;
const WINDOW_MS = WINDOW_S * 1000;
const TIMES = { reservationMs: 3_600_000, ticketTtlMs: 3_600_000 };

/** One step of a run: a new request, a poll of a waiter, a response, a failure, time passing. */
type Step =
  | { readonly kind: 'arrive'; readonly priority: 'high' | 'low'; readonly mode: 'wait' | 'fail' }
  | { readonly kind: 'poll'; readonly pick: number }
  | { readonly kind: 'answer'; readonly pick: number }
  | { readonly kind: 'fail'; readonly pick: number }
  | { readonly kind: 'tick'; readonly ms: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('arrive' as const), priority: fc.constantFrom('high' as const, 'low' as const), mode: fc.constantFrom('wait' as const, 'fail' as const) }),
  fc.record({ kind: fc.constant('poll' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('answer' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('fail' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 4000 }) }),
);

/** The registry's side: a rolling window that counts a pull when it arrives. */
class ModelServer {
  readonly counted: number[] = [];
  answer(now: number): { remaining: number; rejected: boolean } {
    const inWindow = this.counted.filter((t) => t > now - WINDOW_MS).length;
    if (inWindow >= LIMIT) return { remaining: 0, rejected: true };
    this.counted.push(now);
    return { remaining: LIMIT - inWindow - 1, rejected: false };
  }
}

interface Run {
  /** Times of grants that were sent (not released). */
  readonly sent: number[];
  readonly rejections: number;
  /** Wait-mode grants made while an earlier waiter of the same priority could not have been served. */
  readonly overtakes: string[];
  /** Wait-mode grants, to show the runs exercise queueing. */
  readonly waitGrants: number;
}

/**
 * Plays a run of steps against the ledger and a model registry. Responses arrive at once when
 * answered, so the ledger settles with the server's figures.
 */
function play(steps: readonly Step[], reserve: number): Run {
  const s: LedgerState = emptyLedger();
  const server = new ModelServer();
  let now = 1_000_000;
  let next = 0;
  const waiting: { id: string; priority: 'high' | 'low' }[] = [];
  const inFlight: string[] = [];
  const sent: number[] = [];
  let rejections = 0;
  const overtakes: string[] = [];
  let waitGrants = 0;
  const reserveOnce = (id: string, priority: 'high' | 'low', mode: 'wait' | 'fail'): boolean => {
    const r = ledgerReserve(s, { id, priority, mode, reserve, now, ...TIMES });
    if (!r.granted) return false;
    inFlight.push(id);
    if (mode === 'wait') {
      waitGrants++;
      // Every earlier waiter of this priority must still be servable now: nobody was overtaken.
      const probe = structuredClone(s);
      const order = Number(id.slice(1));
      for (const w of waiting) {
        if (w.priority !== priority || Number(w.id.slice(1)) > order || w.id === id) continue;
        if (!ledgerReserve(probe, { id: w.id, priority, mode: 'wait', reserve, now, ...TIMES }).granted) overtakes.push(`${id} over ${w.id}`);
      }
    }
    return true;
  };
  for (const st of steps) {
    if (st.kind === 'tick') now += st.ms;
    else if (st.kind === 'arrive') {
      const id = `r${String(next++)}`;
      const granted = reserveOnce(id, st.priority, st.mode);
      if (!granted && st.mode === 'wait') waiting.push({ id, priority: st.priority });
    } else if (st.kind === 'poll' && waiting.length > 0) {
      const i = st.pick % waiting.length;
      const w = waiting[i];
      if (w !== undefined && reserveOnce(w.id, w.priority, 'wait')) waiting.splice(i, 1);
    } else if (st.kind === 'answer' && inFlight.length > 0) {
      const [id] = inFlight.splice(st.pick % inFlight.length, 1);
      if (id === undefined) continue;
      sent.push(now);
      const a = server.answer(now);
      if (a.rejected) rejections++;
      ledgerSettle(s, {
        id,
        now,
        ...TIMES,
        rejected: a.rejected,
        retryAfterMs: a.rejected ? WINDOW_MS : undefined,
        limit: LIMIT,
        remaining: a.remaining,
        windowSeconds: WINDOW_S,
        source: undefined,
        headers: true,
        ok: !a.rejected,
      });
    } else if (st.kind === 'fail' && inFlight.length > 0) {
      const [id] = inFlight.splice(st.pick % inFlight.length, 1);
      if (id !== undefined) ledgerRelease(s, id, { now, ...TIMES });
    }
  }
  return { sent, rejections, overtakes, waitGrants };
}

describe('pull budget ledger against a model registry', () => {
  it('never lets more pulls reach the registry than its limit within any rolling window (so no 429)', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 300 }), fc.integer({ min: 0, max: 3 }), (steps, reserve) => {
        const run = play(steps, reserve);
        for (const t of run.sent) {
          expect(run.sent.filter((u) => u > t - WINDOW_MS && u <= t).length).toBeLessThanOrEqual(LIMIT);
        }
        expect(run.rejections).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('serves waiters of one priority in arrival order: a later waiter is granted only while every earlier one could be too', () => {
    let queued = 0;
    fc.assert(
      fc.property(fc.array(step, { maxLength: 300 }), fc.integer({ min: 0, max: 3 }), (steps, reserve) => {
        const run = play(steps, reserve);
        queued += run.waitGrants;
        expect(run.overtakes).toEqual([]);
      }),
      { numRuns: 300 },
    );
    expect(queued).toBeGreaterThan(0);
  });

  it('leaves the reserve to high priority: low priority never takes the last pulls', () => {
    const s = emptyLedger();
    const now = 1_000_000;
    const settle = (id: string, remaining: number): void => {
      ledgerSettle(s, { id, now, ...TIMES, rejected: false, retryAfterMs: undefined, limit: LIMIT, remaining, windowSeconds: WINDOW_S, source: undefined, headers: true, ok: true });
    };
    expect(ledgerReserve(s, { id: 'a', priority: 'low', mode: 'fail', reserve: 2, now, ...TIMES }).granted).toBe(true);
    settle('a', 4);
    expect(ledgerReserve(s, { id: 'b', priority: 'low', mode: 'fail', reserve: 2, now, ...TIMES }).granted).toBe(true);
    expect(ledgerReserve(s, { id: 'c', priority: 'low', mode: 'fail', reserve: 2, now, ...TIMES }).granted).toBe(true);
    const refused = ledgerReserve(s, { id: 'd', priority: 'low', mode: 'fail', reserve: 2, now, ...TIMES });
    expect(refused).toMatchObject({ granted: false, remaining: 2 });
    expect(ledgerReserve(s, { id: 'e', priority: 'high', mode: 'fail', reserve: 2, now, ...TIMES }).granted).toBe(true);
    expect(ledgerReserve(s, { id: 'f', priority: 'high', mode: 'fail', reserve: 2, now, ...TIMES }).granted).toBe(true);
    expect(ledgerReserve(s, { id: 'g', priority: 'high', mode: 'fail', reserve: 2, now, ...TIMES }).granted).toBe(false);
  });

  it('counts pulls the server reports beyond the fleet\'s own (the lowest remaining wins)', () => {
    const s = emptyLedger();
    const now = 1_000_000;
    expect(ledgerReserve(s, { id: 'a', priority: 'low', mode: 'fail', reserve: 0, now, ...TIMES }).granted).toBe(true);
    // Someone else spent 3 pulls: the server says 1 left after ours.
    ledgerSettle(s, { id: 'a', now, ...TIMES, rejected: false, retryAfterMs: undefined, limit: LIMIT, remaining: 1, windowSeconds: WINDOW_S, source: undefined, headers: true, ok: true });
    expect(ledgerReserve(s, { id: 'b', priority: 'low', mode: 'fail', reserve: 0, now, ...TIMES }).granted).toBe(true);
    expect(ledgerReserve(s, { id: 'c', priority: 'low', mode: 'fail', reserve: 0, now, ...TIMES })).toMatchObject({ granted: false, remaining: 0, nextAt: now + WINDOW_MS });
    // The window rolls: everything counted at `now` leaves together.
    expect(ledgerReserve(s, { id: 'd', priority: 'low', mode: 'fail', reserve: 0, now: now + WINDOW_MS, ...TIMES }).granted).toBe(true);
  });

  it('blocks every caller until the retry time after a 429, and recovers an unsettled reservation when it expires', () => {
    const s = emptyLedger();
    const now = 1_000_000;
    const times = { reservationMs: 60_000, ticketTtlMs: 10_000 };
    expect(ledgerReserve(s, { id: 'a', priority: 'high', mode: 'fail', reserve: 0, now, ...times }).granted).toBe(true);
    ledgerSettle(s, { id: 'a', now, ...times, rejected: true, retryAfterMs: 5_000, limit: LIMIT, remaining: 0, windowSeconds: WINDOW_S, source: undefined, headers: true, ok: false });
    expect(ledgerReserve(s, { id: 'b', priority: 'high', mode: 'fail', reserve: 0, now: now + 4_999, ...times })).toMatchObject({ granted: false, nextAt: now + 5_000 });
    expect(ledgerReserve(s, { id: 'c', priority: 'high', mode: 'fail', reserve: 0, now: now + 5_000, ...times }).granted).toBe(true);
    // 'c' is never settled (its worker died): while the limit is known, it counts until it expires.
    const fresh = emptyLedger();
    expect(ledgerReserve(fresh, { id: 'x', priority: 'low', mode: 'fail', reserve: 0, now, ...times }).granted).toBe(true);
    expect(ledgerReserve(fresh, { id: 'y', priority: 'low', mode: 'fail', reserve: 0, now: now + 59_999, ...times }).granted).toBe(false);
    expect(ledgerReserve(fresh, { id: 'z', priority: 'low', mode: 'fail', reserve: 0, now: now + 60_000, ...times }).granted).toBe(true);
  });

  it('drops a waiter that stopped polling (a killed process) after the ticket TTL, so the next one is served', () => {
    const s = emptyLedger();
    const now = 1_000_000;
    const times = { reservationMs: 60_000, ticketTtlMs: 10_000 };
    const settle = (id: string, at: number): void => {
      ledgerSettle(s, { id, now: at, ...times, rejected: false, retryAfterMs: undefined, limit: 1, remaining: 0, windowSeconds: 5, source: undefined, headers: true, ok: true });
    };
    expect(ledgerReserve(s, { id: 'a', priority: 'low', mode: 'wait', reserve: 0, now, ...times }).granted).toBe(true);
    settle('a', now);
    // 'dead' queues first and never polls again; 'live' queues behind it and keeps polling.
    expect(ledgerReserve(s, { id: 'dead', priority: 'low', mode: 'wait', reserve: 0, now, ...times })).toMatchObject({ granted: false, ahead: 0 });
    expect(ledgerReserve(s, { id: 'live', priority: 'low', mode: 'wait', reserve: 0, now: now + 1, ...times })).toMatchObject({ granted: false, ahead: 1 });
    // The window has rolled, but 'dead' is still ahead until its ticket expires.
    expect(ledgerReserve(s, { id: 'live', priority: 'low', mode: 'wait', reserve: 0, now: now + 6_000, ...times }).granted).toBe(false);
    expect(ledgerReserve(s, { id: 'live', priority: 'low', mode: 'wait', reserve: 0, now: now + 10_000, ...times }).granted).toBe(true);
  });
});
