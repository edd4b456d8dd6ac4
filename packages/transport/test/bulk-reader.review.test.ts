// Third review of src/dispatch/bulk-reader.ts: regression tests for what it found (headers named
// like Object.prototype members, thousands of 1xx heads in one read, bare-LF chunk lines, an
// unasked-for 101, the server's keep-alive timeout).
import { NetworkError } from '@llmdevops/docker-hub-core';
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
