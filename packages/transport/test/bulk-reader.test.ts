// The transport's bulk reader (GETs tagged `context.bulk`, read over net/tls into per-socket
// slabs instead of undici), tested through the public transport API against real servers on
// 127.0.0.1: framing, integrity under concurrency, keep-alive and stale connections,
// backpressure, timeouts, abort, malformed answers, header injection, TLS, redirects, close and
// byte counting. Where the claim is "same as undici", the same request is also sent with
// `bulkReads: false` and compared.
import { createHash, randomBytes } from 'node:crypto';
import diagnosticsChannel from 'node:diagnostics_channel';
import { createServer as createHttpServer, type IncomingHttpHeaders, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { type AddressInfo, type Socket } from 'node:net';
import { type Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { AbortedError, DockerHubError, NetworkError, PayloadTooLargeError, TimeoutError } from '@llmdevops/docker-hub-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TransportResponse } from '../src/index.js';
import { bulkGet, closeTransports, transport } from './bulk-helpers.js';
import { selfSignedCert } from './self-signed.js';
import { chunked, startRawServer, writeFragments, type RawServer } from './raw-http-server.js';

const MiB = 1024 * 1024;

// undici's own clients announce every request they write to a socket on this channel; a bulk GET
// goes through the bulk dispatcher, which writes none.
let undiciRequests = 0;
const onUndiciRequest = (): void => {
  undiciRequests++;
};


const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Reads a body chunk by chunk, keeping every chunk (views stay referenced until the end). */
async function collect(body: Readable, onChunk?: (received: number) => Promise<void> | void): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    chunks.push(buf);
    received += buf.length;
    await onChunk?.(received);
  }
  return Buffer.concat(chunks, received);
}

/** The error a request produced, whether the request or its body failed; undefined if neither. */
async function failure(promise: Promise<TransportResponse>): Promise<unknown> {
  let res: TransportResponse;
  try {
    res = await promise;
  } catch (err) {
    return err;
  }
  try {
    await res.bytes(64 * MiB);
  } catch (err) {
    return err;
  }
  return undefined;
}

async function listen(server: HttpServer | HttpsServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function closeServer(server: HttpServer | HttpsServer): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
}

let raw: RawServer;

beforeAll(async () => {
  diagnosticsChannel.subscribe('undici:client:sendHeaders', onUndiciRequest);
  raw = await startRawServer(() => undefined);
});

beforeEach(() => {
  undiciRequests = 0;
  raw.reset();
  raw.handler = () => undefined;
});

afterEach(async () => {
  await closeTransports();
});

afterAll(async () => {
  diagnosticsChannel.unsubscribe('undici:client:sendHeaders', onUndiciRequest);
  await raw.close();
});

