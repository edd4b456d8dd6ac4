// The pull budget's Redis store against a real redis-server (started here on a free loopback
// port, no persistence): the Lua script agrees with the ledger it implements, reservations are
// shared between connections, and an unreachable or stopped Redis fails fast, or falls back to
// a local budget when configured.
import { Redis } from 'ioredis';
import fc from 'fast-check';
import { NetworkError, RateLimitError } from '@llmdevops/docker-hub-core';
import type { BudgetOutcome, TransportRequest } from '@llmdevops/docker-hub-transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../../tooling/redis/redis-server.js';
import {
  emptyLedger,
  ledgerFromJson,
  ledgerRelease,
  ledgerReserve,
  ledgerSettle,
  ledgerSnapshot,
  type LedgerState,
} from '../src/budget/ledger.js';
import { openPullBudget } from '../src/budget/open-budget.js';
import { LEDGER_SCRIPT } from '../src/budget/redis-script.js';

const req: TransportRequest = { method: 'GET', url: new URL('http://registry.test/v2/library/a/manifests/1'), headers: {} };
const TIMES = { reservationMs: 30_000, ticketTtlMs: 5_000 };

function headersOutcome(remaining: number, limit = 5): BudgetOutcome {
  return {
    status: 200,
    rateLimit: { limit, remaining, windowSeconds: 60, source: '127.0.0.1', resetAt: undefined, observedAt: new Date() },
    retryAfterMs: undefined,
  };
}

