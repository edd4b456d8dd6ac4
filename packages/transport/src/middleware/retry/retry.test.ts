import { Readable } from 'node:stream';
import {
  AbortedError,
  CircuitOpenError,
  NetworkError,
  RateLimitError,
  ValidationError,
  type Clock,
} from '@llmdevops/docker-hub-core';
import { describe, expect, it } from 'vitest';
import { createResponse } from '../../dispatch/response.js';
import { createEventBus, type RetryEvent } from '../../events/events.js';
import { withStats } from '../../internal/request-stats.js';
import type { RequestContext, TransportRequest, TransportResponse } from '../../pipeline/types.js';
import { createRetryMiddleware, runRetrying, type RetryDeps } from './retry.js';

const url = new URL('https://registry.test/v2/library/app/blobs/sha256:1');

/** A clock whose sleeps end at once (or, with `hang`, only by an abort, like the system clock). */
function testClock(options: { hang?: boolean; fail?: Error } = {}): Clock & { sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => Date.UTC(2026, 0, 1),
    sleep: async (ms, signal) => {
      sleeps.push(ms);
      if (options.fail !== undefined) throw options.fail;
      if (signal?.aborted === true) throw new AbortedError('wait', signal.reason);
      if (options.hang !== true) return;
      await new Promise<void>((_, reject) => {
        signal?.addEventListener('abort', () => {
          reject(new AbortedError('wait', signal.reason));
        });
      });
    },
  };
}

function setup(clock = testClock(), maxRetries = 3): { deps: RetryDeps; events: RetryEvent[] } {
  const bus = createEventBus();
  const events: RetryEvent[] = [];
  bus.on('retry', (e) => events.push(e));
  const deps: RetryDeps = {
    policy: { maxRetries, maxRetryWaitMs: 60_000, backoff: { baseMs: 100, capMs: 1_000, random: () => 1 } },
    clock,
    events: bus,
  };
  return { deps, events };
}

function answer(status: number, headers: Record<string, string> = {}, body: Readable = Readable.from([])): TransportResponse {
  return createResponse({ status, headers, url, body, what: 'test body' });
}

/** A next stage that plays the outcomes in order (a status, a response or an error to throw). */
function script(...outcomes: (number | TransportResponse | Error)[]): { next: (req: TransportRequest) => Promise<TransportResponse>; sent: TransportRequest[] } {
  const sent: TransportRequest[] = [];
  return {
    sent,
    next: async (req) => {
      sent.push(req);
      const o = outcomes.shift();
      if (o === undefined) throw new Error('no more outcomes');
      if (o instanceof Error) throw o;
      return typeof o === 'number' ? answer(o) : o;
    },
  };
}

const get = (extra: Partial<TransportRequest> = {}): TransportRequest => ({ method: 'GET', url, headers: {}, ...extra });
const reset = (): NetworkError => new NetworkError('GET: ECONNRESET', { causeCode: 'ECONNRESET' });

