import { isDockerHubError, WebhookError } from '@llmdevops/docker-hub-core';
import { type Webhooks, type WebhookRequestMeta } from '../handler/create-webhooks.js';

/** A request as every adapter presents it to the shared core. @internal */
export interface AdapterRequest {
  readonly method: string;
  readonly meta: WebhookRequestMeta;
  /** Reads the whole body, rejecting with a 413 {@link WebhookError} past `limit` bytes. */
  readBody(limit: number): Promise<Uint8Array>;
}

/** The answer to send, plus work that must start only after it is sent. @internal */
export interface AdapterResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Listener dispatch for `ack: 'before-listeners'`; never rejects. */
  readonly after: (() => Promise<void>) | undefined;
}

const BASE_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

function json(status: number, body: unknown, extra: Record<string, string> = {}): AdapterResponse {
  return {
    status,
    headers: { ...BASE_HEADERS, ...extra },
    body: JSON.stringify(body),
    after: undefined,
  };
}

/**
 * Maps an error to an answer. Only toolkit errors contribute their (fixed-phrase) message; anything
 * else becomes a generic 500 so that no caller-supplied text reaches the sender.
 */
function errorResponse(error: unknown): AdapterResponse {
  if (error instanceof WebhookError && error.status !== undefined)
    return json(error.status, { error: { code: error.code, message: error.message } });
  if (isDockerHubError(error) && error.code === 'CONFIG_INVALID')
    return json(500, { error: { code: error.code, message: 'webhook receiver is misconfigured' } });
  return json(500, { error: { code: 'INTERNAL', message: 'internal error' } });
}

/**
 * Whether a request path is the webhook's: equal to `path`, or `path/<token>` when the shared
 * secret travels in the path. No `path` matches everything.
 * @param pathname - the request's path
 * @param path - the configured path, if any
 * @param secretInPath - whether the last segment is the shared secret
 * @returns true when the request is for the webhook
 * @internal
 */
export function matchesPath(
  pathname: string,
  path: string | undefined,
  secretInPath: boolean,
): boolean {
  if (path === undefined) return true;
  const base = path.endsWith('/') ? path.slice(0, -1) : path;
  if (!secretInPath) return pathname === base || pathname === `${base}/`;
  if (!pathname.startsWith(`${base}/`)) return false;
  const rest = pathname.slice(base.length + 1);
  return rest !== '' && !rest.includes('/');
}

/**
 * The one request pipeline behind every adapter: method (405), the body-free checks (403, 401,
 * 415, 413), a bounded read (413), then verification, parsing, deduplication and confirmation
 * (401, 400, 422), then acknowledgment according to `ack` and `queue`.
 * @param webhooks - the receiver
 * @param request - the adapted request
 * @returns the response to send and what to run after sending it
 * @internal
 */
export async function handleWebhookRequest(
  webhooks: Webhooks,
  request: AdapterRequest,
): Promise<AdapterResponse> {
  if (request.method.toUpperCase() !== 'POST')
    return json(
      405,
      { error: { code: 'WEBHOOK_INVALID', message: 'method must be POST' } },
      { allow: 'POST' },
    );
  const { settings } = webhooks;
  let result;
  try {
    webhooks.preflight(request.meta);
    const body = await request.readBody(settings.maxBodyBytes);
    result = await webhooks.accept(body, request.meta);
  } catch (error) {
    return errorResponse(error);
  }
  if (result.status === 'duplicate') return json(200, { status: 'duplicate' });
  const { events } = result;
  if (settings.queue !== undefined) {
    try {
      await webhooks.enqueue(events);
    } catch {
      // Not acknowledged: the sender retries later (enqueue already forgot these events).
      return json(
        503,
        { error: { code: 'INTERNAL', message: 'events could not be queued' } },
        { 'retry-after': String(settings.queueRetryAfterSeconds) },
      );
    }
    return json(200, { status: 'accepted' });
  }
  if (settings.ack === 'after-listeners') {
    await webhooks.dispatch(events);
    return json(200, { status: 'accepted' });
  }
  return { ...json(200, { status: 'accepted' }), after: () => webhooks.dispatch(events) };
}
