import { once } from 'node:events';
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { readChunk, toWebStream } from '../../internal/streams.js';
import { type FetchHandler } from '../dispatcher/simulator-dispatcher.js';

/** Options of {@link listen}. @public */
export interface ListenOptions {
  /** Port (default 0: a free one). */
  readonly port?: number;
  /** Address (default `127.0.0.1`). */
  readonly host?: string;
  /** Time a client has to send a request's headers, in ms (default 20 s); then the socket is closed. */
  readonly headersTimeoutMs?: number;
  /** Time a socket may stay silent (nothing read or written), in ms (default 60 s); then it is closed. */
  readonly idleTimeoutMs?: number;
}

/** Defaults of {@link ListenOptions} timeouts. @internal */
export const LISTEN_TIMEOUTS = { headersMs: 20_000, idleMs: 60_000 } as const;

function timeoutOption(name: string, value: number | undefined, fallback: number): number {
  const ms = value ?? fallback;
  if (!Number.isSafeInteger(ms) || ms < 1)
    throw new RangeError(`listen: ${name} must be a whole number of milliseconds >= 1, got ${ms}`);
  return ms;
}

/** A running loopback server. @public */
export interface ListeningServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
}

function toRequest(req: IncomingMessage, fallbackHost: string, signal: AbortSignal): Request {
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? fallbackHost}`);
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i] ?? '', req.rawHeaders[i + 1] ?? '');
  }
  const method = req.method ?? 'GET';
  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal };
  if (method !== 'GET' && method !== 'HEAD') {
    init.body = toWebStream(req as AsyncIterable<Uint8Array>);
    init.duplex = 'half';
  }
  return new Request(url, init);
}

async function send(res: ServerResponse, response: Response, head: boolean): Promise<void> {
  const headers: string[] = [];
  response.headers.forEach((v, k) => headers.push(k, v));
  // Go's net/http (distribution) always sends the standard reason phrase; so do we.
  const reason =
    response.statusText === '' ? (STATUS_CODES[response.status] ?? '') : response.statusText;
  // A body longer or shorter than its declared length fails the write (and so drops the socket)
  // instead of leaving stray bytes for the next response on a keep-alive connection.
  res.strictContentLength = true;
  res.writeHead(response.status, reason, headers);
  if (response.body === null || head) {
    await response.body?.cancel();
    res.end();
    return;
  }
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const value = await readChunk(reader);
    if (value === undefined) break;
    if (!res.write(value)) await once(res, 'drain');
  }
  res.end();
}

/**
 * Serves a Fetch-style handler over `node:http` (loopback by default), streaming both ways. A
 * response body that fails (a reset fault) destroys the socket, as a dropped connection would.
 * Sockets that send no complete headers within `headersTimeoutMs`, or stay silent for
 * `idleTimeoutMs`, are closed, so idle or slow clients cannot hold connections open.
 * @param handle - the handler
 * @param options - port, host and socket timeouts
 * @throws RangeError for a timeout that is not a whole number of milliseconds >= 1
 * @returns the URL and a close function
 * @public
 */
export async function listen(
  handle: FetchHandler,
  options: ListenOptions = {},
): Promise<ListeningServer> {
  const host = options.host ?? '127.0.0.1';
  const headersTimeout = timeoutOption(
    'headersTimeoutMs',
    options.headersTimeoutMs,
    LISTEN_TIMEOUTS.headersMs,
  );
  const idleTimeout = timeoutOption('idleTimeoutMs', options.idleTimeoutMs, LISTEN_TIMEOUTS.idleMs);
  // Node checks header deadlines on this interval: keep it a fraction of the deadline.
  const serverOptions = {
    headersTimeout,
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(headersTimeout / 4))),
  };
  const server = createServer(serverOptions, (req, res) => {
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort(new Error('client went away'));
    });
    const address = server.address() as AddressInfo;
    const request = toRequest(req, `${host}:${address.port}`, abort.signal);
    handle(request, { clientAddress: req.socket.remoteAddress ?? host })
      .then((response) => send(res, response, req.method === 'HEAD'))
      .catch(() => res.destroy());
  });
  // A socket silent for this long (a stalled body, a client that never sends) is destroyed.
  server.setTimeout(idleTimeout);
  server.listen(options.port ?? 0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}
