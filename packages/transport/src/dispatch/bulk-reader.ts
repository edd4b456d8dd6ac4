import { connect as netConnect, isIP, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { errors } from 'undici';
import { tlsConnectOptions } from './tls.js';

// Why this exists: undici parses every socket read in WebAssembly and hands the body out in the
// 64 KiB pieces libuv allocates, one `Readable` push each, which leaves a large download waiting
// for its own pipeline much of the time (BENCHMARKS.md has the same-run comparison with undici's
// request() and stream() and with node:http). Blob bodies are the one place where that matters,
// so the bulk dispatcher (bulk-dispatcher.ts) sends large GETs through this reader: plain
// HTTP/1.1 over `net`/`tls` reading into large slabs, keep-alive, and undici's timeouts, abort
// handling and error types. The reader is only reached through that `Dispatcher`.

/** Settings of the bulk reader. @internal */
export interface BulkReaderOptions {
  /** Connect (and TLS handshake) timeout in ms. */
  readonly connectTimeoutMs: number;
  /** Extra trusted CA certificates (PEM), added to Node's root store. */
  readonly ca?: string | readonly string[] | undefined;
  /** How long an idle connection is kept for reuse, in ms (default 4 000). */
  readonly keepAliveTimeoutMs?: number;
  /** Idle connections kept per origin (default 4). */
  readonly maxIdlePerOrigin?: number;
}

/** One GET for the bulk reader. @internal */
export interface BulkGetRequest {
  readonly url: URL;
  /** Request headers with lower-case names (no `host`, `connection` or framing headers). */
  readonly headers: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal | undefined;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
}

/** The answer: status, headers as undici gives them, and the streamed body. @internal */
export interface BulkGetResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Readable;
  /** Body bytes received so far. */
  readonly bytes: { readonly n: number };
}

const MAX_HEAD_BYTES = 64 * 1024;
// Read slabs share an 8 MiB budget among the responses streaming at once: one download reads
// into 4 MiB slabs (up to 1 MiB per read, the fastest measured), eight at once into 1 MiB slabs
// (256 KiB reads), which keeps the memory pinned by partly used slabs bounded.
const SLAB_BUDGET = 8 * 1024 * 1024;
const MAX_SLAB = 4 * 1024 * 1024;
const MIN_SLAB = 256 * 1024;
const MAX_CHUNK_LINE = 4 * 1024;
const BODY_HIGH_WATER_MARK = 512 * 1024;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const FORBIDDEN_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'upgrade', 'te']);

type Framing =
  | { readonly kind: 'none' }
  | { readonly kind: 'length'; remaining: number }
  | { readonly kind: 'chunked' }
  | { readonly kind: 'close' };

/** What the connection's current user is told about socket events. */
interface ConnectionUser {
  data(chunk: Buffer): void;
  end(err: Error): void;
}

class Connection {
  user: ConnectionUser | undefined;
  idleTimer: NodeJS.Timeout | undefined;
  /** Whether this connection has already carried a response (a reused one may be stale). */
  used = false;
  constructor(
    readonly origin: string,
    readonly socket: Socket,
  ) {}
}

function parseError(message: string): Error {
  return Object.assign(new errors.HTTPParserError(`invalid HTTP response: ${message}`), { code: 'HPE_INVALID_RESPONSE' });
}

function otherSideClosed(): Error {
  return new errors.SocketError('other side closed');
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return new errors.RequestAbortedError();
}

/**
 * Reads large GET bodies over HTTP/1.1 with its own keep-alive connections: reads go straight
 * into shared slabs and are handed out as views, backpressure through socket pause/resume.
 * @internal
 */
export class BulkReader {
  readonly #options: BulkReaderOptions;
  readonly #idle = new Map<string, Connection[]>();
  readonly #sessions = new Map<string, Buffer>();
  #closed = false;
  /** Responses between request and end of body, for the slab budget. */
  #streaming = 0;

  constructor(options: BulkReaderOptions) {
    this.#options = options;
  }

