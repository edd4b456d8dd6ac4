import { Readable } from 'node:stream';
import { AbortedError, CircuitOpenError, NetworkError, ServerError, type Clock } from '@llmdevops/docker-hub-core';
import { describe, expect, it } from 'vitest';
import { createEventBus, type BreakerStateChangeEvent } from '../../events/events.js';
import { withStats, type RequestStats } from '../../internal/request-stats.js';
import type { TransportRequest, TransportResponse } from '../../pipeline/types.js';
import { BreakerRegistry, createBreakerMiddleware, runAsOperation } from './breaker.js';
import type { CircuitBreakerOptions } from './consecutive-breaker.js';

const url = new URL('https://registry.test/v2/');

function request(stats?: RequestStats): TransportRequest {
  const req: TransportRequest = { method: 'GET', url, headers: {} };
  return stats === undefined ? req : withStats(req, stats);
}

function answer(status: number): TransportResponse {
  const partial: Partial<TransportResponse> = { status, headers: {}, url, body: Readable.from([]) };
  return partial as TransportResponse;
}

function setup(options: CircuitBreakerOptions = { failureThreshold: 2, resetTimeoutMs: 1000 }) {
  let now = 10_000;
  const clock: Clock = { now: () => now, sleep: async () => Promise.resolve() };
  const events = createEventBus();
  const changes: BreakerStateChangeEvent[] = [];
  events.on('breakerStateChange', (e) => changes.push(e));
  const registry = new BreakerRegistry(options, { events, clock });
  const mw = createBreakerMiddleware(registry);
  return {
    registry,
    changes,
    advance: (ms: number) => {
      now += ms;
    },
    send: async (req: TransportRequest, outcome: number | Error): Promise<TransportResponse> =>
      mw.handle(req, async () => {
        if (typeof outcome === 'number') return Promise.resolve(answer(outcome));
        throw outcome;
      }),
    state: () => registry.get('registry.test').stateAt(now).name,
  };
}

const refused = new NetworkError('connect ECONNREFUSED', { causeCode: 'ECONNREFUSED' });

describe('circuit breaker middleware', () => {
  it('opens after separate failing calls and fails with the last failure as cause, naming the 5xx status', async () => {
    const b = setup();
    await b.send(request(), refused).catch(() => undefined);
    await b.send(request(), 503);
    expect(b.state()).toBe('open');
    const err: unknown = await b.send(request(), 200).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CircuitOpenError);
    const cause = (err as CircuitOpenError).cause;
    expect(cause).toBeInstanceOf(ServerError);
    expect((cause as ServerError).status).toBe(503);
    expect(b.registry.lastFailure('REGISTRY.TEST')).toBe(cause);
  });

  it('reports the open breaker with the host lower-cased and the time it half-opens, and no time otherwise', async () => {
    const b = setup({ failureThreshold: 1, successThreshold: 1 });
    await b.send(request(), 500);
    b.advance(30_000);
    await b.send(request(), 200);
    expect(b.changes).toEqual([
      { host: 'registry.test', from: 'closed', to: 'open', halfOpenAt: new Date(10_000 + 30_000) },
      { host: 'registry.test', from: 'open', to: 'halfOpen', halfOpenAt: undefined },
      { host: 'registry.test', from: 'halfOpen', to: 'closed', halfOpenAt: undefined },
    ]);
    expect(b.registry.get('Registry.Test')).toBe(b.registry.get('registry.test'));
  });

  it('counts neither 501 nor errors that are not network failures or timeouts', async () => {
    const b = setup({ failureThreshold: 1 });
    await b.send(request(), 501);
    await b.send(request(), new AbortedError('GET')).catch(() => undefined);
    await b.send(request(), new Error('a bug')).catch(() => undefined);
    expect(b.state()).toBe('closed');
  });

  it('frees the half-open trial slot when the trial ends with an error that is not a failure', async () => {
    const b = setup({ failureThreshold: 1, resetTimeoutMs: 1000 });
    await b.send(request(), 500);
    b.advance(1000);
    await expect(b.send(request(), new AbortedError('GET'))).rejects.toBeInstanceOf(AbortedError);
    expect(b.state()).toBe('halfOpen');
    await expect(b.send(request(), 200)).resolves.toMatchObject({ status: 200 });
  });

  it('an older call that ends with an abort during a half-open trial leaves the trial slot taken', async () => {
    const b = setup({ failureThreshold: 1, resetTimeoutMs: 1000 });
    let abortOld: (err: Error) => void = () => undefined;
    const old = b.registry.get('registry.test');
    const mw = createBreakerMiddleware(b.registry);
    const oldCall = mw.handle(request(), async () => new Promise<TransportResponse>((_, reject) => {
      abortOld = reject;
    }));
    await b.send(request(), 500);
    b.advance(1000);
    let finishTrial: (res: TransportResponse) => void = () => undefined;
    const trial = mw.handle(request(), async () => new Promise<TransportResponse>((resolve) => {
      finishTrial = resolve;
    }));
    abortOld(new AbortedError('GET'));
    await expect(oldCall).rejects.toBeInstanceOf(AbortedError);
    expect(old.stateAt(11_000)).toMatchObject({ name: 'halfOpen', inFlight: true });
    await expect(b.send(request(), 200)).rejects.toBeInstanceOf(CircuitOpenError);
    finishTrial(answer(200));
    await trial;
  });

  it('counts a call and its retries (the same stats) as one operation, also when a later attempt runs elsewhere', async () => {
    const b = setup({ failureThreshold: 2 });
    const stats: RequestStats = { requestId: 1, attempts: 1 };
    await runAsOperation(async () => b.send(request(stats), 503));
    await b.send(request(stats), 503);
    await b.send(request(stats), 503);
    expect(b.state()).toBe('closed');
    await b.send(request({ requestId: 2, attempts: 1 }), 503);
    expect(b.state()).toBe('open');
  });

  it('counts requests without stats inside one operation once, and separately outside one', async () => {
    const b = setup({ failureThreshold: 2 });
    await runAsOperation(async () => {
      await b.send(request(), 503);
      await runAsOperation(async () => b.send(request(), 503));
    });
    expect(b.state()).toBe('closed');
    await b.send(request(), 503);
    expect(b.state()).toBe('open');
  });
});
