import { Readable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TransportRequest, TransportResponse } from '../../pipeline/types.js';
import {
  BUDGET_MIDDLEWARE,
  createBudgetMiddleware,
  type BudgetOutcome,
  type RequestBudget,
} from './budget.js';

const get: TransportRequest = {
  method: 'GET',
  url: new URL('https://registry.test/v2/a/manifests/1'),
  headers: {},
  context: { operation: 'pull' },
};

function response(
  status: number,
  headers: Record<string, string>,
  dumped: string[] = [],
): TransportResponse {
  const partial: Partial<TransportResponse> = {
    status,
    headers,
    url: get.url,
    body: Readable.from([]),
    dump: async () => {
      dumped.push('dump');
      return Promise.resolve();
    },
  };
  return partial as TransportResponse;
}

function budget(overrides: Partial<RequestBudget>): RequestBudget & { outcomes: BudgetOutcome[] } {
  const outcomes: BudgetOutcome[] = [];
  return {
    outcomes,
    reserve: async () => Promise.resolve({ id: 'g' }),
    settle: async (_g, outcome) => {
      outcomes.push(outcome);
      return Promise.resolve();
    },
    release: async () => Promise.resolve(),
    ...overrides,
  };
}

describe('budget middleware grants', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is named budget', () => {
    expect(createBudgetMiddleware({ budget: budget({}), selects: () => true }).name).toBe(
      BUDGET_MIDDLEWARE,
    );
    expect(BUDGET_MIDDLEWARE).toBe('budget');
  });

  it('sends the request unchanged and settles nothing when the budget grants no reservation', async () => {
    const b = budget({ reserve: async () => Promise.resolve(undefined) });
    const sent: TransportRequest[] = [];
    await createBudgetMiddleware({ budget: b, selects: () => true }).handle(get, async (r) => {
      sent.push(r);
      return Promise.resolve(response(200, {}));
    });
    expect(sent).toEqual([get]);
    expect(sent[0]).toBe(get);
    expect(b.outcomes).toEqual([]);
  });

  it("adds the grant's context to the request's, and sends the request itself when the grant has none", async () => {
    const sent: TransportRequest[] = [];
    const next = async (r: TransportRequest): Promise<TransportResponse> => {
      sent.push(r);
      return Promise.resolve(response(200, {}));
    };
    const withContext = budget({
      reserve: async () => Promise.resolve({ id: 'g', context: { account: 'bob' } }),
    });
    await createBudgetMiddleware({ budget: withContext, selects: () => true }).handle(get, next);
    expect(sent[0]?.context).toEqual({ operation: 'pull', account: 'bob' });
    await createBudgetMiddleware({ budget: budget({}), selects: () => true }).handle(get, next);
    expect(sent[1]).toBe(get);
  });

  it('discards the body and rethrows when settling fails', async () => {
    const failure = new Error('store down');
    const dumped: string[] = [];
    const b = budget({ settle: async () => Promise.reject(failure) });
    await expect(
      createBudgetMiddleware({ budget: b, selects: () => true }).handle(get, async () =>
        Promise.resolve(response(200, {}, dumped)),
      ),
    ).rejects.toBe(failure);
    expect(dumped).toEqual(['dump']);
  });

  it('rethrows the request error even when releasing the grant fails too', async () => {
    const failure = new Error('reset');
    const b = budget({ release: async () => Promise.reject(new Error('release failed')) });
    await expect(
      createBudgetMiddleware({ budget: b, selects: () => true }).handle(get, async () =>
        Promise.reject(failure),
      ),
    ).rejects.toBe(failure);
  });

  it('reads no retry delay for statuses other than 429, and uses the system time without a clock', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const b = budget({});
    const mw = createBudgetMiddleware({ budget: b, selects: () => true });
    await mw.handle(get, async () => Promise.resolve(response(503, { 'retry-after': '7' })));
    expect(b.outcomes[0]).toEqual({ status: 503, rateLimit: undefined, retryAfterMs: undefined });
    const reset = String(Date.parse('2026-01-01T00:00:30Z') / 1000);
    await mw.handle(get, async () => Promise.resolve(response(429, { 'x-retry-after': reset })));
    expect(b.outcomes[1]?.retryAfterMs).toBe(30_000);
  });
});
