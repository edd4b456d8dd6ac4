import { Readable } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import type { Clock } from '@llmdevops/docker-hub-core';
import { describe, expect, it } from 'vitest';
import { createResponse } from '../../dispatch/response.js';
import { createEventBus, type RequestEndEvent, type RequestStartEvent } from '../../events/events.js';
import type { RequestContext, TransportRequest, TransportResponse } from '../../pipeline/types.js';
import { createTelemetryMiddleware } from './telemetry.js';

const url = new URL('https://registry.test/v2/');

function setup(): { clock: Clock & { advance: (ms: number) => void }; starts: RequestStartEvent[]; ends: RequestEndEvent[]; send: (req: TransportRequest, next: () => Promise<TransportResponse>) => Promise<TransportResponse> } {
  let now = 1_000;
  const clock = { now: () => now, sleep: async () => Promise.resolve(), advance: (ms: number) => { now += ms; } };
  const events = createEventBus();
  const starts: RequestStartEvent[] = [];
  const ends: RequestEndEvent[] = [];
  events.on('requestStart', (e) => starts.push(e));
  events.on('requestEnd', (e) => ends.push(e));
  const mw = createTelemetryMiddleware(events, clock);
  return { clock, starts, ends, send: async (req, next) => mw.handle(req, next) };
}

const answer = (body: Readable): TransportResponse => createResponse({ status: 200, headers: {}, url, body, what: 'test body' });

describe('telemetry middleware', () => {
  it('reports the time from start to the end of the body as durationMs, and only a string operation', async () => {
    const t = setup();
    const res = await t.send({ method: 'GET', url, headers: {}, context: { operation: 42 } as unknown as RequestContext }, async () => {
      t.clock.advance(250);
      return answer(Readable.from([Buffer.from('abc')]));
    });
    t.clock.advance(50);
    await res.text();
    await tick();
    expect(t.starts).toEqual([{ requestId: 1, method: 'GET', host: 'registry.test', route: '/v2/', operation: undefined }]);
    expect(t.ends).toEqual([expect.objectContaining({ status: 200, durationMs: 300, errorCode: undefined, operation: undefined })]);
  });

  it('ends a request whose body was already destroyed when it came back', async () => {
    const t = setup();
    const body = Readable.from([]);
    body.destroy();
    await tick();
    await t.send({ method: 'GET', url, headers: {} }, async () => answer(body));
    expect(t.ends).toEqual([expect.objectContaining({ status: 200, errorCode: undefined })]);
  });

  it('reports a body failure that is not a toolkit error as NETWORK, and a call failure as UNKNOWN', async () => {
    const t = setup();
    const body = new Readable({ read() { /* the test pushes */ } });
    const res = await t.send({ method: 'GET', url, headers: {} }, async () => answer(body));
    res.body.on('error', () => undefined);
    body.destroy(new Error('socket gone'));
    await tick();
    await tick();
    await expect(t.send({ method: 'GET', url, headers: {} }, async () => Promise.reject(new Error('bug')))).rejects.toThrow('bug');
    expect(t.ends.map((e) => [e.status, e.errorCode])).toEqual([
      [200, 'NETWORK'],
      [undefined, 'UNKNOWN'],
    ]);
  });
});
