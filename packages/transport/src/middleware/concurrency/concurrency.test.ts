import { PassThrough } from 'node:stream';
import { AbortedError } from '@llmdevops/docker-hub-core';
import { describe, expect, it } from 'vitest';
import { createResponse } from '../../dispatch/response.js';
import type { TransportRequest, TransportResponse } from '../../pipeline/types.js';
import { createConcurrencyMiddleware } from './concurrency.js';

const req = (host: string, signal?: AbortSignal): TransportRequest => ({
  method: 'GET',
  url: new URL(`https://${host}/x`),
  headers: {},
  ...(signal === undefined ? {} : { signal }),
});

describe('concurrency middleware', () => {
  it('holds a permit until the body closes, per host', async () => {
    const mw = createConcurrencyMiddleware(2);
    const bodies: PassThrough[] = [];
    const calls: string[] = [];
    const next = (r: TransportRequest): Promise<TransportResponse> => {
      calls.push(r.url.host);
      const body = new PassThrough();
      bodies.push(body);
      return Promise.resolve(createResponse({ status: 200, headers: {}, url: r.url, body, what: 'b' }));
    };
    await mw.handle(req('a'), next);
    await mw.handle(req('a'), next);
    const third = mw.handle(req('a'), next);
    await mw.handle(req('b'), next);
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual(['a', 'a', 'b']);
    bodies[0]?.destroy();
    await third;
    expect(calls).toEqual(['a', 'a', 'b', 'a']);
  });

  it('an abort while queued rejects and gives up the place', async () => {
    const mw = createConcurrencyMiddleware(1);
    const body = new PassThrough();
    const calls: number[] = [];
    const next = (r: TransportRequest): Promise<TransportResponse> => {
      calls.push(1);
      return Promise.resolve(createResponse({ status: 200, headers: {}, url: r.url, body, what: 'b' }));
    };
    await mw.handle(req('a'), next);
    const ac = new AbortController();
    const queued = mw.handle(req('a', ac.signal), next);
    ac.abort();
    await expect(queued).rejects.toBeInstanceOf(AbortedError);
    body.destroy();
    await new Promise((r) => setImmediate(r));
    expect(calls).toHaveLength(1);
  });

  it('releases the permit when the call fails', async () => {
    const mw = createConcurrencyMiddleware(1);
    await expect(mw.handle(req('a'), () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const body = new PassThrough();
    const res = await mw.handle(req('a'), (r) => Promise.resolve(createResponse({ status: 204, headers: {}, url: r.url, body, what: 'b' })));
    expect(res.status).toBe(204);
  });
});
