// Regression tests for bugs the reviews of src/dispatch/bulk-reader.ts found: a crash on a bad
// chunk in the head's read, timeouts and aborts taken for stale connections and re-sent, the head
// size limit bypassed, header values sent as UTF-8; then headers named like Object.prototype
// members, thousands of 1xx heads in one read, bare-LF chunk lines, an unasked-for 101 and the
// server's keep-alive timeout. Each states input and expectation.
import { setTimeout as sleep } from 'node:timers/promises';
import { AbortedError, NetworkError, TimeoutError } from '@llmdevops/docker-hub-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bulkGet, closeTransports, transport } from './bulk-helpers.js';
import { startRawServer, type RawServer } from './raw-http-server.js';

let raw: RawServer;
beforeAll(async () => {
  raw = await startRawServer(() => undefined);
});
beforeEach(() => {
  raw.reset();
});
afterEach(async () => {
  await closeTransports();
});
afterAll(() => raw.close());

describe('bulk reader bugs', () => {
  // Bug 1. Input: `transfer-encoding: chunked` with an invalid chunk size in the SAME socket read
  // as the head. Expected: the body errors with NetworkError HPE_INVALID_RESPONSE. Actual: the
  // body stream is destroyed inside the read callback, before the terminal has attached its
  // 'error' listener (the promise continuation runs after process.nextTick), so the 'error'
  // event has no listener: an uncaught exception that kills the process.
  it('a chunked framing error in the read that carries the head errors the body, no uncaught exception', async () => {
    raw.handler = ({ connection }) => {
      connection.socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n');
    };
    const res = await bulkGet(transport(), `${raw.url}/bad`);
    const err = await res.bytes().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    // Vitest reports the uncaught 'error' event of the body stream and fails this file.
  });

  // Bug 2. Input: a GET on a reused keep-alive connection that the server receives but never
  // answers, timeoutMs 300, maxRetries 0. Expected: TimeoutError after one request.
  // Actual: the headers timeout on a reused connection that received nothing is taken for a
  // stale connection, so the GET is sent AGAIN on a fresh connection (3 requests, 2 connections,
  // twice the timeout) before the TimeoutError.
  it('a headers timeout on a reused connection is not retried on a fresh one', async () => {
    raw.handler = ({ connection, indexOnConnection }) => {
      if (connection.id === 0 && indexOnConnection === 0) connection.socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    };
    const t = transport({ timeoutMs: 300 });
    expect(await (await bulkGet(t, `${raw.url}/first`)).text()).toBe('ok');
    const res = await bulkGet(t, `${raw.url}/second`).catch((e: unknown) => e);
    expect(res).toBeInstanceOf(TimeoutError);
    expect(raw.requests.map((r) => r.head.split('\r\n')[0])).toEqual(['GET /first HTTP/1.1', 'GET /second HTTP/1.1']);
  });

  // Bug 3. Input: the caller aborts while waiting for the headers of a GET on a reused
  // connection. Expected: AbortedError, nothing more sent. Actual: the abort is taken for a
  // stale connection; a new connection is opened (the listener added to the already-aborted
  // signal never fires) and the request head is written to it before the abort is noticed.
  it('an abort while waiting on a reused connection opens no new connection and sends nothing more', async () => {
    const controller = new AbortController();
    raw.handler = ({ connection, indexOnConnection }) => {
      if (connection.id === 0 && indexOnConnection === 0) connection.socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
      else controller.abort();
    };
    const t = transport();
    expect(await (await bulkGet(t, `${raw.url}/first`)).text()).toBe('ok');
    const err = await bulkGet(t, `${raw.url}/second`, { signal: controller.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortedError);
    await sleep(50);
    expect(raw.connections).toHaveLength(1);
    expect(raw.requests).toHaveLength(2);
  });

  // Bug 4. Input: a response head of 70 KiB whose first 60 KiB arrive in one read and the rest,
  // with the blank line, in the next. Expected: NetworkError HPE_INVALID_RESPONSE (heads are
  // limited to 64 KiB). Actual: 200; the limit is only checked while the end of the head has not
  // been seen, so any head whose end arrives in the read that crosses 64 KiB (up to 64 KiB + one
  // read of up to 1 MiB) is accepted.
  it('refuses a head over 64 KiB whose end arrives in the read that crosses the limit', async () => {
    raw.handler = async ({ connection }) => {
      const head = `HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(70 * 1024)}\r\ncontent-length: 2\r\n\r\nok`;
      connection.socket.write(head.slice(0, 60 * 1024));
      await sleep(50);
      connection.socket.write(head.slice(60 * 1024));
    };
    const res = await bulkGet(transport(), `${raw.url}/big-head`).catch((e: unknown) => e);
    expect(res).toBeInstanceOf(NetworkError);
    expect(res).toMatchObject({ causeCode: 'HPE_INVALID_RESPONSE' });
  });
  // Bug 5. Input: a request header value with a character in U+0080..U+00FF (which the header
  // check lets through), e.g. `x-name: café`. Expected: the same bytes undici sends (latin1, one
  // byte 0xE9). Actual: the head is written with the socket's default utf8 encoding (0xC3 0xA9);
  // fix: `socket.write(head, 'latin1')`.
  it('writes request header values as latin1, like undici', async () => {
    raw.handler = ({ connection }) => {
      connection.socket.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
    };
    await (await bulkGet(transport(), `${raw.url}/bulk`, { headers: { 'x-name': 'caf\u00e9' } })).dump();
    await (await bulkGet(transport({ bulkReads: false }), `${raw.url}/undici`, { headers: { 'x-name': 'caf\u00e9' } })).dump();
    const line = (path: string): string | undefined =>
      raw.requests.find((r) => r.head.startsWith(`GET ${path} `))?.head.split('\r\n').find((l) => l.startsWith('x-name:'));
    expect(line('/undici')).toBe('x-name: caf\u00e9');
    expect(line('/bulk')).toBe(line('/undici'));
  });
});

describe('bulk reader, third review', () => {
  // Input: a response header named `__proto__` (or `constructor`, `toString`). undici stores it as
  // an own string property (parseHeaders uses Object.hasOwn and defineProperty). parseHead reads
  // `headers[name]`, finds the inherited Object.prototype member, and builds `[inherited, value]`:
  // for `__proto__` that replaces the headers object's prototype with an array.
  it('headers named like Object.prototype members are plain own strings, as with undici', async () => {
    raw.handler = ({ connection }) => {
      connection.socket.write('HTTP/1.1 200 OK\r\nconstructor: a\r\n__proto__: b\r\ncontent-length: 2\r\n\r\nok');
    };
    const res = await bulkGet(transport(), `${raw.url}/proto`);
    await res.dump();
    expect(res.headers.constructor).toBe('a');
    expect(Object.getPrototypeOf(res.headers)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(res.headers, '__proto__')?.value).toBe('b');
  });

  // Input: one socket read holding many `HTTP/1.1 100 Continue` heads before the real answer.
  // #onHead recurses once per informational head, so a large read overflows the stack; the
  // RangeError is caught and surfaces as whatever mapUndiciError makes of it. Expected: the
  // informational heads are skipped in a loop and the 200 is read.
  it('many informational heads in one read are skipped, then the answer is read', async () => {
    raw.handler = ({ connection }) => {
      const info = 'HTTP/1.1 100 Continue\r\n\r\n'.repeat(40_000);
      connection.socket.write(`${info}HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok`);
    };
    const res = await bulkGet(transport(), `${raw.url}/info`);
    expect(Buffer.from(await res.bytes()).toString()).toBe('ok');
  });

  // Input: chunk-size and chunk-data lines ended by a bare LF. llhttp (undici, strict mode) rejects
  // them (HPE_CR_EXPECTED / HPE_STRICT); #onChunked strips /\r?\n$/ and accepts them, so the two
  // paths disagree on framing, the ingredient of response smuggling behind a lenient proxy.
  it('a chunk size line ended by a bare LF is a framing error, as with undici', async () => {
    raw.handler = ({ connection }) => {
      connection.socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\nok\n0\n\n');
    };
    const res = await bulkGet(transport(), `${raw.url}/lf`);
    const err = await res.bytes().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
  });

  // Input: a 101 although the request asked for no upgrade. Expected: a framing error, not a body.
  it('an unasked-for 101 Switching Protocols is a framing error', async () => {
    raw.handler = ({ connection }) => {
      connection.socket.write('HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\n\r\nxx');
    };
    const err = await bulkGet(transport(), `${raw.url}/upgrade`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).causeCode).toBe('HPE_INVALID_RESPONSE');
  });

  // Input: `keep-alive: timeout=1` (the server closes idle connections after 1 s). Expected: the
  // connection is not kept past the announced time less a second of margin, so the next GET opens
  // a new connection instead of racing the server's close.
  it("honours the server's keep-alive timeout", async () => {
    raw.handler = ({ connection }) => {
      connection.socket.write('HTTP/1.1 200 OK\r\nkeep-alive: timeout=1\r\ncontent-length: 2\r\n\r\nok');
    };
    const t = transport();
    await (await bulkGet(t, `${raw.url}/a`)).dump();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await (await bulkGet(t, `${raw.url}/b`)).dump();
    expect(raw.connections).toHaveLength(2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    raw.handler = ({ connection }) => {
      connection.socket.write('HTTP/1.1 200 OK\r\nkeep-alive: timeout=30\r\ncontent-length: 2\r\n\r\nok');
    };
    await (await bulkGet(t, `${raw.url}/c`)).dump();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await (await bulkGet(t, `${raw.url}/d`)).dump();
    // /c needed a new connection (the second one had timed out); /d reused it.
    expect(raw.connections).toHaveLength(3);
  });
});