describe('pull budget in Redis', () => {
  let server: RedisServer;
  let redis: Redis;

  beforeAll(async () => {
    server = await startRedisServer();
    redis = new Redis(server.url, { lazyConnect: true });
    await redis.connect();
  });
  afterAll(async () => {
    await redis.quit();
    await server.dispose();
  });

  type Op =
    | { readonly op: 'reserve'; readonly pick: number; readonly fresh: boolean; readonly priority: 'high' | 'low'; readonly mode: 'wait' | 'fail'; readonly reserve: number }
    | { readonly op: 'settle'; readonly pick: number; readonly rejected: boolean; readonly remaining: number; readonly headers: boolean }
    | { readonly op: 'release'; readonly pick: number }
    | { readonly op: 'tick'; readonly ms: number };

  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({
      op: fc.constant('reserve' as const),
      pick: fc.nat(),
      fresh: fc.boolean(),
      priority: fc.constantFrom('high' as const, 'low' as const),
      mode: fc.constantFrom('wait' as const, 'fail' as const),
      reserve: fc.integer({ min: 0, max: 2 }),
    }),
    fc.record({ op: fc.constant('settle' as const), pick: fc.nat(), rejected: fc.boolean(), remaining: fc.integer({ min: 0, max: 6 }), headers: fc.boolean() }),
    fc.record({ op: fc.constant('release' as const), pick: fc.nat() }),
    fc.record({ op: fc.constant('tick' as const), ms: fc.integer({ min: 1, max: 20_000 }) }),
  );

  it('runs the same ledger as the TypeScript one: equal answers and equal state for any sequence of operations', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const key = `dhub:budget:{prop-${String(run++)}}`;
        const local: LedgerState = emptyLedger();
        const ids: string[] = [];
        let now = 1_000_000;
        const lua = async (name: string, args: object): Promise<Record<string, unknown>> =>
          JSON.parse(String(await redis.eval(LEDGER_SCRIPT, 1, key, name, JSON.stringify({ ...args, now, ...TIMES })))) as Record<string, unknown>;
        for (const o of ops) {
          if (o.op === 'tick') {
            now += o.ms;
            continue;
          }
          const pickId = (): string => ids[o.pick % Math.max(1, ids.length)] ?? 'none';
          if (o.op === 'reserve') {
            const id = o.fresh || ids.length === 0 ? `id${String(ids.push(`id${String(ids.length)}`) - 1)}` : pickId();
            const args = { id, priority: o.priority, mode: o.mode, reserve: o.reserve };
            const mine = ledgerReserve(local, { ...args, now, ...TIMES });
            const theirs = await lua('reserve', args);
            expect({ ...theirs, now: undefined }).toEqual({ ...mine, now: undefined });
          } else if (o.op === 'settle') {
            const args = {
              id: pickId(),
              rejected: o.rejected,
              retryAfterMs: o.rejected ? 7_000 : undefined,
              limit: o.headers ? 5 : undefined,
              remaining: o.headers ? o.remaining : undefined,
              windowSeconds: o.headers ? 60 : undefined,
              source: o.headers ? 'ip' : undefined,
              headers: o.headers,
              ok: !o.rejected,
            };
            ledgerSettle(local, { ...args, now, ...TIMES });
            await lua('settle', args);
          } else {
            const id = pickId();
            ledgerRelease(local, id, { now, ...TIMES });
            await lua('release', { id });
          }
          const stored = ledgerFromJson(JSON.parse((await redis.get(key)) ?? '{}'));
          expect(stored).toEqual(local);
        }
        if (ops.length > 0 && (await redis.exists(key)) === 1) {
          const snap = await lua('snapshot', {});
          expect({ ...snap, now: undefined }).toEqual(JSON.parse(JSON.stringify({ ...ledgerSnapshot(local, { now, ...TIMES }), now: undefined })));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('shares one budget between two connections (two machines): the second sees the first one\'s pulls', async () => {
    const url = `${server.url.replace(/\/0$/, '')}/1`;
    const a = openPullBudget({ url, onExhausted: 'fail', keyOf: () => 'registry.test/ci' });
    const b = openPullBudget({ url, onExhausted: 'fail', keyOf: () => 'registry.test/ci' });
    try {
      const first = await a.reserve(req);
      expect(first).toBeDefined();
      // The limit is not known yet: one pull at a time, fleet-wide.
      await expect(b.reserve(req)).rejects.toBeInstanceOf(RateLimitError);
      if (first !== undefined) await a.settle(first, headersOutcome(4, 5));
      for (let i = 0; i < 4; i++) {
        const g = await (i % 2 === 0 ? b : a).reserve(req);
        if (g !== undefined) await a.settle(g, headersOutcome(3 - i, 5));
      }
      const refused = await b.reserve(req).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(RateLimitError);
      expect((refused as RateLimitError).message).toMatch(/needed 1, remaining 0.*nothing was sent; resets at \d{4}-/);
      expect((refused as RateLimitError).retryable).toBe(false);
      const status = await b.status();
      expect(status.store).toBe(url);
      expect(status.keys).toEqual([expect.objectContaining({ key: 'registry.test/ci', limit: 5, remaining: 0, used: 5, inFlight: 0, source: '127.0.0.1' })]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('fails within seconds with an error naming Redis and its address when nothing listens there', async () => {
    const dead = await startRedisServer();
    const url = dead.url;
    await dead.dispose();
    const budget = openPullBudget({ url, keyOf: () => 'registry.test/ci' });
    try {
      const err = await budget.reserve(req).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NetworkError);
      expect((err as NetworkError).causeCode).toBe('BUDGET_STORE_UNAVAILABLE');
      expect((err as Error).message).toContain(`Redis at ${url} is unreachable`);
    } finally {
      await budget.close();
    }
  });

  it('when Redis stops mid-run: a clear error without fallback, the local budget with one warning with fallback: local', async () => {
    const own = await startRedisServer();
    const warnings: string[] = [];
    const strict = openPullBudget({ url: own.url, onExhausted: 'fail', keyOf: () => 'registry.test/ci' });
    const lenient = openPullBudget({
      url: own.url,
      onExhausted: 'fail',
      fallback: 'local',
      warn: (m) => warnings.push(m),
      keyOf: () => 'registry.test/ci',
    });
    try {
      const g1 = await strict.reserve(req);
      if (g1 !== undefined) await strict.settle(g1, headersOutcome(4));
      const g2 = await lenient.reserve(req);
      if (g2 !== undefined) await lenient.settle(g2, headersOutcome(3));
      await own.stop();
      const err = await strict.reserve(req).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NetworkError);
      expect((err as Error).message).toMatch(new RegExp(`^Redis at ${own.url.replace(/[.]/g, '\\.')} failed \\(.+\\); the shared pull budget cannot be used$`));
      expect(await lenient.reserve(req)).toBeDefined();
      const status = await lenient.status();
      expect(status).toMatchObject({ store: 'memory', fellBack: true });
    } finally {
      await strict.close();
      await lenient.close();
      await own.dispose();
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^Redis at redis:\/\/127\.0\.0\.1:\d+\/0 failed .*continuing with a budget of this process only \(fallback: local\)$/);
  });
});
