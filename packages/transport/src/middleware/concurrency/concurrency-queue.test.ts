import { PassThrough } from 'node:stream';
import { AbortedError } from '@llmdevops/docker-hub-core';
import { describe, expect, it } from 'vitest';
import { createResponse } from '../../dispatch/response.js';
import type { Next, TransportRequest } from '../../pipeline/types.js';
import { createConcurrencyMiddleware } from './concurrency.js';

const req = (path: string, signal?: AbortSignal): TransportRequest => ({
  method: 'GET',
  url: new URL(`https://r.test${path}`),
  headers: {},
  ...(signal === undefined ? {} : { signal }),
});

/** A next() that records the paths it was called with and keeps each response body open. */
function recorder(): { next: Next; calls: string[]; bodies: PassThrough[] } {
  const calls: string[] = [];
  const bodies: PassThrough[] = [];
  const next: Next = async (r) => {
    calls.push(r.url.pathname);
    const body = new PassThrough();
    bodies.push(body);
    return Promise.resolve(
      createResponse({ status: 200, headers: {}, url: r.url, body, what: 'b' }),
    );
  };
  return { next, calls, bodies };
}

async function turn(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

describe('concurrency middleware queue', () => {
  it('lets waiters in first come, first served, one per closed body', async () => {
    const mw = createConcurrencyMiddleware(1);
    const { next, calls, bodies } = recorder();
    await mw.handle(req('/0'), next);
    const waiting = [
      mw.handle(req('/1'), next),
      mw.handle(req('/2'), next),
      mw.handle(req('/3'), next),
    ];
    await turn();
    expect(calls).toEqual(['/0']);
    bodies[0]?.destroy();
    await waiting[0];
    await turn();
    expect(calls).toEqual(['/0', '/1']);
    bodies[1]?.destroy();
    await waiting[1];
    bodies[2]?.destroy();
    await waiting[2];
    expect(calls).toEqual(['/0', '/1', '/2', '/3']);
  });

  it('treats a limit below 1 as 1', async () => {
    const mw = createConcurrencyMiddleware(0);
    const { next, calls, bodies } = recorder();
    await mw.handle(req('/a'), next);
    const second = mw.handle(req('/b'), next);
    await turn();
    expect(calls).toEqual(['/a']);
    bodies[0]?.destroy();
    await second;
    expect(calls).toEqual(['/a', '/b']);
  });

  it('frees the permit at once for a response whose body is already destroyed', async () => {
    const mw = createConcurrencyMiddleware(1);
    const calls: string[] = [];
    const next: Next = async (r) => {
      calls.push(r.url.pathname);
      const body = new PassThrough();
      body.destroy();
      return Promise.resolve(
        createResponse({ status: 204, headers: {}, url: r.url, body, what: 'b' }),
      );
    };
    await mw.handle(req('/a'), next);
    await mw.handle(req('/b'), next);
    expect(calls).toEqual(['/a', '/b']);
  });

  it('removes an aborted waiter from the queue, so the freed permit goes to the next request', async () => {
    const mw = createConcurrencyMiddleware(1);
    const { next, calls, bodies } = recorder();
    await mw.handle(req('/first'), next);
    const ac = new AbortController();
    const aborted = mw.handle(req('/aborted', ac.signal), next);
    ac.abort(new Error('user'));
    const error: unknown = await aborted.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as AbortedError).message).toBe('GET https://r.test/aborted: aborted');
    expect((error as AbortedError).cause).toEqual(new Error('user'));
    bodies[0]?.destroy();
    await turn();
    await mw.handle(req('/after'), next);
    expect(calls).toEqual(['/first', '/after']);
  });
});