  /**
   * Sends one GET and resolves with the status and headers once they have arrived; the body
   * streams afterwards. A reused connection that turns out closed is replaced once, transparently.
   * @param req - URL, headers, signal, timeouts and the body error mapping
   * @returns the response
   */
  async get(req: BulkGetRequest): Promise<BulkGetResponse> {
    req.signal?.throwIfAborted();
    const head = requestHead(req.url, req.headers);
    const reused = this.#takeIdle(req.url.origin);
    if (reused !== undefined) {
      try {
        return await this.#exchange(reused, head, req);
      } catch (err) {
        if (!(err instanceof StaleConnectionError)) throw err;
      }
    }
    this.#streaming++; // the connection's first slab is sized while it connects
    let fresh: Connection;
    try {
      fresh = await this.#connect(req.url, req.signal);
    } finally {
      this.#streaming--;
    }
    return this.#exchange(fresh, head, req);
  }

  /** Closes the idle connections; later calls fail. Responses still streaming finish. */
  close(): void {
    this.#closed = true;
    for (const list of this.#idle.values()) {
      for (const conn of list) {
        clearTimeout(conn.idleTimer);
        conn.socket.destroy();
      }
    }
    this.#idle.clear();
    this.#sessions.clear();
  }

  #takeIdle(origin: string): Connection | undefined {
    const list = this.#idle.get(origin);
    while (list !== undefined && list.length > 0) {
      const conn = list.pop();
      if (conn === undefined) break;
      clearTimeout(conn.idleTimer);
      if (!conn.socket.destroyed && conn.socket.readyState === 'open') {
        conn.socket.ref();
        return conn;
      }
    }
    return undefined;
  }

  // An idle connection keeps the slab its next read will land in (up to 4 MiB) until it is reused
  // or dropped: Node holds that buffer, so it cannot be given back earlier.
  #release(conn: Connection, keepAliveMs: number | undefined): void {
    const list = this.#idle.get(conn.origin) ?? [];
    if (this.#closed || conn.socket.destroyed || list.length >= (this.#options.maxIdlePerOrigin ?? 4)) {
      conn.socket.destroy();
      return;
    }
    const drop = (): void => {
      conn.socket.destroy();
      const at = list.indexOf(conn);
      if (at >= 0) list.splice(at, 1);
    };
    // Anything arriving on an idle connection (or its end) makes it unusable.
    conn.user = { data: drop, end: drop };
    conn.idleTimer = setTimeout(drop, Math.min(this.#options.keepAliveTimeoutMs ?? 4_000, keepAliveMs ?? Infinity));
    conn.idleTimer.unref();
    conn.socket.unref();
    list.push(conn);
    this.#idle.set(conn.origin, list);
  }

  async #connect(url: URL, signal: AbortSignal | undefined): Promise<Connection> {
    if (this.#closed) throw new errors.ClientDestroyedError();
    const secure = url.protocol === 'https:';
    const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
    // The read callback is fixed when the socket is made; it forwards to the connection's user.
    const route: { conn?: Connection } = {};
    const slab = new ReadSlab(() => Math.min(MAX_SLAB, Math.max(MIN_SLAB, Math.floor(SLAB_BUDGET / Math.max(1, this.#streaming)))));
    const onread = {
      buffer: () => slab.next(),
      callback: (n: number, buf: Uint8Array): boolean => {
        const user = route.conn?.user;
        const chunk = slab.claim(buf, n);
        if (user === undefined) return true;
        user.data(chunk);
        return !(route.conn?.socket.isPaused() ?? false);
      },
    };
    let socket: Socket;
    if (secure) {
      const session = this.#sessions.get(url.origin);
      const tlsOptions: ConnectionOptions = {
        host: hostname,
        port,
        ALPNProtocols: ['http/1.1'],
        ...tlsConnectOptions({ ca: this.#options.ca }),
        ...(isIP(hostname) === 0 ? { servername: hostname } : {}),
        ...(session === undefined ? {} : { session }),
      };
      const tlsSocket = tlsConnect({ ...tlsOptions, onread } as ConnectionOptions);
      tlsSocket.on('session', (s: Buffer) => this.#sessions.set(url.origin, s));
      socket = tlsSocket;
    } else {
      socket = netConnect({ host: hostname, port, onread });
    }
    const connection = new Connection(url.origin, socket);
    route.conn = connection;
    socket.setNoDelay(true);
    socket.on('error', (err) => connection.user?.end(err));
    socket.on('close', () => connection.user?.end(otherSideClosed()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { fail(new errors.ConnectTimeoutError()); }, this.#options.connectTimeoutMs);
      const onAbort = (): void => { fail(signal === undefined ? new errors.RequestAbortedError() : abortError(signal)); };
      const cleanup = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.off('error', fail);
        socket.off(secure ? 'secureConnect' : 'connect', done);
      };
      function fail(err: Error): void {
        cleanup();
        socket.destroy();
        reject(err);
      }
      function done(): void {
        cleanup();
        resolve();
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('error', fail);
      socket.once(secure ? 'secureConnect' : 'connect', done);
    });
    return connection;
  }

  #exchange(conn: Connection, head: string, req: BulkGetRequest): Promise<BulkGetResponse> {
    const wasUsed = conn.used;
    conn.used = true;
    this.#streaming++;
    return new Promise<BulkGetResponse>((resolve, reject) => {
      const exchange = new Exchange(conn, req, {
        settled: () => {
          this.#streaming--;
        },
        resolve,
        // Only a connection the server closed or reset before answering is stale; a timeout or an
        // abort is the request's own outcome and must not send it again.
        reject: (err, receivedNothing) => {
          reject(wasUsed && receivedNothing && isConnectionClosed(err) ? new StaleConnectionError(err) : err);
        },
        release: (keepAliveMs) => {
          this.#release(conn, keepAliveMs);
        },
      });
      conn.user = exchange;
      exchange.start();
      // Latin-1 like undici (values were checked to be within it); nothing is sent once aborted.
      if (conn.user === exchange) conn.socket.write(head, 'latin1');
    });
  }
}

/**
 * Where one socket's reads land: the unused tail of a slab (sized by the budget when it is made),
 * the bytes read handed out as a view of it (no copy), a new slab when the tail gets short. Node asks for the next read's buffer
 * right after each read, so every socket needs its own slab: a shared one would hand two sockets
 * the same pending tail. A slab lives as long as a chunk of it is referenced.
 */
class ReadSlab {
  #slab: Buffer | undefined;
  #used = 0;

  constructor(readonly slabSize: () => number) {}

  /** @returns the buffer for the next read: at most a quarter of the slab */
  next(): Buffer {
    let slab = this.#slab;
    if (slab === undefined || slab.length - this.#used < slab.length / 8) {
      slab = Buffer.allocUnsafeSlow(this.slabSize());
      this.#slab = slab;
      this.#used = 0;
    }
    return slab.subarray(this.#used, Math.min(slab.length, this.#used + slab.length / 4));
  }

  /**
   * Takes the `n` bytes just read into `buf` out of the slab (a copy if `buf` is not its tail).
   * @returns the bytes, safe to keep
   */
  claim(buf: Uint8Array, n: number): Buffer {
    const slab = this.#slab;
    if (buf.buffer === slab?.buffer && buf.byteOffset === slab.byteOffset + this.#used) {
      this.#used += n;
      return Buffer.from(buf.buffer, buf.byteOffset, n);
    }
    return Buffer.from(buf.subarray(0, n));
  }
}

function isConnectionClosed(err: Error): boolean {
  const code = (err as { code?: unknown }).code;
  return err instanceof errors.SocketError || code === 'ECONNRESET' || code === 'EPIPE';
}

/** A reused connection that the server had closed before it answered. */
class StaleConnectionError extends Error {
  constructor(cause: Error) {
    super('stale keep-alive connection', { cause });
  }
}

function requestHead(url: URL, headers: Readonly<Record<string, string>>): string {
  let head = `GET ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\nconnection: keep-alive\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    if (!TOKEN.test(name) || !FIELD_VALUE.test(value)) {
      throw new errors.InvalidArgumentError(`invalid header ${JSON.stringify(name)}`);
    }
    if (FORBIDDEN_HEADERS.has(name.toLowerCase())) continue;
    head += `${name}: ${value}\r\n`;
  }
  return `${head}\r\n`;
}

/** The idle time a server announces in `keep-alive: timeout=N`, less a second of margin. */
function keepAliveTimeoutOf(value: string | string[] | undefined): number | undefined {
  const m = /(?:^|[,;\s])timeout=(\d+)/i.exec(String(value ?? ''));
  return m === null ? undefined : Math.max(0, Number(m[1]) * 1000 - 1000);
}

function parseHead(text: string): { status: number; headers: Record<string, string | string[]>; keepAlive: boolean; keepAliveMs: number | undefined } {
  const lines = text.split('\r\n');
  const statusLine = /^HTTP\/1\.([01]) ([1-5]\d\d)(?: .*)?$/.exec(lines[0] ?? '');
  if (statusLine === null) throw parseError('invalid status line');
  // No prototype: a header named `constructor` or `__proto__` is just a header (as in undici).
  const headers = Object.create(null) as Record<string, string | string[]>;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    if (colon <= 0 || !TOKEN.test(name)) throw parseError('invalid header line');
    const value = line.slice(colon + 1).trim();
    if (!FIELD_VALUE.test(value)) throw parseError('invalid header value');
    const prev = headers[name];
    headers[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  const connection = String(headers['connection'] ?? '').toLowerCase();
  const keepAlive = statusLine[1] === '1' ? !connection.includes('close') : connection.includes('keep-alive');
  const status = Number(statusLine[2]);
  // We never ask to switch protocols.
  if (status === 101) throw parseError('unexpected 101 Switching Protocols');
  return { status, headers: { ...headers }, keepAlive, keepAliveMs: keepAliveTimeoutOf(headers['keep-alive']) };
}

function framingOf(status: number, headers: Record<string, string | string[]>): Framing {
  if (status === 204 || status === 304) return { kind: 'none' };
  const te = headers['transfer-encoding'];
  if (te !== undefined && headers['content-length'] !== undefined) {
    // Both framings at once is how responses get smuggled; undici refuses it too.
    throw parseError('both transfer-encoding and content-length');
  }
  if (te !== undefined) {
    const codings = String(te).toLowerCase().split(',');
    return codings[codings.length - 1]?.trim() === 'chunked' ? { kind: 'chunked' } : { kind: 'close' };
  }
  const cl = headers['content-length'];
  if (cl === undefined) return { kind: 'close' };
  const values = (Array.isArray(cl) ? cl : [cl]).flatMap((v) => v.split(',').map((s) => s.trim()));
  const first = values[0] ?? '';
  if (!/^\d{1,15}$/.test(first) || values.some((v) => v !== first)) throw parseError('invalid content-length');
  const length = Number(first);
  return length === 0 ? { kind: 'none' } : { kind: 'length', remaining: length };
}

interface ExchangeCallbacks {
  /** Called once, when the exchange ends in any way. */
  settled(): void;
  resolve(res: BulkGetResponse): void;
  reject(err: Error, receivedNothing: boolean): void;
  /** The connection may serve another request; `keepAliveMs` is what the server announced. */
  release(keepAliveMs: number | undefined): void;
}

/** One request/response on a connection: head parsing, body framing, timeouts, abort. */
class Exchange implements ConnectionUser {
  #state: 'head' | 'body' | 'done' = 'head';
  #head: Buffer[] = [];
  #headSize = 0;
  #received = 0;
  readonly #bytes = { n: 0 };
  #framing: Framing = { kind: 'none' };
  #keepAlive = false;
  #keepAliveMs: number | undefined;
  #body: Readable | undefined;
  // Chunked decoding.
  #chunkLeft = 0;
  #chunkPhase: 'size' | 'data' | 'data-crlf' | 'trailer' = 'size';
  #line = '';
  #timer: NodeJS.Timeout | undefined;
  readonly #onAbort: () => void;

  constructor(
    readonly conn: Connection,
    readonly req: BulkGetRequest,
    readonly cb: ExchangeCallbacks,
  ) {
    this.#onAbort = () => {
      const signal = req.signal;
      this.#fail(signal === undefined ? new errors.RequestAbortedError() : abortError(signal));
    };
  }

  start(): void {
    if (this.req.signal?.aborted === true) {
      this.#onAbort();
      return;
    }
    this.req.signal?.addEventListener('abort', this.#onAbort, { once: true });
    this.#arm(this.req.headersTimeoutMs, () => new errors.HeadersTimeoutError());
  }

  #arm(ms: number, make: () => Error): void {
    clearTimeout(this.#timer);
    if (ms <= 0) return;
    this.#timer = setTimeout(() => { this.#fail(make()); }, ms);
    this.#timer.unref();
  }

  #armBody(): void {
    this.#arm(this.req.bodyTimeoutMs, () => new errors.BodyTimeoutError());
  }

  data(chunk: Buffer): void {
    this.#received += chunk.length;
    try {
      if (this.#state === 'head') {
        let next = this.#onHead(chunk);
        while (next !== undefined && next.length > 0) next = this.#onHead(next);
      }
      else if (this.#state === 'body') this.#onBody(chunk);
      else throw parseError('data after the response');
    } catch (err) {
      this.#fail(err instanceof Error ? err : new Error(String(err)));
    }
  }

  end(err: Error): void {
    if (this.#state === 'body' && this.#framing.kind === 'close' && err instanceof errors.SocketError) {
      this.#finish(false);
      return;
    }
    this.#fail(err);
  }

  /** Parses head bytes; returns what follows an informational answer, to be parsed as a head. */
  #onHead(chunk: Buffer): Buffer | undefined {
    this.#head.push(chunk);
    this.#headSize += chunk.length;
    const all = this.#head.length === 1 ? (this.#head[0] ?? Buffer.alloc(0)) : Buffer.concat(this.#head, this.#headSize);
    const end = all.indexOf('\r\n\r\n', Math.max(0, this.#headSize - chunk.length - 3), 'latin1');
    if (end < 0) {
      if (this.#headSize > MAX_HEAD_BYTES) throw parseError('response head too large');
      this.#head = [all];
      return undefined;
    }
    if (end > MAX_HEAD_BYTES) throw parseError('response head too large');
    const parsed = parseHead(all.subarray(0, end).toString('latin1'));
    const rest = all.subarray(end + 4);
    if (parsed.status >= 100 && parsed.status < 200) {
      // Informational answers (100 Continue, 103 Early Hints) precede the real one; the caller
      // loops over what follows (no recursion: a server may send thousands in one read).
      this.#head = [];
      this.#headSize = 0;
      return rest;
    }
    this.#framing = framingOf(parsed.status, parsed.headers);
    this.#keepAlive = parsed.keepAlive && this.#framing.kind !== 'close';
    this.#keepAliveMs = parsed.keepAliveMs;
    this.#head = [];
    this.#state = 'body';
    this.#body = this.#createBody();
    this.#armBody();
    this.cb.resolve({ status: parsed.status, headers: parsed.headers, body: this.#body, bytes: this.#bytes });
    if (this.#framing.kind === 'none') {
      if (rest.length > 0) this.#keepAlive = false;
      this.#finish(this.#keepAlive);
      return undefined;
    }
    if (rest.length > 0) this.#onBody(rest);
    return undefined;
  }

  #createBody(): Readable {
    const socket = this.conn.socket;
    const body = new Readable({
      highWaterMark: BODY_HIGH_WATER_MARK,
      read: () => {
        if (this.#state === 'body' && socket.isPaused()) {
          socket.resume();
          this.#armBody();
        }
      },
      destroy: (err, callback) => {
        if (this.#state !== 'done') this.#abandon();
        callback(err);
      },
    });
    // The body can fail inside the read that delivered the head, before the caller has had a
    // chance to listen: that must not become an uncaught 'error' (readers still see it).
    body.on('error', () => undefined);
    return body;
  }

  #push(chunk: Buffer): void {
    const body = this.#body;
    if (body === undefined || chunk.length === 0) return;
    this.#bytes.n += chunk.length;
    if (!body.push(chunk) && this.#state === 'body') {
      this.conn.socket.pause();
      clearTimeout(this.#timer);
    }
  }

  #onBody(chunk: Buffer): void {
    this.#armBody();
    const framing = this.#framing;
    if (framing.kind === 'close') {
      this.#push(chunk);
      return;
    }
    if (framing.kind === 'length') {
      const take = Math.min(framing.remaining, chunk.length);
      this.#push(chunk.subarray(0, take));
      framing.remaining -= take;
      if (framing.remaining === 0) this.#finish(this.#keepAlive && take === chunk.length);
      return;
    }
    if (framing.kind === 'chunked') this.#onChunked(chunk);
  }

  #onChunked(input: Buffer): void {
    let chunk = input;
    while (chunk.length > 0 && this.#state === 'body') {
      if (this.#chunkPhase === 'data') {
        const take = Math.min(this.#chunkLeft, chunk.length);
        this.#push(chunk.subarray(0, take));
        this.#chunkLeft -= take;
        chunk = chunk.subarray(take);
        if (this.#chunkLeft === 0) this.#chunkPhase = 'data-crlf';
        continue;
      }
      const nl = chunk.indexOf(10);
      const piece = chunk.subarray(0, nl < 0 ? chunk.length : nl + 1).toString('latin1');
      chunk = chunk.subarray(piece.length);
      this.#line += piece;
      if (this.#line.length > MAX_CHUNK_LINE) throw parseError('chunk line too long');
      if (nl < 0) return;
      if (!this.#line.endsWith('\r\n')) throw parseError('chunk line not ended by CRLF');
      const line = this.#line.slice(0, -2);
      this.#line = '';
      if (this.#chunkPhase === 'data-crlf') {
        if (line !== '') throw parseError('missing CRLF after chunk data');
        this.#chunkPhase = 'size';
      } else if (this.#chunkPhase === 'size') {
        const size = /^([0-9a-fA-F]{1,12})(?:[ \t]*;.*)?$/.exec(line);
        if (size === null) throw parseError('invalid chunk size');
        this.#chunkLeft = parseInt(size[1] ?? '', 16);
        this.#chunkPhase = this.#chunkLeft === 0 ? 'trailer' : 'data';
      } else if (line === '') {
        this.#finish(this.#keepAlive && chunk.length === 0);
      }
    }
  }

  #detach(): void {
    this.cb.settled();
    clearTimeout(this.#timer);
    this.req.signal?.removeEventListener('abort', this.#onAbort);
    if (this.conn.user === this) this.conn.user = undefined;
  }

  #finish(reusable: boolean): void {
    if (this.#state === 'done') return;
    this.#state = 'done';
    this.#detach();
    this.#body?.push(null);
    if (this.conn.socket.isPaused()) this.conn.socket.resume();
    if (reusable) this.cb.release(this.#keepAliveMs);
    else this.conn.socket.destroy();
  }

  /** The reader gave up on the body: the rest of it is unread, so the connection goes. */
  #abandon(): void {
    this.#state = 'done';
    this.#detach();
    this.conn.socket.destroy();
  }

  #fail(err: Error): void {
    if (this.#state === 'done') return;
    const state = this.#state;
    this.#state = 'done';
    this.#detach();
    this.conn.socket.destroy();
    if (state === 'head') this.cb.reject(err, this.#received === 0);
    else this.#body?.destroy(err);
  }
}
