import diagnosticsChannel from 'node:diagnostics_channel';
import { TimeoutError } from '@llmdevops/docker-hub-core';
import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fake-clock.js';
import { DIAGNOSTICS_CHANNELS } from '../events/events.js';
import { composeMiddleware } from './compose.js';
import { resolveOptions } from './options.js';
import { createTransport } from './transport.js';
import type { Middleware, TransportRequest } from './types.js';

const ORIGIN = 'https://registry.example.com';
const req = (path: string, extra: Partial<TransportRequest> = {}): TransportRequest => ({ method: 'GET', url: new URL(path, ORIGIN), headers: {}, ...extra });

let agent: MockAgent | undefined;
afterEach(async () => {
  await agent?.close();
  agent = undefined;
});

function mock(): MockAgent {
  const created = new MockAgent();
  created.disableNetConnect();
  agent = created;
  return created;
}

describe('createTransport with an injected dispatcher', () => {
  it('mirrors events to diagnostics_channel', async () => {
    const dispatcher = mock();
    const pool = dispatcher.get(ORIGIN);
    pool.intercept({ path: '/v2/' }).reply(200, '{}', { headers: { 'content-type': 'application/json' } });
    pool.intercept({ path: '/after-close' }).reply(204, '');
    const t = createTransport({ dispatcher });
    const seen: unknown[] = [];
    const onMessage = (m: unknown): void => {
      seen.push(m);
    };
    diagnosticsChannel.subscribe(DIAGNOSTICS_CHANNELS.requestStart, onMessage);
    try {
      expect(await (await t.request(req('/v2/', { context: { route: '/v2/', operation: 'ping' } }))).json()).toEqual({});
    } finally {
      diagnosticsChannel.unsubscribe(DIAGNOSTICS_CHANNELS.requestStart, onMessage);
    }
    expect(seen).toEqual([{ requestId: 1, method: 'GET', host: 'registry.example.com', route: '/v2/', operation: 'ping' }]);
    await t.close(); // an injected dispatcher is left open
    const after = await dispatcher.request({ origin: ORIGIN, path: '/after-close', method: 'GET' });
    expect(after.statusCode).toBe(204);
  });

  it('fails with a total TimeoutError when the deadline passes during a retry wait', async () => {
    const dispatcher = mock();
    dispatcher.get(ORIGIN).intercept({ path: '/slow' }).reply(503, '').times(5);
    const clock = new FakeClock({ auto: false });
    const t = createTransport({ dispatcher, clock, totalTimeoutMs: 5000, backoffBaseMs: 10_000, random: () => 0.99 });
    const pending = t.request(req('/slow')).catch((e: unknown) => e);
    while (clock.sleeps.length < 2) await new Promise((r) => setImmediate(r));
    clock.advance(5000);
    const err = await pending;
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).phase).toBe('total');
  });

  it('sends bytes, strings and content-length for sized streams, with a user agent', async () => {
    const dispatcher = mock();
    const pool = dispatcher.get(ORIGIN);
    const seen: Record<string, string>[] = [];
    for (let i = 0; i < 2; i++) {
      pool.intercept({ path: '/up', method: 'PUT' }).reply(201, (opts) => {
        seen.push(opts.headers as Record<string, string>);
        return '';
      });
    }
    const t = createTransport({ dispatcher, userAgent: 'test-agent/1' });
    await (await t.request({ method: 'PUT', url: new URL('/up', ORIGIN), headers: {}, body: new Uint8Array([1, 2]) })).dump();
    await (
      await t.request({
        method: 'PUT',
        url: new URL('/up', ORIGIN),
        headers: {},
        body: { stream: async function* () { yield new Uint8Array([1]); }, length: 1, replayable: true },
      })
    ).dump();
    expect(seen[0]?.['user-agent']).toBe('test-agent/1');
    expect(seen[1]?.['content-length']).toBe('1');
  });
});

describe('composeMiddleware and options', () => {
  it('runs middlewares outermost first', async () => {
    const order: string[] = [];
    const mw = (name: string): Middleware => ({
      name,
      async handle(r, next) {
        order.push(`>${name}`);
        const res = await next(r);
        order.push(`<${name}`);
        return res;
      },
    });
    const terminal = (): Promise<never> => {
      order.push('terminal');
      return Promise.reject(new Error('stop'));
    };
    await composeMiddleware([mw('a'), mw('b')], terminal)(req('/')).catch(() => undefined);
    expect(order).toEqual(['>a', '>b', 'terminal']);
  });

  it('closes through Symbol.asyncDispose', async () => {
    const t = createTransport();
    await t[Symbol.asyncDispose]();
    await expect(t.request(req('/'))).rejects.toMatchObject({ causeCode: 'TRANSPORT_CLOSED' });
  });

  it('applies defaults', () => {
    const o = resolveOptions({});
    expect(o).toMatchObject({ timeoutMs: 60_000, connectTimeoutMs: 60_000, maxRetries: 3, maxRedirects: 10, maxConcurrentPerHost: 16 });
    expect(o.circuitBreaker).toEqual({ failureThreshold: 5, successThreshold: 2, resetTimeoutMs: 30_000 });
  });
});
