// Every request of the transport, large GETs included, goes through `dispatcher.request()`: an
// injected dispatcher sees them, and undici's diagnostics channels see the default agent's.
import { createHash, randomBytes } from 'node:crypto';
import diagnosticsChannel from 'node:diagnostics_channel';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, Dispatcher } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AbortedError } from '@llmdevops/docker-hub-core';
import { createTransport, type Transport, type TransportOptions } from '../src/index.js';

const MiB = 1024 * 1024;
const BLOB = randomBytes(6 * MiB + 123);
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

let server: Server;
let base: string;
const seen: IncomingHttpHeaders[] = [];
const transports: Transport[] = [];

function transport(options: TransportOptions = {}): Transport {
  const t = createTransport({ maxRetries: 0, timeoutMs: 5_000, ...options });
  transports.push(t);
  return t;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(200, { 'content-length': String(BLOB.length) });
    if (req.url === '/stall') res.write(BLOB.subarray(0, MiB));
    else res.end(BLOB);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  seen.length = 0;
  await Promise.all(transports.splice(0).map((t) => t.close()));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Forwards to an undici Agent and records what it was asked. */
class CountingDispatcher extends Dispatcher {
  readonly calls: string[] = [];
  readonly #inner = new Agent();

  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    this.calls.push(`${opts.method} ${opts.path}`);
    return this.#inner.dispatch(opts, handler);
  }

  override close(): Promise<void> {
    return this.#inner.close();
  }
}

const blobGet = (t: Transport, path: string, signal?: AbortSignal) =>
  t.request({ method: 'GET', url: new URL(path, base), headers: {}, context: { resume: true }, ...(signal === undefined ? {} : { signal }) });

describe('every request goes through the dispatcher', () => {
  it('an injected dispatcher receives a resumable blob GET and the body arrives intact', async () => {
    const counting = new CountingDispatcher();
    const res = await blobGet(transport({ dispatcher: counting }), '/blob');
    expect(sha(await res.bytes(16 * MiB))).toBe(sha(BLOB));
    expect(counting.calls).toEqual(['GET /blob']);
    await counting.close();
  });

  it('the default agent publishes undici:request:create, headers and trailers for a blob GET', async () => {
    const events: string[] = [];
    const onCreate = (m: unknown): void => {
      const { request } = m as { request: { method: string; path: string } };
      events.push(`create ${request.method} ${request.path}`);
    };
    const onHeaders = (m: unknown): void => {
      events.push(`headers ${(m as { response: { statusCode: number } }).response.statusCode}`);
    };
    const onTrailers = (): void => {
      events.push('trailers');
    };
    diagnosticsChannel.subscribe('undici:request:create', onCreate);
    diagnosticsChannel.subscribe('undici:request:headers', onHeaders);
    diagnosticsChannel.subscribe('undici:request:trailers', onTrailers);
    try {
      const res = await blobGet(transport(), '/blob');
      expect((await res.bytes(16 * MiB)).length).toBe(BLOB.length);
    } finally {
      diagnosticsChannel.unsubscribe('undici:request:create', onCreate);
      diagnosticsChannel.unsubscribe('undici:request:headers', onHeaders);
      diagnosticsChannel.unsubscribe('undici:request:trailers', onTrailers);
    }
    expect(events).toEqual(['create GET /blob', 'headers 200', 'trailers']);
  });

  it('an abort mid-body ends the body with AbortedError', async () => {
    const ac = new AbortController();
    const res = await blobGet(transport(), '/stall', ac.signal);
    const reading = res.bytes(16 * MiB).catch((e: unknown) => e);
    setTimeout(() => {
      ac.abort(new Error('stop'));
    }, 50);
    expect(await reading).toBeInstanceOf(AbortedError);
  });
});