describe('framing and integrity', () => {
  let server: HttpServer;
  let base: string;
  const big = randomBytes(5 * MiB);

  beforeAll(async () => {
    server = createHttpServer((req, res) => {
      res.sendDate = false;
      if (req.url === '/big') {
        res.setHeader('X-Multi', ['one', 'two']);
        res.setHeader('Content-Type', 'application/octet-stream');
        res.setHeader('Docker-Content-Digest', `sha256:${sha256(big)}`);
        res.writeHead(200, { 'content-length': String(big.length) });
        res.end(big);
      } else if (req.url === '/204') {
        res.writeHead(204, { 'x-kind': 'no-content' });
        res.end();
      } else if (req.url === '/304') {
        res.writeHead(304, { etag: '"abc"' });
        res.end();
      } else {
        res.writeHead(200, { 'content-length': '2' });
        res.end('ok');
      }
    });
    base = `http://127.0.0.1:${await listen(server)}`;
  });
  afterAll(() => closeServer(server));

  it('reads a 5 MiB content-length body byte-exact, with the same status and headers as undici', async () => {
    const bulk = transport();
    const res = await bulkGet(bulk, `${base}/big`);
    const body = await collect(res.body);
    expect(undiciRequests).toBe(0);
    expect(res.status).toBe(200);
    expect(body.length).toBe(big.length);
    expect(sha256(body)).toBe(sha256(big));
    expect(res.headers['x-multi']).toEqual(['one', 'two']);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.header('X-Multi')).toBe('one, two');

    const viaUndici = await bulkGet(transport({ bulkReads: false }), `${base}/big`);
    expect(sha256(await viaUndici.bytes())).toBe(sha256(big));
    expect(undiciRequests).toBe(1);
    expect(res.status).toBe(viaUndici.status);
    expect(res.headers).toEqual(viaUndici.headers);
  });

  it('gives 204 and 304 answers empty bodies and keeps the connection for the next GET', async () => {
    const t = transport();
    const connections: Socket[] = [];
    const onConnection = (s: Socket): void => {
      connections.push(s);
    };
    server.on('connection', onConnection);
    try {
      for (const path of ['/204', '/304', '/ok']) {
        const res = await bulkGet(t, `${base}${path}`);
        const body = await res.bytes();
        if (path === '/204') {
          expect(res.status).toBe(204);
          expect(res.headers['x-kind']).toBe('no-content');
          expect(body.length).toBe(0);
        } else if (path === '/304') {
          expect(res.status).toBe(304);
          expect(res.headers['etag']).toBe('"abc"');
          expect(body.length).toBe(0);
        } else {
          expect(Buffer.from(body).toString()).toBe('ok');
        }
      }
      expect(connections).toHaveLength(1);
      expect(undiciRequests).toBe(0);
    } finally {
      server.off('connection', onConnection);
    }
  });

  it('decodes chunked bodies with extensions and trailers, chunk sizes 1 B to 1 MiB', async () => {
    const body = randomBytes(3 * MiB);
    const sizes = [1, 2, 3, 15, 16, 255, 4096, 65_535, 65_536, MiB, 17, 100_000];
    raw.handler = async ({ connection }) => {
      const head = Buffer.from('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ntrailer: x-checksum\r\n\r\n');
      const encoded = chunked(body, sizes, { extension: ';name="v a";flag', trailers: ['x-checksum: abc', 'x-more: 1'], upperHex: true });
      await writeFragments(connection.socket, Buffer.concat([head, encoded]), [7, 65_536, 3, 200_000, 1]);
    };
    const t = transport();
    const res = await bulkGet(t, `${raw.url}/chunked`);
    expect(res.status).toBe(200);
    const got = await res.bytes(8 * MiB);
    expect(sha256(got)).toBe(sha256(body));
    // The end of the body was found exactly: the next GET reuses the connection.
    const again = await bulkGet(t, `${raw.url}/chunked`);
    expect(sha256(await again.bytes(8 * MiB))).toBe(sha256(body));
    expect(raw.connections).toHaveLength(1);
    expect(undiciRequests).toBe(0);
    // undici reads the same bytes.
    const viaUndici = await bulkGet(transport({ bulkReads: false }), `${raw.url}/chunked`);
    expect(sha256(await viaUndici.bytes(8 * MiB))).toBe(sha256(body));
  });

  it('reads a close-delimited body (no length, connection: close) to the end', async () => {
    const body = randomBytes(MiB + 123);
    raw.handler = async ({ connection }) => {
      await writeFragments(connection.socket, Buffer.from('HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n'), [5]);
      await writeFragments(connection.socket, body, [70_000, 1, 300_000]);
      connection.socket.end();
    };
    const res = await bulkGet(transport(), `${raw.url}/close`);
    expect(sha256(await res.bytes())).toBe(sha256(body));
    await raw.connections[0]?.closed;
  });

  it('reads an HTTP/1.0 answer without a length until the server closes', async () => {
    raw.handler = ({ connection }) => {
      connection.socket.end('HTTP/1.0 200 OK\r\ncontent-type: text/plain\r\n\r\nold-style body');
    };
    const res = await bulkGet(transport(), `${raw.url}/http10`);
    expect(res.headers['content-type']).toBe('text/plain');
    expect(await res.text()).toBe('old-style body');
  });

  it('skips 100 Continue and 103 Early Hints before the real answer, however they are split', async () => {
    const answer = Buffer.from(
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </a.css>; rel=preload\r\n\r\n' +
        'HTTP/1.1 200 OK\r\ncontent-length: 5\r\nx-final: yes\r\n\r\nhello',
    );
    const t = transport();
    for (const sizes of [[answer.length], [1], [10, 30, 2]]) {
      raw.handler = ({ connection }) => writeFragments(connection.socket, answer, sizes);
      const res = await bulkGet(t, `${raw.url}/hints`);
      expect(res.status).toBe(200);
      expect(res.headers['x-final']).toBe('yes');
      expect(res.headers['link']).toBeUndefined();
      expect(await res.text()).toBe('hello');
    }
    expect(raw.connections).toHaveLength(1);
  });
});