describe('retry middleware', () => {
  it('retries a 503 on a request without stats or context, reporting request id 0 and the status as reason', async () => {
    const { deps, events } = setup();
    const { next, sent } = script(503, 200);
    const res = await createRetryMiddleware(deps).handle(get(), next);
    expect(res.status).toBe(200);
    expect(sent).toHaveLength(2);
    expect(events).toEqual([
      { requestId: 0, method: 'GET', host: 'registry.test', route: url.pathname, operation: undefined, attempt: 1, delayMs: 100, reason: 'status 503' },
    ]);
    expect(deps.clock.now()).toBe(Date.UTC(2026, 0, 1));
  });

  it('reports the request id of the stats and only a string operation', async () => {
    const { deps, events } = setup();
    const req = withStats(get({ context: { operation: 42 } as unknown as RequestContext }), { requestId: 7, attempts: 0 });
    await createRetryMiddleware(deps).handle(req, script(502, 200).next);
    expect(events[0]).toMatchObject({ requestId: 7, operation: undefined });
  });

  it('rethrows the failure of an aborted request at once, without deciding or waiting', async () => {
    const clock = testClock();
    const { deps } = setup(clock);
    const controller = new AbortController();
    controller.abort();
    const failure = reset();
    const { next, sent } = script(failure, 200);
    await expect(createRetryMiddleware(deps).handle(get({ signal: controller.signal }), next)).rejects.toBe(failure);
    expect(sent).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('names the request in the RateLimitError of a 429 it cannot wait out', async () => {
    const { deps } = setup();
    const err: unknown = await createRetryMiddleware(deps)
      .handle(get(), script(answer(429, { 'retry-after': '3600' })).next)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as Error).message).toContain(`GET ${url.href}`);
  });

  it('names the request in the AbortedError of an abort during the wait, with the reason as cause', async () => {
    const { deps } = setup(testClock({ hang: true }));
    const controller = new AbortController();
    const pending = createRetryMiddleware(deps).handle(get({ signal: controller.signal }), script(503).next);
    const reason = new Error('user stop');
    setTimeout(() => {
      controller.abort(reason);
    }, 0);
    const err: unknown = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortedError);
    expect((err as Error).message).toBe(`GET ${url.href}: aborted`);
    expect((err as Error).cause).toBe(reason);
  });

  it('ends with an AbortedError carrying the clock error when a wait without signal fails', async () => {
    const broken = new Error('clock broke');
    const { deps } = setup(testClock({ fail: broken }));
    const err: unknown = await createRetryMiddleware(deps).handle(get(), script(503).next).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortedError);
    expect((err as Error).cause).toBe(broken);
  });

  it('when an open breaker refuses a retry, reports the own network failure before it, also after a 5xx in between', async () => {
    const { deps } = setup();
    const failure = reset();
    const refusal = new CircuitOpenError('registry.test', new Date(0));
    await expect(createRetryMiddleware(deps).handle(get(), script(failure, 503, refusal).next)).rejects.toBe(failure);
  });

  it('reports a permanent error after a retried failure as itself, not as the earlier failure', async () => {
    const { deps } = setup();
    const permanent = new ValidationError('INVALID_ARGUMENT', 'bad request', 'x');
    await expect(createRetryMiddleware(deps).handle(get(), script(reset(), permanent).next)).rejects.toBe(permanent);
  });

  it('gives a resumable body only to a GET without Range marked resume whose answer is 200', async () => {
    const { deps } = setup();
    const mw = createRetryMiddleware(deps);
    const cases: [TransportRequest, number][] = [
      [get({ method: 'HEAD', context: { resume: true } }), 200],
      [get({ headers: { range: 'bytes=5-' }, context: { resume: true } }), 200],
      [get({ context: { resume: true } }), 206],
      [get({ context: { resume: 'yes' } as unknown as RequestContext }), 200],
    ];
    for (const [req, status] of cases) {
      const res = answer(status);
      await expect(mw.handle(req, script(res).next)).resolves.toBe(res);
    }
    const first = answer(200);
    await expect(mw.handle(get({ context: { resume: true } }), script(first).next)).resolves.not.toBe(first);
  });

  it('waits by the policy before a resume and reports it as a retry of the request', async () => {
    const clock = testClock();
    const { deps, events } = setup(clock);
    const broken = new Readable({ read() { /* the test pushes */ } });
    const first = answer(200, {}, broken);
    const rest = answer(206, { 'content-range': 'bytes 3-5/6' }, Readable.from([Buffer.from('def')]));
    const req = withStats(get({ context: { resume: true } }), { requestId: 9, attempts: 0 });
    const res = await createRetryMiddleware(deps).handle(req, script(first, rest).next);
    broken.push(Buffer.from('abc'));
    setTimeout(() => broken.destroy(reset()), 0);
    expect(await res.text()).toBe('abcdef');
    expect(clock.sleeps).toEqual([100]);
    expect(events).toEqual([expect.objectContaining({ requestId: 9, attempt: 1, delayMs: 100, reason: 'NETWORK', method: 'GET' })]);
  });

  it('names the request in the error of a body whose resume wait was aborted', async () => {
    const { deps } = setup(testClock({ hang: true }));
    const controller = new AbortController();
    const broken = new Readable({ read() { /* the test pushes */ } });
    const res = await createRetryMiddleware(deps).handle(get({ signal: controller.signal, context: { resume: true } }), script(answer(200, {}, broken)).next);
    broken.push(Buffer.from('abc'));
    setTimeout(() => broken.destroy(reset()), 0);
    setTimeout(() => {
      controller.abort();
    }, 5);
    const err: unknown = await res.text().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortedError);
    expect((err as Error).message).toBe(`GET ${url.href}: aborted`);
  });
});

describe('runRetrying', () => {
  it('rethrows the failure of an aborted step at once, without deciding or waiting', async () => {
    const clock = testClock();
    const { deps } = setup(clock);
    const controller = new AbortController();
    const failure = reset();
    let runs = 0;
    const step = async (): Promise<never> => {
      runs++;
      controller.abort();
      return Promise.reject(failure);
    };
    await expect(runRetrying(deps, step, { what: 'step', signal: controller.signal })).rejects.toBe(failure);
    expect(runs).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('reports a step retry with method STEP, request id 0 and the host and route given, or empty ones', async () => {
    const { deps, events } = setup();
    for (const extra of [{ url, route: '/v2/{name}/blobs/uploads/{uuid}', operation: 'blobs.uploads' }, {}]) {
      let runs = 0;
      await runRetrying(deps, async () => {
        runs++;
        if (runs === 1) throw reset();
        return Promise.resolve();
      }, { what: 'step', ...extra });
    }
    expect(events).toEqual([
      { requestId: 0, method: 'STEP', host: 'registry.test', route: '/v2/{name}/blobs/uploads/{uuid}', operation: 'blobs.uploads', attempt: 1, delayMs: 100, reason: 'NETWORK' },
      { requestId: 0, method: 'STEP', host: '', route: '', operation: undefined, attempt: 1, delayMs: 100, reason: 'NETWORK' },
    ]);
  });
});
