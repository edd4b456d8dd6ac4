import { toDisposer, type Disposer } from '@llmdevops/docker-hub-core';
import { type WebhookEvent, type WebhookEventMap, type WebhookEventName } from './events.js';

/** A listener for events of one name; may be async. @public */
export type WebhookListener<TName extends WebhookEventName = WebhookEventName> = (
  event: WebhookEventMap[TName],
) => unknown;


/**
 * The errors thrown by the listeners of one event, with that event. Emitted to `onError`; the
 * event holds only the payload, never request headers or URLs, so it carries no shared secret.
 * @public
 */
export type WebhookListenerError = AggregateError & { readonly event: WebhookEvent };

/** Receives listener failures. @public */
export type WebhookErrorHandler = (error: WebhookListenerError) => unknown;

type AnyListener = (event: WebhookEvent) => unknown;

function listenerError(
  errors: unknown[],
  event: WebhookEvent,
  total: number,
): WebhookListenerError {
  const message = `${errors.length} of ${total} listeners failed for ${event.source} ${event.action} event ${event.id}`;
  return Object.assign(new AggregateError(errors, message), { event });
}

/**
 * Holds listeners and error handlers, and runs them with failures isolated.
 * @internal
 */
export class ListenerRegistry {
  readonly #listeners = new Map<WebhookEventName, Set<AnyListener>>();
  readonly #errorHandlers = new Set<WebhookErrorHandler>();

  /**
   * @param names - event names
   * @param listener - the listener
   * @returns a disposer removing it from every name
   */
  add(names: readonly WebhookEventName[], listener: AnyListener): Disposer {
    for (const name of names) {
      let set = this.#listeners.get(name);
      if (set === undefined) this.#listeners.set(name, (set = new Set()));
      set.add(listener);
    }
    return toDisposer(() => {
      for (const name of names) this.#listeners.get(name)?.delete(listener);
    });
  }

  /**
   * @param handler - receives listener failures
   * @returns a disposer
   */
  addErrorHandler(handler: WebhookErrorHandler): Disposer {
    this.#errorHandlers.add(handler);
    return toDisposer(() => {
      this.#errorHandlers.delete(handler);
    });
  }

  /**
   * Runs every listener of the event's action and of `*` concurrently, waits for all, and reports
   * failures as one {@link WebhookListenerError}. Never rejects.
   * @param event - the event
   */
  async emit(event: WebhookEvent): Promise<void> {
    const listeners = [
      ...(this.#listeners.get(event.action) ?? []),
      ...(this.#listeners.get('*') ?? []),
    ];
    // Promise.resolve().then(...) turns a synchronous throw into a rejection of its own.
    const results = await Promise.allSettled(
      listeners.map((listener) => Promise.resolve().then(() => listener(event))),
    );
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (errors.length > 0) await this.#report(listenerError(errors, event, listeners.length));
  }

  async #report(error: WebhookListenerError): Promise<void> {
    if (this.#errorHandlers.size === 0) {
      // Nobody listens for failures: say so once per event rather than lose them silently.
      // `process` is absent in some Fetch runtimes (workers).
      const proc = (globalThis as { process?: NodeJS.Process }).process;
      proc?.emitWarning(error.message, { code: 'DOCKER_HUB_WEBHOOK_LISTENER' });
      return;
    }
    // An error handler that itself fails must not take the receiver down with it.
    await Promise.allSettled(
      [...this.#errorHandlers].map((handler) => Promise.resolve().then(() => handler(error))),
    );
  }
}
