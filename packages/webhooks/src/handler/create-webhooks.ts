import { ConfigError, systemClock, WebhookError, type Disposer } from '@llmdevops/docker-hub-core';
import { headerValue, mediaTypeOf } from './headers.js';
import { parseJsonSafely } from '../schemas/parse-json.js';
import { verifySignature } from '../verify/signature.js';
import { confirmEvents } from './confirm-events.js';
import { DedupeWindow } from './dedupe-window.js';
import { type WebhookEvent, type WebhookEventName } from './events.js';
import {
  ListenerRegistry,
  type WebhookErrorHandler,
  type WebhookListener,
} from './listener-registry.js';
import { resolveOptions, type WebhooksOptions } from './options.js';
import { detectKind, toEvents } from './parse-payload.js';
import { bodyTooLarge, createPreflight, type WebhookRequestMeta } from './preflight.js';

export { type WebhookRequestMeta } from './preflight.js';

/** Outcome of a delivery that passed every check. @public */
export type AcceptResult =
  | { readonly status: 'accepted'; readonly events: readonly WebhookEvent[] }
  | { readonly status: 'duplicate'; readonly events: readonly [] };

/** What the adapters need to know about limits and acknowledgment. @public */
export interface WebhooksSettings {
  /** Largest body accepted, in bytes. */
  readonly maxBodyBytes: number;
  /** When the 200 is sent relative to the listeners. */
  readonly ack: 'before-listeners' | 'after-listeners';
  /** The durable queue, if one was given. */
  readonly queue: ((events: readonly WebhookEvent[]) => Promise<void>) | undefined;
  /** Whether the shared secret is the last path segment (adapters then match `path/<token>`). */
  readonly secretInPath: boolean;
  /** `Retry-After` seconds sent with the 503 when the queue rejects. */
  readonly queueRetryAfterSeconds: number;
}

/** A webhook receiver: listeners plus the verify, parse and dispatch core. @public */
export interface Webhooks {
  /**
   * Adds a listener for one or more event names (`*` for all). Listeners may be async.
   * @param name - `push`, `pull`, `mount`, `delete`, `*`, or several of them
   * @param listener - receives the typed event
   * @returns a disposer that removes the listener
   */
  on<TName extends WebhookEventName>(
    name: TName | readonly TName[],
    listener: WebhookListener<TName>,
  ): Disposer;
  /**
   * Adds a handler for listener failures.
   * @param handler - receives one `AggregateError` per event whose listeners failed
   * @returns a disposer that removes the handler
   */
  onError(handler: WebhookErrorHandler): Disposer;
  /**
   * The checks that need no body (source 403, secret 401, content type 415, declared length
   * 413); adapters run it before reading the body.
   * @param meta - headers, peer address and URL
   * @throws {@link @llmdevops/docker-hub-core!WebhookError | WebhookError} with the status to answer
   */
  preflight(meta: WebhookRequestMeta): void;
  /**
   * Verifies, parses, deduplicates and confirms a delivery without running listeners.
   * @param rawBody - the exact body bytes (or text)
   * @param meta - headers, peer address and URL
   * @returns the accepted events, or `duplicate`
   * @throws {@link @llmdevops/docker-hub-core!WebhookError | WebhookError} with the status to answer
   */
  accept(rawBody: Uint8Array | string, meta: WebhookRequestMeta): Promise<AcceptResult>;
  /**
   * Hands accepted events to the `queue` option. When the queue fails they are forgotten by the
   * dedupe window, so the sender's retry is processed, and the error is rethrown.
   * @param events - accepted events
   * @throws whatever the queue threw, or {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} when no queue is configured
   */
  enqueue(events: readonly WebhookEvent[]): Promise<void>;
  /**
   * Runs the listeners of each event, event after event; failures go to `onError`. Never rejects.
   * Queue consumers call it with the events they dequeued.
   * @param events - events to deliver
   */
  dispatch(events: readonly WebhookEvent[]): Promise<void>;
  /**
   * {@link Webhooks.accept}, then hands the events to `queue` or runs the listeners and waits.
   * @param rawBody - the exact body bytes (or text)
   * @param meta - headers, peer address and URL
   * @returns the accepted events, or `duplicate`
   * @throws {@link @llmdevops/docker-hub-core!WebhookError | WebhookError} with the status to answer
   */
  receive(rawBody: Uint8Array | string, meta: WebhookRequestMeta): Promise<AcceptResult>;
  /** Settings the adapters read. */
  readonly settings: WebhooksSettings;
}

