// A small node:http server on 127.0.0.1 that answers from a script of steps, one per request,
// so integration tests can stage faults (429s, 503s, resets mid-body, headers that never come).
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, type Socket } from 'node:net';

/** A request as the server received it. */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** How to answer one request. */
export type Step = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void | Promise<void>;

/** A running scripted server. */
export interface ScriptedServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Requests received, in order. */
  readonly requests: RecordedRequest[];
  /** Queues steps; each request takes the next one, then `fallback`. */
  enqueue(...steps: Step[]): void;
  /** What to do when the queue is empty (default: 200 `ok`). */
  fallback: Step;
  /** Resolves when the socket of request `index` (0-based) has closed. */
  socketClosed(index: number): Promise<void>;
  /** Forgets queued steps and recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

/** Answers with a status, headers and body. */
export function reply(status: number, body: string | Buffer = '', headers: Record<string, string> = {}): Step {
  return (_req, res) => {
    res.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers });
    res.end(body);
  };
}

/** Answers with JSON. */
export function replyJson(status: number, json: unknown, headers: Record<string, string> = {}): Step {
  return reply(status, JSON.stringify(json), { 'content-type': 'application/json', ...headers });
}

/** Sends headers announcing `total` bytes, then `sent` bytes, then resets the connection. */
export function resetMidBody(total: number, sent: number): Step {
  return (_req, res) => {
    res.writeHead(200, { 'content-length': String(total), 'content-type': 'application/octet-stream' });
    res.write(Buffer.alloc(sent, 0x61), () => {
      res.socket?.resetAndDestroy();
    });
  };
}

/** Resets the connection before any answer. */
export function resetNow(): Step {
  return (req) => {
    req.socket.resetAndDestroy();
  };
}

/** Never answers (the client must time out or abort). */
export function hang(): Step {
  return () => undefined;
}

/** Sends headers and `sent` bytes of a larger body, then stalls. */
export function stallMidBody(total: number, sent: number): Step {
  return (_req, res) => {
    res.writeHead(200, { 'content-length': String(total) });
    res.write(Buffer.alloc(sent, 0x62));
  };
}

/** Starts a scripted server on 127.0.0.1 with a free port. */
export async function startScriptedServer(): Promise<ScriptedServer> {
  const queue: Step[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const closed = new Map<number, Promise<void>>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const index = requests.length;
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      closed.set(index, new Promise((resolve) => req.socket.once('close', () => { resolve(); })));
      const step = queue.shift() ?? api.fallback;
      void Promise.resolve(step(req, res, body)).catch(() => res.destroy());
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const api: ScriptedServer = {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...steps) => queue.push(...steps),
    fallback: reply(200, 'ok'),
    async socketClosed(index) {
      for (let i = 0; i < 100 && !closed.has(index); i++) await new Promise((r) => setImmediate(r));
      const p = closed.get(index);
      if (p === undefined) throw new Error(`request ${index} never arrived`);
      return p;
    },
    reset() {
      queue.length = 0;
      requests.length = 0;
      closed.clear();
      api.fallback = reply(200, 'ok');
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => { resolve(); });
      }),
  };
  return api;
}
