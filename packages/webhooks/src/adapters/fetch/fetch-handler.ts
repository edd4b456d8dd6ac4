import { type Webhooks } from '../../handler/create-webhooks.js';
import { handleWebhookRequest, matchesPath } from '../handle-request.js';
import { bodyTooLarge, bodyUnreadable, concatChunks } from '../read-errors.js';

/** Options of {@link createFetchHandler}. @public */
export interface FetchHandlerOptions {
  /** Only this path is handled (plus `/<token>` when the secret is in the path); others get 404. */
  readonly path?: string;
  /** Keeps the runtime alive for listeners after the answer (workers' `ctx.waitUntil`). */
  readonly waitUntil?: (promise: Promise<unknown>) => void;
  /** The peer address, for `allowSources` (Fetch has no standard way to get it). */
  readonly remoteAddress?: (request: Request) => string | undefined;
}

async function readFetchBody(request: Request, limit: number): Promise<Uint8Array> {
  if (request.body === null) return new Uint8Array(0);
  // Node's lib types leave the chunk type open; Fetch bodies are byte streams.
  const reader = (request.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let chunk: Awaited<ReturnType<typeof reader.read>>;
    try {
      chunk = await reader.read();
    } catch (error) {
      throw bodyUnreadable(error);
    }
    if (chunk.done) return concatChunks(chunks, total);
    total += chunk.value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw bodyTooLarge(limit);
    }
    chunks.push(chunk.value);
  }
}

/**
 * Serves a receiver as a Fetch handler `(Request) => Promise<Response>` for Hono, Next.js route
 * handlers, Bun, Deno and workers. With `ack: 'before-listeners'` the listeners start on the next
 * macrotask, after the Response has been handed back; pass `waitUntil` where the runtime would
 * otherwise stop.
 * @param webhooks - the receiver from `createWebhooks`
 * @param options - path, `waitUntil` and peer address
 * @returns the handler
 * @example
 * ```ts
 * export const POST = createFetchHandler(webhooks); // Next.js app/api/hooks/route.ts
 * ```
 * @public
 */
export function createFetchHandler(
  webhooks: Webhooks,
  options: FetchHandlerOptions = {},
): (request: Request) => Promise<Response> {
  return async (request) => {
    const url = new URL(request.url);
    if (!matchesPath(url.pathname, options.path, webhooks.settings.secretInPath))
      return Response.json(
        { error: { code: 'NOT_FOUND', message: 'not a webhook path' } },
        { status: 404, headers: { 'cache-control': 'no-store' } },
      );
    const response = await handleWebhookRequest(webhooks, {
      method: request.method,
      meta: {
        headers: request.headers,
        remoteAddress: options.remoteAddress?.(request),
        url: request.url,
      },
      readBody: (limit) => readFetchBody(request, limit),
    });
    const { after } = response;
    if (after !== undefined) {
      const later = new Promise<void>((resolve) => setTimeout(resolve, 0)).then(after);
      if (options.waitUntil === undefined) void later;
      else options.waitUntil(later);
    }
    return new Response(response.body, { status: response.status, headers: response.headers });
  };
}