const dedupeKey = (event: WebhookEvent): string => `${event.source}:${event.id}`;

/**
 * Creates a webhook receiver for Docker Hub push payloads and distribution notifications.
 * @param options - secrets, limits, deduplication, acknowledgment and confirmation
 * @returns the receiver; serve it with `createNodeMiddleware` or `createFetchHandler`
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} for unknown or invalid options (never quoting a secret)
 * @example
 * ```ts
 * const webhooks = createWebhooks({ sharedSecret: { secrets: new Secret(process.env.HOOK_TOKEN ?? '') } });
 * webhooks.on('push', (e) => console.log(e.repository, e.tag));
 * http.createServer(createNodeMiddleware(webhooks, { path: '/hooks/docker' })).listen(8080);
 * ```
 * @public
 */
export function createWebhooks(options: WebhooksOptions = {}): Webhooks {
  const resolved = resolveOptions(options);
  const preflight = createPreflight(resolved, options.allowSources);
  const registry = new ListenerRegistry();
  if (options.onError !== undefined) registry.addErrorHandler(options.onError);
  const clock = options.clock ?? systemClock;
  const dedupe =
    options.dedupe ?? new DedupeWindow(resolved.dedupeWindowMs, () => clock.now());

  async function accept(
    rawBody: Uint8Array | string,
    meta: WebhookRequestMeta,
  ): Promise<AcceptResult> {
    preflight(meta);
    const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
    if (body.byteLength > resolved.maxBodyBytes) throw bodyTooLarge(resolved.maxBodyBytes);
    const { signature } = resolved;
    // Verify before parsing: an unsigned body never reaches JSON.parse.
    if (
      signature !== undefined &&
      !verifySignature(signature.secrets, body, headerValue(meta.headers, signature.header))
    )
      throw new WebhookError('WEBHOOK_UNAUTHORIZED', 'missing or wrong signature', { status: 401 });
    const json = parseJsonSafely(body, resolved.limits);
    const kind = detectKind(mediaTypeOf(headerValue(meta.headers, 'content-type')), json);
    const events = toEvents(kind, json, {
      body,
      allowNonPublicCallbackUrl: options.allowNonPublicCallbackUrl ?? false,
    });
    const fresh = events.filter((e) => dedupe.claim(dedupeKey(e)));
    if (fresh.length === 0) return { status: 'duplicate', events: [] };
    try {
      const confirmed = await confirmEvents(fresh, options.confirm, resolved.confirmTimeoutMs);
      return { status: 'accepted', events: confirmed };
    } catch (error) {
      // A rejected delivery must not shadow the genuine one that may follow.
      for (const e of fresh) dedupe.release(dedupeKey(e));
      throw error;
    }
  }

  async function enqueue(events: readonly WebhookEvent[]): Promise<void> {
    if (options.queue === undefined)
      throw new ConfigError([{ path: 'queue', message: 'no queue is configured' }]);
    try {
      await options.queue(events);
    } catch (error) {
      for (const e of events) dedupe.release(dedupeKey(e));
      throw error;
    }
  }

  async function dispatch(events: readonly WebhookEvent[]): Promise<void> {
    for (const event of events) await registry.emit(event);
  }

  return {
    on: (name, listener) =>
      registry.add(typeof name === 'string' ? [name] : name, listener as WebhookListener<'*'>),
    onError: (handler) => registry.addErrorHandler(handler),
    preflight,
    accept,
    enqueue,
    dispatch,
    async receive(rawBody, meta) {
      const result = await accept(rawBody, meta);
      if (result.status === 'accepted') {
        if (options.queue === undefined) await dispatch(result.events);
        else await enqueue(result.events);
      }
      return result;
    },
    settings: {
      maxBodyBytes: resolved.maxBodyBytes,
      ack: options.ack ?? 'before-listeners',
      queue: options.queue,
      secretInPath: resolved.sharedSecret?.from === 'path',
      queueRetryAfterSeconds: resolved.queueRetryAfterSeconds,
    },
  };
}
