import type { AuthEvent, AuthEventListener } from '@llmdevops/docker-hub-auth';
import type { Disposer } from '@llmdevops/docker-hub-core';
import type {
  TransportEventMap,
  TransportEventName,
  TransportEvents,
} from '@llmdevops/docker-hub-transport';
import type { MirrorEvent } from './mirrors.js';

/**
 * Every event a `DockerHubClient` emits, by name: the transport's events, plus `auth` for
 * what authentication did (registry challenges, tokens, retries with credentials, refusals, and
 * Docker Hub API logins and JWT renewals). Events carry hosts, scopes, accounts and times, never
 * a password, token or JWT.
 * @public
 */
export interface ClientEventMap extends TransportEventMap {
  /** Authentication: registry token exchanges and Docker Hub API logins (see `AuthEvent`). */
  auth: AuthEvent;
  /** Which endpoint (a mirror or the registry itself) served a manifest or blob of a registry with mirrors. */
  mirror: MirrorEvent;
}

/** Name of a client event. @public */
export type ClientEventName = keyof ClientEventMap;

/**
 * The client's typed event source: the transport's events and `auth`. Listeners that throw are
 * ignored so they cannot break a request.
 * @example
 * ```ts
 * const stop = client.events.on('auth', (e) => {
 *   if (e.type === 'refused') console.warn(`credentials refused by ${e.host} (${e.reason})`);
 * });
 * ```
 * @public
 */
export interface ClientEvents extends TransportEvents {
  /**
   * Subscribes to one event.
   * @param name - event name
   * @param listener - called synchronously with the event
   * @returns a disposer that unsubscribes
   */
  on<TName extends ClientEventName>(
    name: TName,
    listener: (event: ClientEventMap[TName]) => void,
  ): Disposer;
}

/**
 * The client's event source over a transport's, and the listener the auth middleware and the Hub
 * session report to.
 * @param transport - the transport's events
 * @returns the events and the `auth` and `mirror` emitters
 * @internal
 */
export function createClientEvents(transport: TransportEvents): {
  readonly events: ClientEvents;
  readonly emitAuth: AuthEventListener;
  readonly emitMirror: (event: MirrorEvent) => void;
} {
  const authListeners = new Set<AuthEventListener>();
  const mirrorListeners = new Set<(event: MirrorEvent) => void>();
  const emitMirror = (event: MirrorEvent): void => {
    for (const listener of mirrorListeners) {
      try {
        listener(event);
      } catch {
        // A failing listener must not fail the request it observes.
      }
    }
  };
  const emitAuth: AuthEventListener = (event) => {
    for (const listener of authListeners) {
      try {
        listener(event);
      } catch {
        // A failing listener must not fail the request it observes.
      }
    }
  };
  function on<TName extends ClientEventName>(
    name: TName,
    listener: (event: ClientEventMap[TName]) => void,
  ): Disposer {
    if (name === 'mirror') {
      const entry = listener as (event: MirrorEvent) => void;
      mirrorListeners.add(entry);
      const dispose = (): void => {
        mirrorListeners.delete(entry);
      };
      return Object.assign(dispose, { [Symbol.dispose]: dispose });
    }
    if (name !== 'auth') {
      return transport.on(
        name,
        listener as (event: TransportEventMap[TransportEventName]) => void,
      );
    }
    const entry = listener as AuthEventListener;
    authListeners.add(entry);
    const dispose = (): void => {
      authListeners.delete(entry);
    };
    return Object.assign(dispose, { [Symbol.dispose]: dispose });
  }
  return { events: { on }, emitAuth, emitMirror };
}
