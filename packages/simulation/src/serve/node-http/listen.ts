import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { readChunk, toWebStream } from '../../internal/streams.js';
import { type FetchHandler } from '../dispatcher/simulator-dispatcher.js';

/** Options of {@link listen}. @public */
export interface ListenOptions {
  /** Port (default 0: a free one). */
  readonly port?: number;
  /** Address (default `127.0.0.1`). */
  readonly host?: string;
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
  res.writeHead(response.status, response.statusText, headers);
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
 * @param handle - the handler
 * @param options - port and host
 * @returns the URL and a close function
 * @public
 */
export async function listen(
  handle: FetchHandler,
  options: ListenOptions = {},
): Promise<ListeningServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
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
