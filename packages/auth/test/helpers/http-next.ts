// Test-only implementation of transport's `Next` over node:http, so auth tests do not depend on
// the transport package's runtime (only on its types).
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { Next, TransportRequest, TransportResponse } from '@llmdevops/docker-hub-transport';

async function bodyBytes(req: TransportRequest): Promise<Buffer | undefined> {
  const b = req.body;
  if (b === undefined) return undefined;
  if (typeof b === 'string') return Buffer.from(b, 'utf8');
  if (b instanceof Uint8Array) return Buffer.from(b);
  const chunks: Buffer[] = [];
  for await (const c of b.stream() as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

async function readAll(body: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body) {
    size += (c as Buffer).length;
    if (size > limit) throw new Error('body too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

function toResponse(res: IncomingMessage, url: URL): TransportResponse {
  const headers: Record<string, string | string[] | undefined> = { ...res.headers };
  return {
    status: res.statusCode ?? 0,
    headers,
    url,
    body: res,
    header(name: string) {
      const v = headers[name.toLowerCase()];
      return Array.isArray(v) ? v.join(', ') : v;
    },
    async text(limit = 1 << 24) {
      return (await readAll(res, limit)).toString('utf8');
    },
    async bytes(limit = 1 << 24) {
      return new Uint8Array(await readAll(res, limit));
    },
    async json<T>(limit = 1 << 24) {
      return JSON.parse((await readAll(res, limit)).toString('utf8')) as T;
    },
    async dump() {
      res.resume();
      await new Promise<void>((resolve) => {
        if (res.readableEnded) resolve();
        else res.once('end', resolve).once('close', resolve);
      });
    },
  };
}

/** Every request sent through {@link httpNext}, with its headers (for secret-routing assertions). */
export interface SentRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** A `Next` that sends requests with node:http and records what it sent. */
export function httpNext(sent: SentRequest[] = []): Next & { sent: SentRequest[] } {
  const next = async (req: TransportRequest): Promise<TransportResponse> => {
    const body = await bodyBytes(req);
    sent.push({ method: req.method, url: req.url.href, headers: { ...req.headers } });
    return new Promise<TransportResponse>((resolve, reject) => {
      const r = httpRequest(
        req.url,
        {
          method: req.method,
          headers: {
            ...req.headers,
            ...(body === undefined ? {} : { 'content-length': String(body.length) }),
          },
          ...(req.signal === undefined ? {} : { signal: req.signal }),
        },
        (res) => {
          resolve(toResponse(res, req.url));
        },
      );
      r.on('error', reject);
      r.end(body);
    });
  };
  return Object.assign(next, { sent });
}

/** A request a scripted server received. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A scripted reply: status, headers and a body (objects are sent as JSON). */
export interface ScriptedReply {
  readonly status: number;
  readonly headers?: Record<string, string | string[]>;
  readonly body?: unknown;
}

/** A loopback server whose answers come from a handler; records every request. */
export interface ScriptedServer {
  readonly url: string;
  readonly origin: string;
  readonly host: string;
  readonly received: ReceivedRequest[];
  handler: (req: ReceivedRequest) => ScriptedReply | Promise<ScriptedReply>;
  close(): Promise<void>;
}

function write(res: ServerResponse, reply: ScriptedReply): void {
  const isText = typeof reply.body === 'string' || reply.body === undefined;
  const payload =
    typeof reply.body === 'string'
      ? reply.body
      : reply.body === undefined
        ? ''
        : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    ...(isText ? {} : { 'content-type': 'application/json' }),
    ...reply.headers,
  });
  res.end(payload);
}

/** Starts a scripted server on 127.0.0.1 with a free port. */
export async function startScriptedServer(
  handler: ScriptedServer['handler'] = () => ({ status: 404 }),
): Promise<ScriptedServer> {
  const received: ReceivedRequest[] = [];
  const state = { handler };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const r: ReceivedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(r);
      Promise.resolve(state.handler(r)).then(
        (reply) => {
          write(res, reply);
        },
        () => {
          write(res, { status: 500 });
        },
      );
    });
  });
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: origin,
    origin,
    host: `127.0.0.1:${port}`,
    received,
    get handler() {
      return state.handler;
    },
    set handler(h) {
      state.handler = h;
    },
    close: async () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** A readable that yields the given chunks (for one-shot stream bodies). */
export function oneShot(data: string): () => AsyncIterable<Uint8Array> {
  return () => Readable.from([Buffer.from(data)]);
}
