// The bulk reader as an undici Dispatcher: every request of the transport, blob GETs included,
// goes through `dispatcher.request()`, so an injected dispatcher sees blob GETs, and undici's
// diagnostics channels see the default agent's blob GETs like any other undici request.
import { createHash } from 'node:crypto';
import diagnosticsChannel from 'node:diagnostics_channel';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Agent, Dispatcher, errors } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AbortedError } from '@llmdevops/docker-hub-core';
import { BulkDispatcher, createDefaultAgent } from '../src/index.js';
import { bulkGet, closeTransports, transport } from './bulk-helpers.js';
import { seededBytes } from './raw-http-server.js';

const MiB = 1024 * 1024;
const BLOB = seededBytes(6 * MiB + 123, 7);
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

let server: Server;
let base: string;
const seen: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers);
    if (req.url === '/stall') {
      res.writeHead(200, { 'content-length': String(BLOB.length) });
      res.write(BLOB.subarray(0, MiB));
      return;
    }
    res.writeHead(200, { 'content-length': String(BLOB.length), 'x-blob': 'yes' });
    res.end(BLOB);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  seen.length = 0;
  await closeTransports();
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Forwards to an undici Agent and records what it was asked. */
class CountingDispatcher extends Dispatcher {
  readonly calls: { method: string; path: string; bulk: unknown }[] = [];
  readonly #inner = new Agent();

  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    this.calls.push({ method: opts.method, path: opts.path, bulk: (opts as { bulk?: unknown }).bulk });
    return this.#inner.dispatch(opts, handler);
  }

  override close(): Promise<void> {
    return this.#inner.close();
  }
}

describe('every request goes through the dispatcher', () => {
  it('an injected dispatcher receives blob GETs, with the bulk hint, and the body arrives intact', async () => {
    const counting = new CountingDispatcher();
    const t = transport({ dispatcher: counting });
    const res = await bulkGet(t, `${base}/blob`);
    expect(sha(await res.bytes(16 * MiB))).toBe(sha(BLOB));
    expect(counting.calls).toEqual([{ method: 'GET', path: '/blob', bulk: true }]);
    await counting.close();
  });

  it('the default agent publishes undici:request:create, headers and trailers for a blob GET', async () => {
    const events: { channel: string; method?: string; path?: string; status?: number }[] = [];
    const onCreate = (m: unknown): void => {
      const { request } = m as { request: { method: string; path: string } };
      events.push({ channel: 'create', method: request.method, path: request.path });
    };
    const onHeaders = (m: unknown): void => {
      events.push({ channel: 'headers', status: (m as { response: { statusCode: number } }).response.statusCode });
    };
    const onTrailers = (): void => {
      events.push({ channel: 'trailers' });
    };
    diagnosticsChannel.subscribe('undici:request:create', onCreate);
    diagnosticsChannel.subscribe('undici:request:headers', onHeaders);
    diagnosticsChannel.subscribe('undici:request:trailers', onTrailers);
    try {
      const res = await bulkGet(transport(), `${base}/blob`);
      expect((await res.bytes(16 * MiB)).length).toBe(BLOB.length);
    } finally {
      diagnosticsChannel.unsubscribe('undici:request:create', onCreate);
      diagnosticsChannel.unsubscribe('undici:request:headers', onHeaders);
      diagnosticsChannel.unsubscribe('undici:request:trailers', onTrailers);
    }
    expect(events).toEqual([
      { channel: 'create', method: 'GET', path: '/blob' },
      { channel: 'headers', status: 200 },
      { channel: 'trailers' },
    ]);
  });

  it('a header added by a request:create listener (trace context) is sent with the blob GET', async () => {
    const onCreate = (m: unknown): void => {
      (m as { request: { addHeader(n: string, v: string): unknown } }).request.addHeader('traceparent', '00-abc-def-01');
    };
    diagnosticsChannel.subscribe('undici:request:create', onCreate);
    try {
      await (await bulkGet(transport(), `${base}/blob`)).dump();
    } finally {
      diagnosticsChannel.unsubscribe('undici:request:create', onCreate);
    }
    expect(seen[0]?.['traceparent']).toBe('00-abc-def-01');
  });

  it('bulkReads: false sends blob GETs through undici, which writes them to its own sockets', async () => {
    let undiciWrites = 0;
    const onSend = (): void => {
      undiciWrites++;
    };
    diagnosticsChannel.subscribe('undici:client:sendHeaders', onSend);
    try {
      await (await bulkGet(transport({ bulkReads: false }), `${base}/blob`)).dump();
      expect(undiciWrites).toBe(1);
      await (await bulkGet(transport(), `${base}/blob`)).dump();
      expect(undiciWrites).toBe(1);
    } finally {
      diagnosticsChannel.unsubscribe('undici:client:sendHeaders', onSend);
    }
  });
});

describe('BulkDispatcher speaks undici', () => {
  it('serves undici request() with a byte-exact body and the response headers', async () => {
    const bulk = new BulkDispatcher();
    try {
      const res = await bulk.request({ origin: base, path: '/blob', method: 'GET' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-blob']).toBe('yes');
      expect(sha(Buffer.from(await res.body.arrayBuffer()))).toBe(sha(BLOB));
    } finally {
      await bulk.close();
    }
  });

  it('serves undici stream() into a slow writable (backpressure) without losing bytes', async () => {
    const bulk = new BulkDispatcher();
    const hash = createHash('sha256');
    let bytes = 0;
    try {
      await bulk.stream({ origin: base, path: '/blob', method: 'GET' }, () =>
        new Writable({
          highWaterMark: 64 * 1024,
          write(chunk: Buffer, _enc, cb) {
            hash.update(chunk);
            bytes += chunk.length;
            setImmediate(cb);
          },
        }),
      );
    } finally {
      await bulk.close();
    }
    expect(bytes).toBe(BLOB.length);
    expect(hash.digest('hex')).toBe(sha(BLOB));
  });

  it('works under compose() interceptors, which speak the controller handler API', async () => {
    const agent = createDefaultAgent({ connectTimeoutMs: 5_000, connectionsPerOrigin: 2 });
    let intercepted = 0;
    const composed = agent.compose((dispatch) => (opts, handler) => {
      intercepted++;
      return dispatch(opts, handler);
    });
    try {
      const res = await composed.request({ origin: base, path: '/blob', method: 'GET', bulk: true } as Dispatcher.RequestOptions);
      expect(sha(Buffer.from(await res.body.arrayBuffer()))).toBe(sha(BLOB));
      expect(intercepted).toBe(1);
    } finally {
      await agent.close();
    }
  });

  it('refuses anything but a GET without a body, with undici InvalidArgumentError', async () => {
    const bulk = new BulkDispatcher();
    try {
      const err = await bulk.request({ origin: base, path: '/blob', method: 'PUT', body: 'x' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(errors.InvalidArgumentError);
    } finally {
      await bulk.close();
    }
  });

  it('a request after close() fails with ClientClosedError', async () => {
    const bulk = new BulkDispatcher();
    await bulk.close();
    const err = await bulk.request({ origin: base, path: '/blob', method: 'GET' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(errors.ClientClosedError);
  });

  it('an abort mid-body through the transport ends the body with AbortedError', async () => {
    const ac = new AbortController();
    const res = await bulkGet(transport(), `${base}/stall`, { signal: ac.signal });
    const reading = res.bytes(16 * MiB).catch((e: unknown) => e);
    setTimeout(() => {
      ac.abort(new Error('stop'));
    }, 50);
    expect(await reading).toBeInstanceOf(AbortedError);
  });
});
