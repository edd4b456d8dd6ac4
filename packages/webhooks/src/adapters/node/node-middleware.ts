import { type IncomingMessage, type ServerResponse } from 'node:http';
import { ConfigError } from '@llmdevops/docker-hub-core';
import { type Webhooks } from '../../handler/create-webhooks.js';
import { handleWebhookRequest, matchesPath, type AdapterResponse } from '../handle-request.js';
import { bodyTooLarge, bodyUnreadable, concatChunks } from '../read-errors.js';

/** A Node request, possibly already seen by a framework that stored the raw body. @public */
export type NodeWebhookRequest = IncomingMessage & { body?: unknown; rawBody?: unknown };

/** Options of {@link createNodeMiddleware}. @public */
export interface NodeMiddlewareOptions {
  /** Only this path is handled (plus `/<token>` when the secret is in the path); others go to `next` or 404. */
  readonly path?: string;
}

/** A `node:http` request listener that is also Express/Connect middleware. @public */
export type NodeWebhookMiddleware = (
  req: NodeWebhookRequest,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => void;

function preRead(req: NodeWebhookRequest): Uint8Array | undefined {
  for (const candidate of [req.rawBody, req.body]) {
    if (candidate instanceof Uint8Array) return candidate;
    if (typeof candidate === 'string') return Buffer.from(candidate, 'utf8');
  }
  if (req.readableEnded)
    // A JSON body parser ran first: the exact bytes (needed for signatures and dedupe) are gone.
    throw new ConfigError([
      { path: 'rawBody', message: 'request body was consumed before the webhook middleware' },
    ]);
  return undefined;
}

/**
 * Reads a Node request body up to `limit` bytes. Past the limit it stops collecting at once and
 * rejects with 413; the rest of the stream is discarded, and the connection is closed after the answer.
 */
function readNodeBody(req: NodeWebhookRequest, limit: number): Promise<Uint8Array> {
  const ready = preRead(req);
  if (ready !== undefined)
    return ready.byteLength > limit ? Promise.reject(bodyTooLarge(limit)) : Promise.resolve(ready);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const cleanup = (): void => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.byteLength;
      if (total <= limit) chunks.push(chunk);
      else {
        cleanup();
        req.resume(); // keep draining so the 413 can still be written
        reject(bodyTooLarge(limit));
      }
    };
    const onEnd = (): void => {
      cleanup();
      resolve(concatChunks(chunks, total));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(bodyUnreadable(error));
    };
    const onClose = (): void => {
      cleanup();
      reject(bodyUnreadable());
    };
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

function send(res: ServerResponse, response: AdapterResponse, bodyRead: boolean): void {
  if (res.headersSent) return;
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  // An unread or partly read body would poison a kept-alive connection.
  if (!bodyRead) res.setHeader('connection', 'close');
  res.end(response.body);
}

/**
 * Serves a receiver as a `node:http` request listener, Express/Connect middleware
 * (`app.use(mw)`) or, via `reply.raw`, a Fastify route. A framework's raw body (`req.rawBody`, or a
 * Buffer/string `req.body` from `express.raw()`) is used when present; otherwise the stream is read.
 * With `ack: 'before-listeners'` the listeners start once the 200 has been written.
 * @param webhooks - the receiver from `createWebhooks`
 * @param options - the path to serve
 * @returns the middleware
 * @example
 * ```ts
 * http.createServer(createNodeMiddleware(webhooks, { path: '/hooks/docker' })).listen(8080, '127.0.0.1');
 * ```
 * @public
 */
export function createNodeMiddleware(
  webhooks: Webhooks,
  options: NodeMiddlewareOptions = {},
): NodeWebhookMiddleware {
  return (req, res, next) => {
    const pathname = new URL(req.url ?? '/', 'http://receiver.invalid').pathname;
    if (!matchesPath(pathname, options.path, webhooks.settings.secretInPath)) {
      if (next !== undefined) next();
      else send(res, notFound(), false);
      return;
    }
    let bodyRead = false;
    const request = {
      method: req.method ?? 'GET',
      meta: { headers: req.headers, remoteAddress: req.socket.remoteAddress, url: req.url },
      readBody: async (limit: number) => {
        const body = await readNodeBody(req, limit);
        bodyRead = true;
        return body;
      },
    };
    handleWebhookRequest(webhooks, request)
      .then((response) => {
        const { after } = response;
        // 'close' follows 'finish', and also fires when the sender hangs up first: the event is
        // already claimed by the dedupe window, so it must still be delivered.
        if (after !== undefined) res.once('close', () => void after());
        send(res, response, bodyRead);
      })
      .catch(() => {
        // Only reachable if writing the answer itself failed (socket gone): nothing left to tell.
        if (!res.headersSent) res.destroy();
      });
  };
}

function notFound(): AdapterResponse {
  return {
    status: 404,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify({ error: { code: 'NOT_FOUND', message: 'not a webhook path' } }),
    after: undefined,
  };
}