describe('integrity under concurrency (per-socket slabs)', () => {
  let server: HttpServer;
  let base: string;
  let connections = 0;
  const bodies = Array.from({ length: 8 }, (_, i) => randomBytes(4 * MiB + Math.floor((i * 4 * MiB) / 7) + i));
  const digests = bodies.map(sha256);

  beforeAll(async () => {
    server = createHttpServer((req, res) => {
      const body = bodies[Number(req.url?.slice(1))];
      if (body === undefined) {
        res.writeHead(404, { 'content-length': '0' });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-length': String(body.length) });
      res.end(body);
    });
    server.on('connection', () => connections++);
    base = `http://127.0.0.1:${await listen(server)}`;
  });
  afterAll(() => closeServer(server));

  it('keeps 8 parallel 4-8 MiB bodies apart, on fresh and then on pooled connections', async () => {
    const t = transport();
    const round = (): Promise<string[]> =>
      Promise.all(bodies.map(async (_, i) => sha256(await (await bulkGet(t, `${base}/${i}`)).bytes(16 * MiB))));
    expect(await round()).toEqual(digests);
    expect(connections).toBe(8);
    expect(await round()).toEqual(digests);
    // Up to 4 idle connections per origin were kept and reused by the second round.
    expect(connections).toBeGreaterThan(8);
    expect(connections).toBeLessThanOrEqual(12);
    expect(undiciRequests).toBe(0);
  });

  it('keeps bodies intact when slow consumers are interleaved with fast ones', async () => {
    const t = transport();
    const got = await Promise.all(
      bodies.map(async (_, i) => {
        const res = await bulkGet(t, `${base}/${i}`);
        let next = MiB;
        const body = await collect(res.body, async (received) => {
          if (i % 2 === 0 && received >= next) {
            next += MiB;
            await sleep(10);
          }
        });
        return sha256(body);
      }),
    );
    expect(got).toEqual(digests);
  });
});

describe('keep-alive', () => {
  it('sends two sequential GETs over one TCP connection', async () => {
    raw.handler = ({ connection }) => {
      connection.socket.write('HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nabc');
    };
    const t = transport();
    expect(await (await bulkGet(t, `${raw.url}/a`)).text()).toBe('abc');
    expect(await (await bulkGet(t, `${raw.url}/b`)).text()).toBe('abc');
    expect(raw.connections).toHaveLength(1);
    expect(raw.connections[0]?.heads.map((h) => h.split('\r\n')[0])).toEqual(['GET /a HTTP/1.1', 'GET /b HTTP/1.1']);
  });

  it('does not reuse a connection the server announced it would close', async () => {
    raw.handler = ({ connection }) => {
      connection.socket.write('HTTP/1.1 200 OK\r\ncontent-length: 3\r\nconnection: close\r\n\r\nabc');
    };
    const t = transport();
    expect(await (await bulkGet(t, `${raw.url}/a`)).text()).toBe('abc');
    expect(await (await bulkGet(t, `${raw.url}/b`)).text()).toBe('abc');
    expect(raw.connections).toHaveLength(2);
    await raw.connections[0]?.closed;
  });

  it('gets the second GET through when the server closed the idle connection in between', async () => {
    raw.handler = ({ connection }) => {
      connection.socket.write('HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nabc');
      if (connection.id === 0) connection.socket.end();
    };
    const t = transport();
    expect(await (await bulkGet(t, `${raw.url}/a`)).text()).toBe('abc');
    await raw.connections[0]?.closed;
    expect(await (await bulkGet(t, `${raw.url}/b`)).text()).toBe('abc');
    expect(raw.connections).toHaveLength(2);
    expect(raw.connections[1]?.heads).toHaveLength(1);
  });

  it('retries once on a fresh connection when a reused one dies before answering (stale)', async () => {
    raw.handler = ({ connection, indexOnConnection }) => {
      // The first connection answers once, then drops the second request unanswered.
      if (connection.id === 0 && indexOnConnection === 1) {
        connection.socket.destroy();
        return;
      }
      connection.socket.write('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nfresh');
    };
    const t = transport();
    expect(await (await bulkGet(t, `${raw.url}/a`)).text()).toBe('fresh');
    expect(await (await bulkGet(t, `${raw.url}/b`)).text()).toBe('fresh');
    expect(raw.connections).toHaveLength(2);
    expect(raw.connections[0]?.heads).toHaveLength(2);
    expect(raw.connections[1]?.heads).toHaveLength(1);
    expect(raw.connections[1]?.heads[0]?.split('\r\n')[0]).toBe('GET /b HTTP/1.1');
  });

  it('does not retry a failure on a fresh connection', async () => {
    raw.handler = ({ connection }) => {
      connection.socket.destroy();
    };
    const err = await failure(bulkGet(transport(), `${raw.url}/a`));
    expect(err).toBeInstanceOf(NetworkError);
    expect(raw.requests).toHaveLength(1);
  });

  it('cuts the body at content-length when the server sends more, and does not reuse that connection', async () => {
    raw.handler = ({ connection }) => {
      connection.socket.write('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhelloEXTRA BYTES');
    };
    const t = transport();
    expect(await (await bulkGet(t, `${raw.url}/a`)).text()).toBe('hello');
    await raw.connections[0]?.closed;
    expect(await (await bulkGet(t, `${raw.url}/b`)).text()).toBe('hello');
    expect(raw.connections).toHaveLength(2);
  });

  it('drops an idle connection on which the server sends anything, and the next GET opens a new one', async () => {
    raw.handler = async ({ connection }) => {
      connection.socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
      if (connection.id === 0) {
        await sleep(20);
        connection.socket.write('HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\n\r\n');
      }
    };
    const t = transport();
    expect(await (await bulkGet(t, `${raw.url}/a`)).text()).toBe('ok');
    await raw.connections[0]?.closed;
    expect(await (await bulkGet(t, `${raw.url}/b`)).text()).toBe('ok');
    expect(raw.connections).toHaveLength(2);
    expect(raw.connections[0]?.heads).toHaveLength(1);
  });

  it('reuses the connection after dump() of a small body, not after a large one', async () => {
    raw.handler = ({ connection, head }) => {
      const size = head.startsWith('GET /large') ? 4 * MiB : 100 * 1024;
      connection.socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${size}\r\n\r\n`);
      connection.socket.write(Buffer.alloc(size, 5));
    };
    const t = transport();
    await (await bulkGet(t, `${raw.url}/small`)).dump();
    await (await bulkGet(t, `${raw.url}/small`)).dump();
    expect(raw.connections).toHaveLength(1);
    await (await bulkGet(t, `${raw.url}/large`)).dump();
    await raw.connections[0]?.closed;
    expect(raw.connections[0]?.heads).toHaveLength(3);
  });

  it('fails bytes() over its limit with PayloadTooLargeError and closes the connection', async () => {
    raw.handler = ({ connection }) => {
      connection.socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${2 * MiB}\r\n\r\n`);
      connection.socket.write(Buffer.alloc(2 * MiB, 6));
    };
    const res = await bulkGet(transport(), `${raw.url}/big`);
    const err = await res.bytes(MiB).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    await raw.connections[0]?.closed;
  });

  it('drops a connection whose body the reader abandoned, and the next GET works', async () => {
    raw.handler = ({ connection }) => {
      connection.socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${2 * MiB}\r\n\r\n`);
      connection.socket.write(Buffer.alloc(64 * 1024, 1));
    };
    const t = transport();
    const res = await bulkGet(t, `${raw.url}/a`);
    res.body.destroy();
    await raw.connections[0]?.closed;
    raw.handler = ({ connection }) => {
      connection.socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    };
    expect(await (await bulkGet(t, `${raw.url}/b`)).text()).toBe('ok');
    expect(raw.connections).toHaveLength(2);
  });
});

describe('backpressure', () => {
  let server: HttpServer;
  let base: string;
  const block = randomBytes(MiB);
  const total = 64;

  beforeAll(async () => {
    server = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-length': String(total * MiB) });
      let sent = 0;
      const pump = (): void => {
        while (sent < total) {
          sent++;
          if (!res.write(block)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
    });
    base = `http://127.0.0.1:${await listen(server)}`;
  });
  afterAll(() => closeServer(server));

  it('delivers 64 MiB intact to a consumer that pauses longer than the body timeout', async () => {
    const expected = createHash('sha256');
    for (let i = 0; i < total; i++) expected.update(block);
    const t = transport({ timeoutMs: 200 });
    const res = await bulkGet(t, `${base}/huge`);
    const hash = createHash('sha256');
    let received = 0;
    let next = 8 * MiB;
    let pauses = 0;
    for await (const chunk of res.body) {
      hash.update(chunk as Buffer);
      received += (chunk as Buffer).length;
      if (received >= next) {
        next += 8 * MiB;
        pauses++;
        await sleep(300);
      }
    }
    expect(received).toBe(total * MiB);
    expect(pauses).toBe(8);
    expect(hash.digest('hex')).toBe(expected.digest('hex'));
  });
});

describe('timeouts, abort and failures', () => {
  it('rejects with TimeoutError phase headers when the server never answers', async () => {
    const err = await failure(bulkGet(transport({ timeoutMs: 300 }), `${raw.url}/hang`));
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ phase: 'headers' });
  });

  it('errors the body with TimeoutError phase body when the server stalls mid-body', async () => {
    raw.handler = ({ connection }) => {
      connection.socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n');
      connection.socket.write(Buffer.alloc(1000, 7));
    };
    const res = await bulkGet(transport({ timeoutMs: 300 }), `${raw.url}/stall`);
    expect(res.status).toBe(200);
    const err = await res.bytes().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ phase: 'body' });
    await raw.connections[0]?.closed;
  });

  it('rejects with AbortedError when the signal is aborted before sending, and sends nothing', async () => {
    const err = await failure(bulkGet(transport(), `${raw.url}/x`, { signal: AbortSignal.abort(new Error('caller gave up')) }));
    expect(err).toBeInstanceOf(AbortedError);
    expect(raw.requests).toHaveLength(0);
  });

  it('rejects with AbortedError when aborted while waiting for the headers', async () => {
    const controller = new AbortController();
    raw.handler = () => {
      controller.abort();
    };
    const err = await failure(bulkGet(transport(), `${raw.url}/x`, { signal: controller.signal }));
    expect(err).toBeInstanceOf(AbortedError);
    await raw.connections[0]?.closed;
    expect(raw.requests).toHaveLength(1);
  });

  it.each([
    ['an Error', new Error('caller gave up')],
    ['a string', 'caller gave up'],
  ])('errors the body with AbortedError when aborted mid-body (reason: %s), and closes the socket', async (_kind, reason) => {
    raw.handler = ({ connection }) => {
      connection.socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${10 * MiB}\r\n\r\n`);
      connection.socket.write(Buffer.alloc(100 * 1024, 3));
    };
    const controller = new AbortController();
    const res = await bulkGet(transport(), `${raw.url}/abort`, { signal: controller.signal });
    const err = await collect(res.body, () => {
      controller.abort(reason);
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortedError);
    expect((err as AbortedError).cause).toBe(reason);
    await raw.connections[0]?.closed;
    expect(raw.connections[0]?.socket.destroyed).toBe(true);
  });

  it('errors the body with NetworkError UND_ERR_SOCKET when the server closes before content-length, like undici', async () => {
    raw.handler = ({ connection }) => {
      connection.socket.end(`HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n${'x'.repeat(500)}`);
    };
    const res = await bulkGet(transport(), `${raw.url}/short`);
    const err = await res.bytes().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect(err).toMatchObject({ causeCode: 'UND_ERR_SOCKET' });
    const viaUndici = await failure(bulkGet(transport({ bulkReads: false }), `${raw.url}/short`));
    expect(viaUndici).toBeInstanceOf(NetworkError);
    expect(viaUndici).toMatchObject({ causeCode: 'UND_ERR_SOCKET' });
  });

  it('errors the body with NetworkError when a chunked body is cut off mid-chunk', async () => {
    raw.handler = ({ connection }) => {
      connection.socket.end(`HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n100\r\n${'y'.repeat(20)}`);
    };
    const err = await failure(bulkGet(transport(), `${raw.url}/cut`));
    expect(err).toBeInstanceOf(NetworkError);
    expect(err).toMatchObject({ causeCode: 'UND_ERR_SOCKET' });
  });

  it('rejects with NetworkError when the connection is reset before the headers', async () => {
    raw.handler = ({ connection }) => {
      connection.socket.resetAndDestroy();
    };
    const err = await failure(bulkGet(transport(), `${raw.url}/reset`));
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).causeCode).toMatch(/^(ECONNRESET|UND_ERR_SOCKET)$/);
  });

  it('rejects with NetworkError when nothing listens on the port', async () => {
    const closed = await startRawServer(() => undefined);
    const url = closed.url;
    await closed.close();
    const err = await failure(bulkGet(transport(), `${url}/nobody`));
    expect(err).toBeInstanceOf(NetworkError);
    expect(err).toMatchObject({ causeCode: 'ECONNREFUSED' });
  });
});

describe('malformed answers', () => {
  const headCases: [string, string][] = [
    ['a status line without a code', 'HTTP/1.1 OK\r\ncontent-length: 0\r\n\r\n'],
    ['a status line of another protocol', 'ICY 200 OK\r\ncontent-length: 0\r\n\r\n'],
    ['HTTP/2 on an HTTP/1.1 connection', 'HTTP/2.0 200 OK\r\ncontent-length: 0\r\n\r\n'],
    ['a header line without a colon', 'HTTP/1.1 200 OK\r\nnot a header\r\ncontent-length: 0\r\n\r\n'],
    ['an obsolete folded header line', 'HTTP/1.1 200 OK\r\nx-a: 1\r\n  folded\r\ncontent-length: 0\r\n\r\n'],
    ['a non-numeric content-length', 'HTTP/1.1 200 OK\r\ncontent-length: abc\r\n\r\n'],
    ['a negative content-length', 'HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n'],
    ['conflicting content-length headers', 'HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\nhello!'],
    ['a conflicting content-length list', 'HTTP/1.1 200 OK\r\ncontent-length: 5, 6\r\n\r\nhello!'],
  ];

  it.each(headCases)('rejects with NetworkError HPE_INVALID_RESPONSE on %s', async (_name, answer) => {
    raw.handler = ({ connection }) => {
      connection.socket.write(answer);
    };
    const err = await failure(bulkGet(transport({ timeoutMs: 2_000 }), `${raw.url}/bad`));
    expect(err).toBeInstanceOf(NetworkError);
    expect(err).toMatchObject({ causeCode: 'HPE_INVALID_RESPONSE' });
    // The connection is not kept for reuse.
    await raw.connections[0]?.closed;
  });

  const chunkedHead = 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n';
  const bodyCases: [string, string][] = [
    ['an invalid chunk size', 'zz\r\nhello\r\n0\r\n\r\n'],
    ['a chunk size with trailing garbage', '5 x\r\nhello\r\n0\r\n\r\n'],
    ['a chunk not followed by CRLF', '5\r\nhelloXX\r\n0\r\n\r\n'],
    ['an endless chunk size line', '1'.repeat(10_000)],
  ];

  // The bad bytes are sent once the client has the response, so they arrive in a later socket
  // read than the head (the same-read case is in bulk-reader.bugs.test.ts while it crashes).
  it.each(bodyCases)('errors the body with NetworkError HPE_INVALID_RESPONSE on %s', async (_name, bad) => {
    let openGate = (): void => undefined;
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    raw.handler = async ({ connection }) => {
      connection.socket.write(chunkedHead);
      await gate;
      connection.socket.write(bad);
    };
    const res = await bulkGet(transport({ timeoutMs: 2_000 }), `${raw.url}/bad`);
    expect(res.status).toBe(200);
    openGate();
    const err = await res.bytes().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect(err).toMatchObject({ causeCode: 'HPE_INVALID_RESPONSE' });
    await raw.connections[0]?.closed;
  });

  it('rejects with NetworkError HPE_INVALID_RESPONSE on a head over 64 KiB that never ends', async () => {
    raw.handler = async ({ connection }) => {
      await writeFragments(connection.socket, Buffer.from(`HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(80 * 1024)}`), [16 * 1024]);
    };
    const err = await failure(bulkGet(transport({ timeoutMs: 2_000 }), `${raw.url}/big-head`));
    expect(err).toBeInstanceOf(NetworkError);
    expect(err).toMatchObject({ causeCode: 'HPE_INVALID_RESPONSE' });
  });
});

describe('request headers', () => {
  it.each([
    ['a value with CRLF', { 'x-evil': 'a\r\nx-injected: 1' }],
    ['a value with a bare LF', { 'x-evil': 'a\nx-injected: 1' }],
    ['a name with CRLF', { 'x-a\r\nx-injected': '1' }],
  ])('refuses %s and sends nothing, like undici', async (_name, headers) => {
    const bulkErr = await failure(bulkGet(transport(), `${raw.url}/inject`, { headers }));
    const undiciErr = await failure(bulkGet(transport({ bulkReads: false }), `${raw.url}/inject`, { headers }));
    expect(bulkErr).toBeInstanceOf(DockerHubError);
    expect(bulkErr).toBeInstanceOf((undiciErr as object).constructor as typeof DockerHubError);
    expect((bulkErr as NetworkError).causeCode).toBe((undiciErr as NetworkError).causeCode);
    expect(raw.requests).toHaveLength(0);
    expect(raw.connections).toHaveLength(0);
  });

  it('sends host, user-agent and the caller headers once, and never a second host or framing header', async () => {
    raw.handler = ({ connection }) => {
      connection.socket.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
    };
    const res = await bulkGet(transport({ userAgent: 'bulk-test/1' }), `${raw.url}/h?x=1`, {
      headers: { accept: 'application/octet-stream', host: 'evil.example', 'transfer-encoding': 'chunked', range: 'bytes=0-' },
    });
    await res.dump();
    const lines = raw.requests[0]?.head.split('\r\n') ?? [];
    expect(lines[0]).toBe('GET /h?x=1 HTTP/1.1');
    const names = lines.slice(1).map((l) => l.slice(0, l.indexOf(':')).toLowerCase());
    expect(names.filter((n) => n === 'host')).toHaveLength(1);
    expect(lines).toContain(`host: ${new URL(raw.url).host}`);
    expect(names).not.toContain('transfer-encoding');
    expect(lines).toContain('user-agent: bulk-test/1');
    expect(lines).toContain('accept: application/octet-stream');
    expect(lines).toContain('range: bytes=0-');
  });
});

describe('TLS', () => {
  let cert: string;
  let server: HttpsServer;
  let origin: string;
  const body = randomBytes(3 * MiB + 7);
  const parallel = Array.from({ length: 4 }, (_, i) => randomBytes(2 * MiB + i * 99_999));

  beforeAll(async () => {
    const made = selfSignedCert();
    cert = made.cert;
    server = createHttpsServer({ key: made.key, cert }, (req, res) => {
      const answer = parallel[Number(/^\/p\/(\d)$/.exec(req.url ?? '')?.[1] ?? 'x')] ?? body;
      res.writeHead(200, { 'content-length': String(answer.length) });
      res.end(answer);
    });
    origin = `https://127.0.0.1:${await listen(server)}`;
  });
  afterAll(async () => {
    await closeServer(server);
  });

  it('reads the body intact over TLS with the test CA, reusing the connection', async () => {
    const t = transport({ ca: cert });
    let connections = 0;
    const onConnection = (): void => {
      connections++;
    };
    server.on('secureConnection', onConnection);
    try {
      for (let i = 0; i < 2; i++) {
        const res = await bulkGet(t, `${origin}/blob`);
        expect(sha256(await res.bytes())).toBe(sha256(body));
      }
    } finally {
      server.off('secureConnection', onConnection);
    }
    expect(connections).toBe(1);
    expect(undiciRequests).toBe(0);
  });

  it('keeps 4 parallel TLS bodies apart', async () => {
    const t = transport({ ca: cert });
    const got = await Promise.all(parallel.map(async (_, i) => sha256(await (await bulkGet(t, `${origin}/p/${i}`)).bytes(8 * MiB))));
    expect(got).toEqual(parallel.map(sha256));
  });

  it('refuses the self-signed certificate without the CA', async () => {
    const err = await failure(bulkGet(transport(), `${origin}/blob`));
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).causeCode).toMatch(/CERT|SELF_SIGNED/);
  });
});

