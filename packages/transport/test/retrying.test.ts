// transport.retrying(): the one retry loop for work above a single request (a body read, an
// upload chunk and its offset query), with the middleware's decision, backoff, clock and events.
import { AbortedError, NetworkError, NotFoundError, RateLimitError, ServerError } from '@llmdevops/docker-hub-core';
import { afterEach, describe, expect, it } from 'vitest';
import { createTransport, type RetryEvent, type Transport } from '../src/index.js';
import { FakeClock } from './fake-clock.js';

const transports: Transport[] = [];
function make(maxRetries: number, clock = new FakeClock()): { t: Transport; clock: FakeClock } {
  const t = createTransport({ clock, maxRetries, random: () => 1, backoffBaseMs: 100, backoffCapMs: 1_000 });
  transports.push(t);
  return { t, clock };
}
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
});
const cut = (): NetworkError => new NetworkError('GET x: ECONNRESET', { causeCode: 'ECONNRESET' });

describe('transport.retrying', () => {
  it('runs a step again after a network error, with the backoff of the retry middleware', async () => {
    const { t, clock } = make(3);
    let runs = 0;
    const result = await t.retrying(async (run) => {
      runs = run;
      if (run < 3) throw cut();
      return 'ok';
    }, { what: 'step' });
    expect(result).toBe('ok');
    expect(runs).toBe(3);
    expect(clock.sleeps).toEqual([100, 200]);
  });

  it('stops after maxRetries failures without progress and throws the last error', async () => {
    const { t } = make(2);
    let runs = 0;
    const err = await t.retrying(async () => {
      runs++;
      throw cut();
    }, { what: 'step' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect(runs).toBe(3);
  });

  it('does not count failures that followed progress', async () => {
    const { t } = make(1);
    let moved = 0;
    let runs = 0;
    await t.retrying(async () => {
      runs++;
      if (runs <= 5) {
        moved += 10;
        throw cut();
      }
    }, { what: 'step', progress: () => moved });
    expect(runs).toBe(6);
  });

  it('never retries errors the policy calls permanent (404) and judges 5xx errors by status', async () => {
    const { t } = make(3);
    let runs = 0;
    await expect(t.retrying(async () => {
      runs++;
      throw new NotFoundError('no', { status: 404 });
    }, { what: 'step' })).rejects.toBeInstanceOf(NotFoundError);
    expect(runs).toBe(1);
    runs = 0;
    await t.retrying(async () => {
      runs++;
      if (runs === 1) throw new ServerError('boom', { status: 503 });
    }, { what: 'step' });
    expect(runs).toBe(2);
  });

  it("waits out a RateLimitError until its reset time when within maxRetryWaitMs", async () => {
    const { t, clock } = make(3);
    let runs = 0;
    await t.retrying(async () => {
      runs++;
      if (runs === 1) throw new RateLimitError('slow', { resetAt: new Date(clock.now() + 5_000) });
    }, { what: 'step' });
    expect(clock.sleeps).toEqual([5_000]);
  });

  it('emits a retry event per retry and ends a wait at once on abort', async () => {
    const clock = new FakeClock({ auto: false });
    const { t } = make(3, clock);
    const events: RetryEvent[] = [];
    t.events.on('retry', (e) => events.push(e));
    const ac = new AbortController();
    const running = t.retrying(async () => {
      throw cut();
    }, { what: 'upload chunk', signal: ac.signal, operation: 'blobs.uploads' });
    await new Promise((r) => setTimeout(r, 10));
    ac.abort(new Error('stop'));
    await expect(running).rejects.toBeInstanceOf(AbortedError);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ attempt: 1, operation: 'blobs.uploads', reason: 'NETWORK' });
  });
});

describe('a step and its requests share one budget', () => {
  it('a request that keeps failing inside a step is tried maxRetries + 1 times in all, not per run', async () => {
    const { createServer } = await import('node:http');
    let hits = 0;
    const server = createServer((_req, res) => {
      hits++;
      res.writeHead(503).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    const { t } = make(3);
    const err = await t.retrying(async () => {
      const res = await t.request({ method: 'GET', url: new URL(`http://127.0.0.1:${port}/m`), headers: {} });
      await res.dump();
      throw new ServerError(`status ${res.status}`, { status: res.status });
    }, { what: 'step' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect(hits).toBe(4);
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
});
