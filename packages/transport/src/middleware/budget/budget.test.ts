import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { NetworkError } from '@llmdevops/docker-hub-core';
import type { TransportRequest, TransportResponse } from '../../pipeline/types.js';
import { createBudgetMiddleware, type BudgetGrant, type BudgetOutcome, type RequestBudget } from './budget.js';

function response(status: number, headers: Record<string, string>): TransportResponse {
  const partial: Partial<TransportResponse> = {
    status,
    headers,
    url: new URL('https://registry.test/v2/a/manifests/1'),
    body: Readable.from([]),
    dump: async () => undefined,
  };
  return partial as TransportResponse;
}

function recordingBudget(log: string[], options: { refuse?: Error } = {}): RequestBudget & { outcomes: BudgetOutcome[] } {
  const outcomes: BudgetOutcome[] = [];
  return {
    outcomes,
    reserve: async () => {
      log.push('reserve');
      if (options.refuse !== undefined) throw options.refuse;
      return { id: 'g1' };
    },
    settle: async (grant: BudgetGrant, outcome: BudgetOutcome) => {
      log.push(`settle ${grant.id}`);
      outcomes.push(outcome);
    },
    release: async (grant: BudgetGrant) => {
      log.push(`release ${grant.id}`);
    },
  };
}

const get: TransportRequest = { method: 'GET', url: new URL('https://registry.test/v2/a/manifests/1'), headers: {} };
const NOW = 1_700_000_000_000;

describe('budget middleware', () => {
  it('leaves requests the predicate does not select alone', async () => {
    const log: string[] = [];
    const mw = createBudgetMiddleware({ budget: recordingBudget(log), selects: (r) => r.method === 'GET' });
    await mw.handle({ ...get, method: 'HEAD' }, async () => {
      log.push('send');
      return response(200, {});
    });
    expect(log).toEqual(['send']);
  });

  it('reserves before sending and settles from the response\'s rate-limit headers', async () => {
    const log: string[] = [];
    const budget = recordingBudget(log);
    const mw = createBudgetMiddleware({ budget, selects: () => true, clock: { now: () => NOW } });
    await mw.handle(get, async () => {
      log.push('send');
      return response(200, { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '42;w=21600', 'docker-ratelimit-source': 'acct' });
    });
    expect(log).toEqual(['reserve', 'send', 'settle g1']);
    expect(budget.outcomes[0]).toMatchObject({ status: 200, rateLimit: { limit: 100, remaining: 42, windowSeconds: 21600, source: 'acct' }, retryAfterMs: undefined });
  });

  it('settles a 429 with the server\'s retry delay', async () => {
    const log: string[] = [];
    const budget = recordingBudget(log);
    const mw = createBudgetMiddleware({ budget, selects: () => true, clock: { now: () => NOW } });
    const res = await mw.handle(get, async () => response(429, { 'retry-after': '12', 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '0' }));
    expect(res.status).toBe(429);
    expect(budget.outcomes[0]).toMatchObject({ status: 429, retryAfterMs: 12_000, rateLimit: { remaining: 0 } });
  });

  it('releases the grant when the request fails without a response, and rethrows', async () => {
    const log: string[] = [];
    const mw = createBudgetMiddleware({ budget: recordingBudget(log), selects: () => true });
    const failure = new NetworkError('GET https://registry.test/v2/a/manifests/1: connection reset');
    await expect(mw.handle(get, async () => Promise.reject(failure))).rejects.toBe(failure);
    expect(log).toEqual(['reserve', 'release g1']);
  });

  it('sends nothing when the budget refuses', async () => {
    const log: string[] = [];
    const refusal = new Error('no pull left');
    const mw = createBudgetMiddleware({ budget: recordingBudget(log, { refuse: refusal }), selects: () => true });
    await expect(
      mw.handle(get, async () => {
        log.push('send');
        return response(200, {});
      }),
    ).rejects.toBe(refusal);
    expect(log).toEqual(['reserve']);
  });
});
