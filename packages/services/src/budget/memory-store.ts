import type { Clock } from '@llmdevops/docker-hub-core';
import { emptyLedger, ledgerRelease, ledgerReserve, ledgerSettle, ledgerSnapshot, type LedgerState } from './ledger.js';
import type { BudgetStore, StoreKeySnapshot } from './store.js';

/**
 * The budget of one process, in memory.
 * @param clock - time source
 * @returns the store
 * @internal
 */
export function createMemoryStore(clock: Pick<Clock, 'now'>): BudgetStore {
  const states = new Map<string, LedgerState>();
  const state = (key: string): LedgerState => {
    let s = states.get(key);
    if (s === undefined) {
      s = emptyLedger();
      states.set(key, s);
    }
    return s;
  };
  return {
    address: 'memory',
    kind: 'memory',
    reserve(key, args) {
      const now = clock.now();
      return Promise.resolve({ ...ledgerReserve(state(key), { ...args, now }), now });
    },
    settle(key, args) {
      ledgerSettle(state(key), { ...args, now: clock.now() });
      return Promise.resolve();
    },
    release(key, id, times) {
      ledgerRelease(state(key), id, { ...times, now: clock.now() });
      return Promise.resolve();
    },
    snapshot(times) {
      const now = clock.now();
      const out: StoreKeySnapshot[] = [...states].map(([key, s]) => ({ key, now, ...ledgerSnapshot(s, { ...times, now }) }));
      return Promise.resolve(out.sort((a, b) => a.key.localeCompare(b.key)));
    },
    peek(key, times) {
      const s = states.get(key);
      return Promise.resolve(s === undefined ? undefined : ledgerSnapshot(s, { ...times, now: clock.now() }));
    },
    close: () => Promise.resolve(),
  };
}
