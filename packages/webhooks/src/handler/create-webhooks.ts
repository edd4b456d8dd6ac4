import { ConfigError, WebhookError } from '@llmdevops/docker-hub-core';
import { headerValue, mediaTypeOf, type WebhookHeaders } from '../internal/headers.js';
import { DISTRIBUTION_EVENTS_MEDIA_TYPES } from '../schemas/distribution-envelope.js';
import { parseJsonSafely } from '../schemas/parse-json.js';
import { lastPathSegment, matchesSharedSecret } from '../verify/shared-secret.js';
import { verifySignature } from '../verify/signature.js';
import { createSourceAllowList } from '../verify/source-allow-list.js';
import { confirmEvents } from './confirm-events.js';
import { DedupeWindow } from './dedupe-window.js';
import { type WebhookEvent, type WebhookEventName } from './events.js';
import {
  ListenerRegistry,
  type Disposer,
  type WebhookErrorHandler,
  type WebhookListener,
} from './listener-registry.js';
import { resolveOptions, type WebhooksOptions } from './options.js';
import { detectKind, toEvents } from './parse-payload.js';

/** What a receiver knows about a request besides its body. @public */
export interface WebhookRequestMeta {
  /** Request headers (Node or Fetch form). */
  readonly headers: WebhookHeaders;
  /** Peer IP address, for `allowSources`. */
  readonly remoteAddress?: string | undefined;
  /** Request URL (absolute, or path and query), for a secret in the path or query. */
  readonly url?: string | undefined;
}

/** Outcome of a delivery that passed every check. @public */
export type AcceptResult =
  | { readonly status: 'accepted'; readonly events: readonly WebhookEvent[] }
  | { readonly status: 'duplicate'; readonly events: readonly [] };

/** What the adapters need to know about acknowledgment. @public */
export interface WebhooksSettings {
  readonly maxBodyBytes: number;
  readonly ack: 'before-listeners' | 'after-listeners';
  readonly queue: ((events: readonly WebhookEvent[]) => Promise<void>) | undefined;
  readonly secretInPath: boolean;
}

/** A webhook receiver: listeners plus the verify, parse and dispatch core. @public */
export interface Webhooks {
  /**
   * Adds a listener for one or more event names (`*` for all).
   * @returns a disposer that removes it
   */
  on<TName extends WebhookEventName>(
    name: TName | readonly TName[],
    listener: WebhookListener<TName>,
  ): Disposer;
  /** Adds a handler for listener failures. @returns a disposer */
  onError(handler: WebhookErrorHandler): Disposer;
  /**
   * The checks that need no body: source address (403), shared secret (401), content type (415)
   * and declared length (413). Adapters run it before reading the body.
   * @throws {@link WebhookError}
   */
  preflight(meta: WebhookRequestMeta): void;
  /**
   * Verifies, parses, deduplicates and confirms a delivery without running listeners.
   * @throws {@link WebhookError} with the status to answer
   */
  accept(rawBody: Uint8Array | string, meta: WebhookRequestMeta): Promise<AcceptResult>;
  /**
   * Hands accepted events to the `queue` option. When the queue fails they are forgotten by the
   * dedupe window, so the sender's retry is processed, and the error is rethrown.
   * @throws whatever the queue threw, or {@link ConfigError} when no queue is configured
   */
  enqueue(events: readonly WebhookEvent[]): Promise<void>;
  /** Runs listeners for events in order; failures go to `onError`; never rejects. */
  dispatch(events: readonly WebhookEvent[]): Promise<void>;
  /**
   * {@link Webhooks.accept}, then hands the events to `queue` or runs the listeners.
   * @throws {@link WebhookError} with the status to answer
   */
  receive(rawBody: Uint8Array | string, meta: WebhookRequestMeta): Promise<AcceptResult>;
  /** Settings the adapters read. */
  readonly settings: WebhooksSettings;
}

const ACCEPTED_MEDIA_TYPES: ReadonlySet<string> = new Set([
  'application/json',
  ...DISTRIBUTION_EVENTS_MEDIA_TYPES,
]);

const unauthorized = (message: string, status: 401 | 403): WebhookError =>
  new WebhookError('WEBHOOK_UNAUTHORIZED', message, { status });

