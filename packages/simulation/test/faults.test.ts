// Faults are deterministic and identical in-process and over loopback.
import { request } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSimulator, type FaultRule } from '../src/index.js';
import { type Backend, type BackendKind, pushBlob, startBackend } from './helpers.js';

describe.each(['in-process', 'loopback'] as const)('faults (%s)', (kind: BackendKind) => {
  let b: Backend | undefined;
  afterEach(async () => {
    await b?.close();
  });

  it('answers scripted statuses on chosen attempts, a limited number of times', async () => {
    const faults: FaultRule[] = [
      { match: { method: 'GET', path: '/v2/', attempt: 2 }, status: 503 },
      { match: { path: /\/tags\/list$/ }, status: 429, retryAfter: 7, times: 1 },
    ];
    b = await startBackend(kind, { faults });
    const c = b.client;
    expect((await c.call('GET', '/v2/')).status).toBe(200);
    const second = await c.call('GET', '/v2/');
    expect(second.status).toBe(503);
    expect(second.json().errors[0].code).toBe('UNAVAILABLE');
    expect((await c.call('GET', '/v2/')).status).toBe(200);
    const limited = await c.call('GET', '/v2/x/y/tags/list');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('7');
    expect(limited.json().errors[0].code).toBe('TOOMANYREQUESTS');
    expect((await c.call('GET', '/v2/x/y/tags/list')).status).toBe(404);
  });

  it('resets a body after N bytes and corrupts a byte', async () => {
    const bytes = Buffer.alloc(200_000, 5);
    const sim = createSimulator({
      faults: [
        { match: { method: 'GET', path: /\/blobs\/sha256:/, attempt: 1 }, resetAfterBytes: 1000 },
        { match: { method: 'GET', path: /\/blobs\/sha256:/, attempt: 2 }, corrupt: true },
      ],
    });
    b =
      kind === 'in-process'
        ? {
            client: (await import('./helpers.js')).makeClient('http://sim.test', sim.dispatcher),
            sim,
            close: () => sim.close(),
          }
        : {
            client: (await import('./helpers.js')).makeClient((await sim.listen()).url),
            sim,
            close: () => sim.close(),
          };
    const d = await pushBlob(b.client, 'f/r', bytes);
    await expect(b.client.call('GET', `/v2/f/r/blobs/${d}`)).rejects.toThrow();
    const corrupted = await b.client.call('GET', `/v2/f/r/blobs/${d}`);
    expect(corrupted.status).toBe(200);
    expect(corrupted.body.length).toBe(bytes.length);
    expect(corrupted.body.equals(bytes)).toBe(false);
    const clean = await b.client.call('GET', `/v2/f/r/blobs/${d}`);
    expect(clean.body.equals(bytes)).toBe(true);
  });

  it('seeded random faults repeat exactly for the same seed', async () => {
    const statuses = async () => {
      const back = await startBackend(kind, { randomFaults: { seed: 42, rate: 0.5, status: 502 } });
      const out: number[] = [];
      for (let i = 0; i < 12; i++) out.push((await back.client.call('GET', '/v2/')).status);
      await back.close();
      return out;
    };
    const first = await statuses();
    expect(first).toContain(502);
    expect(first).toContain(200);
    expect(await statuses()).toEqual(first);
  });
});

describe('delays', () => {
  it('waits delayMs before answering (fake timers)', async () => {
    vi.useFakeTimers();
    try {
      const sim = createSimulator({ faults: [{ match: { path: '/v2/' }, delayMs: 5_000 }] });
      let done = false;
      const pending = sim.fetch(new Request('http://sim.test/v2/')).then((r) => {
        done = true;
        return r;
      });
      await vi.advanceTimersByTimeAsync(4_000);
      expect(done).toBe(false);
      await vi.advanceTimersByTimeAsync(1_000);
      expect((await pending).status).toBe(200);
      expect(done).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('dispatcher surfaces a reset as an error from undici request', async () => {
    const sim = createSimulator({ faults: [{ match: { path: '/v2/' }, resetAfterBytes: 0 }] });
    const res = await request('http://sim.test/v2/', { dispatcher: sim.dispatcher });
    await expect(res.body.text()).rejects.toThrow(/reset/);
  });
});