describe('redirects, close and telemetry', () => {
  let a: HttpServer;
  let b: HttpServer;
  let aBase: string;
  let bBase: string;
  const seenByA: IncomingHttpHeaders[] = [];
  const seenByB: IncomingHttpHeaders[] = [];
  const openOnB = new Set<Socket>();
  const blob = randomBytes(2 * MiB);

  beforeAll(async () => {
    b = createHttpServer((req, res) => {
      seenByB.push(req.headers);
      res.writeHead(200, { 'content-length': String(blob.length) });
      res.end(blob);
    });
    b.on('connection', (s: Socket) => {
      openOnB.add(s);
      s.once('close', () => openOnB.delete(s));
    });
    bBase = `http://127.0.0.1:${await listen(b)}`;
    a = createHttpServer((req, res) => {
      seenByA.push(req.headers);
      res.writeHead(307, { location: `${bBase}/storage/blob?sig=1`, 'content-length': '0' });
      res.end();
    });
    aBase = `http://127.0.0.1:${await listen(a)}`;
  });
  afterAll(async () => {
    await closeServer(a);
    await closeServer(b);
  });
  beforeEach(() => {
    seenByA.length = 0;
    seenByB.length = 0;
  });

  it('follows a 307 to another origin without sending it the authorization header', async () => {
    const res = await bulkGet(transport(), `${aBase}/v2/r/blobs/x`, { headers: { authorization: 'Bearer s3cret' } });
    expect(res.status).toBe(200);
    expect(res.url.origin).toBe(bBase);
    expect(sha256(await res.bytes())).toBe(sha256(blob));
    expect(seenByA).toHaveLength(1);
    expect(seenByA[0]?.authorization).toBe('Bearer s3cret');
    expect(seenByB).toHaveLength(1);
    expect(seenByB[0]?.authorization).toBeUndefined();
    expect(undiciRequests).toBe(0);
  });

  it('close() destroys idle pooled sockets', async () => {
    const t = transport();
    await (await bulkGet(t, `${bBase}/x`)).bytes(4 * MiB);
    expect(openOnB.size).toBe(1);
    const [socket] = [...openOnB];
    const closed = new Promise<void>((resolve) => socket?.once('close', () => { resolve(); }));
    await t.close();
    await closed;
    expect(openOnB.size).toBe(0);
  });

  it('counts the body bytes in the requestEnd event', async () => {
    const t = transport();
    const ends: { bytes: number; status: number | undefined }[] = [];
    t.events.on('requestEnd', (e) => ends.push({ bytes: e.bytes, status: e.status }));
    const res = await bulkGet(t, `${bBase}/x`);
    await res.bytes(4 * MiB);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(ends).toEqual([{ bytes: blob.length, status: 200 }]);
  });
});