/**
 * Creates a webhook receiver for Docker Hub push payloads and distribution notifications.
 * @param options - secrets, limits, deduplication, acknowledgment and confirmation
 * @returns the receiver; serve it with `createNodeMiddleware` or `createFetchHandler`
 * @throws {@link ConfigError} for invalid options
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
  const registry = new ListenerRegistry();
  if (options.onError !== undefined) registry.addErrorHandler(options.onError);
  const sourceAllowed =
    options.allowSources === undefined ? undefined : createSourceAllowList(options.allowSources);
  const clock = options.clock ?? { now: () => Date.now() };
  const dedupe = new DedupeWindow(resolved.dedupeWindowMs, () => clock.now());

  function presentedToken(meta: WebhookRequestMeta): string | undefined {
    const shared = resolved.sharedSecret;
    if (shared === undefined) return undefined;
    if (shared.from === 'header') return headerValue(meta.headers, shared.name);
    if (meta.url === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(meta.url, 'http://receiver.invalid');
    } catch {
      return undefined;
    }
    return shared.from === 'path'
      ? lastPathSegment(url)
      : (url.searchParams.get(shared.name) ?? undefined);
  }

  function preflight(meta: WebhookRequestMeta): void {
    if (sourceAllowed !== undefined && !sourceAllowed(meta.remoteAddress))
      throw unauthorized('source address is not allowed', 403);
    const shared = resolved.sharedSecret;
    if (shared !== undefined && !matchesSharedSecret(shared.secrets, presentedToken(meta)))
      throw unauthorized('missing or wrong shared secret', 401);
    const mediaType = mediaTypeOf(headerValue(meta.headers, 'content-type'));
    if (mediaType === undefined || !ACCEPTED_MEDIA_TYPES.has(mediaType))
      throw new WebhookError('WEBHOOK_INVALID', 'content type must be application/json', {
        status: 415,
      });
    const declared = headerValue(meta.headers, 'content-length');
    if (declared !== undefined && !/^\d{1,15}$/.test(declared.trim()))
      throw new WebhookError('WEBHOOK_INVALID', 'content-length is malformed', { status: 400 });
    if (declared !== undefined && Number(declared) > resolved.maxBodyBytes) throw tooLarge();
  }

  function tooLarge(): WebhookError {
    return new WebhookError('WEBHOOK_INVALID', `body exceeds ${resolved.maxBodyBytes} bytes`, {
      status: 413,
    });
  }

  async function accept(
    rawBody: Uint8Array | string,
    meta: WebhookRequestMeta,
  ): Promise<AcceptResult> {
    preflight(meta);
    const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
    if (body.byteLength > resolved.maxBodyBytes) throw tooLarge();
    const signature = resolved.signature;
    if (
      signature !== undefined &&
      !verifySignature(signature.secrets, body, headerValue(meta.headers, signature.header))
    )
      throw unauthorized('missing or wrong signature', 401);
    const json = parseJsonSafely(body, resolved.limits);
    const kind = detectKind(mediaTypeOf(headerValue(meta.headers, 'content-type')), json);
    const events = toEvents(kind, json, {
      body,
      allowNonPublicCallbackUrl: options.allowNonPublicCallbackUrl ?? false,
    });
    const fresh = events.filter((e) => dedupe.claim(`${e.source}:${e.id}`));
    if (fresh.length === 0) return { status: 'duplicate', events: [] };
    try {
      const confirmed = await confirmEvents(fresh, options.confirm, resolved.confirmTimeoutMs);
      return { status: 'accepted', events: confirmed };
    } catch (error) {
      // A rejected delivery must not shadow the genuine one that may follow.
      for (const e of fresh) dedupe.release(`${e.source}:${e.id}`);
      throw error;
    }
  }

  async function enqueue(events: readonly WebhookEvent[]): Promise<void> {
    if (options.queue === undefined)
      throw new ConfigError([{ path: 'queue', message: 'no queue is configured' }]);
    try {
      await options.queue(events);
    } catch (error) {
      for (const e of events) dedupe.release(`${e.source}:${e.id}`);
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
        if (options.queue !== undefined) await enqueue(result.events);
        else await dispatch(result.events);
      }
      return result;
    },
    settings: {
      maxBodyBytes: resolved.maxBodyBytes,
      ack: options.ack ?? 'before-listeners',
      queue: options.queue,
      secretInPath: resolved.sharedSecret?.from === 'path',
    },
  };
}
