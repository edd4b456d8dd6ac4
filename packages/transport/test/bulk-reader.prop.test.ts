// Property: whatever way a valid response is framed (content-length, chunked with random chunk
// sizes, extensions and trailers, or close-delimited) and however its bytes are fragmented on
// the wire, the bulk reader hands out exactly the body that was sent, and a keep-alive
// connection is still usable afterwards (the end of the body was found at the right byte).
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTransport, type Transport } from '../src/index.js';
import { chunked, seededBytes, startRawServer, writeFragments, type RawServer } from './raw-http-server.js';

type Framing = 'length' | 'chunked' | 'close';

interface Answer {
  readonly framing: Framing;
  readonly bodyLength: number;
  readonly seed: number;
  readonly chunkSizes: readonly number[];
  readonly extension: string;
  readonly trailers: readonly string[];
  /** Prefix an informational 100 Continue answer. */
  readonly continue100: boolean;
  /** Sizes of the first writes; the rest is written in pieces of `restFragment`. */
  readonly fragments: readonly number[];
  readonly restFragment: number;
}

const answerArb: fc.Arbitrary<Answer> = fc.record({
  framing: fc.constantFrom<Framing>('length', 'chunked', 'close'),
  bodyLength: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 256 * 1024 })),
  seed: fc.integer(),
  chunkSizes: fc.array(fc.oneof(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 70_000 })), { minLength: 1, maxLength: 8 }),
  extension: fc.constantFrom('', ';a=1', ';name="quoted;value"', ' ;x'),
  trailers: fc.array(fc.constantFrom('x-checksum: abc', 'x-empty:', 'server-timing: db;dur=53'), { maxLength: 2 }),
  continue100: fc.boolean(),
  fragments: fc.array(fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 100_000 })), { minLength: 1, maxLength: 24 }),
  restFragment: fc.integer({ min: 1024, max: 128 * 1024 }),
});

function encode(a: Answer, body: Buffer): Buffer {
  const informational = a.continue100 ? 'HTTP/1.1 100 Continue\r\n\r\n' : '';
  if (a.framing === 'length') {
    return Buffer.concat([Buffer.from(`${informational}HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n`), body]);
  }
  if (a.framing === 'close') {
    return Buffer.concat([Buffer.from(`${informational}HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n`), body]);
  }
  const head = Buffer.from(`${informational}HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n`);
  return Buffer.concat([head, chunked(body, a.chunkSizes, { extension: a.extension, trailers: a.trailers })]);
}

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

let server: RawServer;
let current: Answer | undefined;
let transport: Transport;
/** Whether the previous run ended with a connection the server keeps open (reusable). */
let keptAlive = false;

beforeAll(async () => {
  server = await startRawServer(async ({ connection }) => {
    const a = current;
    if (a === undefined) {
      connection.socket.destroy();
      return;
    }
    await writeFragments(connection.socket, encode(a, seededBytes(a.bodyLength, a.seed)), a.fragments, a.restFragment);
    if (a.framing === 'close') connection.socket.end();
  });
  // One transport for every run: connections kept alive by one run are reused by the next.
  transport = createTransport({ maxRetries: 0, timeoutMs: 5_000 });
});

afterAll(async () => {
  await transport.close();
  await server.close();
});

describe('bulk reader framing (property)', () => {
  it('reads exactly the body that was sent, however it is framed and fragmented', async () => {
    await fc.assert(
      fc.asyncProperty(answerArb, async (a) => {
        current = a;
        const reusable = keptAlive;
        keptAlive = false;
        const before = server.connections.length;
        const res = await transport.request({ method: 'GET', url: new URL(`${server.url}/blob`), headers: {}, context: { bulk: true } });
        expect(res.status).toBe(200);
        const body = await res.bytes();
        expect(body.length).toBe(a.bodyLength);
        expect(sha256(body)).toBe(sha256(seededBytes(a.bodyLength, a.seed)));
        // The connection left by a length or chunked answer is reused; else one is opened.
        expect(server.connections.length - before).toBe(reusable ? 0 : 1);
        keptAlive = a.framing !== 'close';
      }),
      { numRuns: 30 },
    );
  });
});
