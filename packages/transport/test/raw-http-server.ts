// A raw `node:net` server on 127.0.0.1 for the bulk reader tests: it splits the incoming bytes
// into request heads (GETs only, no request bodies) and lets each test write whatever answer it
// wants, byte for byte: malformed heads, exact fragmenting, stalls, resets, close-delimited bodies.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** One TCP connection the server accepted. */
export interface RawConnection {
  /** 0-based, in accept order since the last `reset()`. */
  readonly id: number;
  readonly socket: Socket;
  /** Request heads received on this connection, in order. */
  readonly heads: string[];
  /** Resolves when the socket has closed. */
  readonly closed: Promise<void>;
}

/** One request head as received. */
export interface RawRequest {
  readonly connection: RawConnection;
  /** The head without the final blank line. */
  readonly head: string;
  /** 0-based index of this request on its connection. */
  readonly indexOnConnection: number;
}

/** Answers one request by writing to its socket. */
export type RawHandler = (req: RawRequest) => void | Promise<void>;

/** A running raw server. */
export interface RawServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly connections: RawConnection[];
  readonly requests: RawRequest[];
  /** The current handler (replace it per test). */
  handler: RawHandler;
  /** Forgets recorded connections and requests and restarts connection ids at 0 (open sockets stay open). */
  reset(): void;
  close(): Promise<void>;
}

/**
 * Starts a raw HTTP/1.1 server on 127.0.0.1 with a free port.
 * @param handler - how to answer each request
 * @returns the server
 */
export async function startRawServer(handler: RawHandler): Promise<RawServer> {
  const connections: RawConnection[] = [];
  const requests: RawRequest[] = [];
  const sockets = new Set<Socket>();
  let nextId = 0;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const connection: RawConnection = {
      id: nextId++,
      socket,
      heads: [],
      closed: new Promise<void>((resolve) => socket.once('close', () => { resolve(); })),
    };
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    connections.push(connection);
    let pending = '';
    socket.on('data', (data: Buffer) => {
      pending += data.toString('latin1');
      for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
        const head = pending.slice(0, end);
        pending = pending.slice(end + 4);
        const req: RawRequest = { connection, head, indexOnConnection: connection.heads.length };
        connection.heads.push(head);
        requests.push(req);
        void Promise.resolve(api.handler(req)).catch(() => socket.destroy());
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const api: RawServer = {
    url: `http://127.0.0.1:${port}`,
    connections,
    requests,
    handler,
    reset() {
      nextId = 0;
      connections.length = 0;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => { resolve(); });
      }),
  };
  return api;
}

/**
 * Writes `data` in fragments of the given sizes (cycled), yielding to the event loop between
 * writes (`setImmediate`, or a 1 ms timer every fourth write) so the client sees separate reads.
 * @param socket - where to write
 * @param data - the bytes
 * @param sizes - fragment sizes, cycled unless `rest` is given; each at least 1
 * @param rest - when given, the sizes are used once and the remainder goes in pieces of this size
 * @returns when everything was handed to the socket
 */
export async function writeFragments(socket: Socket, data: Buffer, sizes: readonly number[], rest?: number): Promise<void> {
  let at = 0;
  for (let i = 0; at < data.length; i++) {
    const listed = rest === undefined ? sizes[i % sizes.length] : sizes[i];
    const size = Math.max(1, listed ?? rest ?? data.length);
    const piece = data.subarray(at, at + size);
    at += piece.length;
    if (socket.destroyed) return;
    if (!socket.write(piece)) await new Promise<void>((resolve) => socket.once('drain', resolve));
    if (i % 4 === 3) await sleep(1);
    else await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * Encodes a body with chunked transfer coding.
 * @param body - the body
 * @param sizes - chunk sizes, cycled; each at least 1
 * @param options - chunk extension added to every size line, trailer lines
 * @returns the encoded bytes, including the last chunk and the trailer section
 */
export function chunked(body: Buffer, sizes: readonly number[], options: { extension?: string; trailers?: readonly string[]; upperHex?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (let i = 0; at < body.length; i++) {
    const size = Math.max(1, sizes[i % sizes.length] ?? body.length);
    const piece = body.subarray(at, at + size);
    at += piece.length;
    const hex = piece.length.toString(16);
    parts.push(Buffer.from(`${options.upperHex === true ? hex.toUpperCase() : hex}${options.extension ?? ''}\r\n`, 'latin1'), piece, Buffer.from('\r\n'));
  }
  const trailers = (options.trailers ?? []).map((t) => `${t}\r\n`).join('');
  parts.push(Buffer.from(`0${options.extension ?? ''}\r\n${trailers}\r\n`, 'latin1'));
  return Buffer.concat(parts);
}

/**
 * Deterministic pseudo-random bytes (xorshift32), for property tests that must reproduce.
 * @param length - how many bytes
 * @param seed - any integer
 * @returns the bytes
 */
export function seededBytes(length: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = (seed | 0) || 0x9e3779b9;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
