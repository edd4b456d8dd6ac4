import diagnosticsChannel from 'node:diagnostics_channel';
import { toDisposer, type Disposer } from '@llmdevops/docker-hub-core';
import type { BreakerStateName } from '../middleware/breaker/consecutive-breaker.js';

/** Fields every request event carries; never header values outside the allow-list, never queries. @public */
export interface RequestEventBase {
  /** Per-transport sequence number of the logical request. */
  readonly requestId: number;
  readonly method: string;
  /** `host[:port]` of the first hop. */
  readonly host: string;
  /** Route template from `context.route`, else the URL path without query. */
  readonly route: string;
  /** `context.operation`, when given. */
  readonly operation: string | undefined;
}

/** A logical request is starting. @public */
export type RequestStartEvent = RequestEventBase;

/** A logical request has finished: its body was consumed or discarded, or it failed. @public */
export interface RequestEndEvent extends RequestEventBase {
  /** Final status, or undefined when the call failed without a response. */
  readonly status: number | undefined;
  /** Time from start to the end of the body (or the failure), in ms. */
  readonly durationMs: number;
  /** Body bytes received. */
  readonly bytes: number;
  /** Attempts made (1 when there was no retry). */
  readonly attempts: number;
  /** Error code of the failure, if it failed. */
  readonly errorCode: string | undefined;
  /** Allow-listed response headers: content-type, docker-content-digest, retry-after, ratelimit-*, x-ratelimit-*. */
  readonly headers: Readonly<Record<string, string>>;
}

/** An attempt failed and will be retried after `delayMs`. @public */
export interface RetryEvent extends RequestEventBase {
  /** The attempt that failed (1-based). */
  readonly attempt: number;
  readonly delayMs: number;
  /** `status 503`, an error code such as `NETWORK`, or `rate limited`. */
  readonly reason: string;
}

/** A host's circuit breaker changed state. @public */
export interface BreakerStateChangeEvent {
  readonly host: string;
  readonly from: BreakerStateName;
  readonly to: BreakerStateName;
  /** When an open breaker will half-open. */
  readonly halfOpenAt: Date | undefined;
}

/** The rate-limit budget of a host fell below `rateLimit.lowThreshold`. @public */
export interface RateLimitLowEvent {
  readonly host: string;
  readonly limit: number | undefined;
  readonly remaining: number;
  readonly windowSeconds: number | undefined;
  readonly resetAt: Date | undefined;
}

/** A rate-limit or retry header could not be parsed; it was ignored. The value is never included. @public */
export interface MalformedHeaderEvent {
  readonly host: string;
  /** Header name. */
  readonly header: string;
  /** What was wrong with it. */
  readonly problem: string;
}

/** Every event a transport emits, by name. @public */
export interface TransportEventMap {
  requestStart: RequestStartEvent;
  requestEnd: RequestEndEvent;
  retry: RetryEvent;
  breakerStateChange: BreakerStateChangeEvent;
  rateLimitLow: RateLimitLowEvent;
  malformedHeader: MalformedHeaderEvent;
}

/** Name of a transport event. @public */
export type TransportEventName = keyof TransportEventMap;


/** A typed event source; listeners that throw are ignored so they cannot break a request. @public */
export interface TransportEvents {
  /**
   * Subscribes to one event.
   * @param name - event name
   * @param listener - called synchronously with the event
   * @returns a disposer that unsubscribes
   */
  on<TName extends TransportEventName>(name: TName, listener: (event: TransportEventMap[TName]) => void): Disposer;
}

/** The emitting side, used by the middlewares. @internal */
export interface TransportEventBus extends TransportEvents {
  emit<TName extends TransportEventName>(name: TName, event: TransportEventMap[TName]): void;
  /** Whether an event has a listener or a diagnostics-channel subscriber right now. */
  observed(name: TransportEventName): boolean;
}

/** `node:diagnostics_channel` names the events are mirrored to. @public */
export const DIAGNOSTICS_CHANNELS: Readonly<Record<TransportEventName, string>> = {
  requestStart: 'docker-hub:transport:request:start',
  requestEnd: 'docker-hub:transport:request:end',
  retry: 'docker-hub:transport:retry',
  breakerStateChange: 'docker-hub:transport:breaker',
  rateLimitLow: 'docker-hub:transport:rate-limit-low',
  malformedHeader: 'docker-hub:transport:malformed-header',
};

/** Listeners that only want events while a condition holds (see {@link whileActive}). */
const conditions = new WeakMap<object, () => boolean>();

/**
 * Marks a listener as wanting events only while `isActive()` is true: while it is false the
 * listener does not count as observing, so events nobody else listens to are not built at all.
 * The listener is still called whenever an event is emitted for other reasons.
 * @param listener - the listener to subscribe
 * @param isActive - whether it currently wants events
 * @returns the same listener
 * @example
 * ```ts
 * transport.events.on('requestEnd', whileActive((e) => count(e), () => exporting));
 * ```
 * @public
 */
export function whileActive<T extends (event: never) => void>(listener: T, isActive: () => boolean): T {
  conditions.set(listener, isActive);
  return listener;
}

/**
 * Creates an event bus (one per transport; no global listeners) that also publishes every event
 * on its `node:diagnostics_channel` channel when that channel has subscribers.
 * @returns the bus
 * @internal
 */
export function createEventBus(): TransportEventBus {
  const listeners = new Map<TransportEventName, Set<(event: never) => void>>();
  const channels = new Map<TransportEventName, diagnosticsChannel.Channel>();
  const channelOf = (name: TransportEventName): diagnosticsChannel.Channel => {
    let channel = channels.get(name);
    if (channel === undefined) {
      channel = diagnosticsChannel.channel(DIAGNOSTICS_CHANNELS[name]);
      channels.set(name, channel);
    }
    return channel;
  };
  return {
    observed(name) {
      for (const listener of listeners.get(name) ?? []) {
        if (conditions.get(listener)?.() ?? true) return true;
      }
      return channelOf(name).hasSubscribers;
    },
    on(name, listener) {
      let set = listeners.get(name);
      if (set === undefined) {
        set = new Set();
        listeners.set(name, set);
      }
      const entry = listener as (event: never) => void;
      set.add(entry);
      return toDisposer(() => {
        listeners.get(name)?.delete(entry);
      });
    },
    emit(name, event) {
      for (const listener of listeners.get(name) ?? []) {
        try {
          (listener as (e: typeof event) => void)(event);
        } catch {
          // A failing listener must not fail the request it observes.
        }
      }
      const channel = channelOf(name);
      if (channel.hasSubscribers) channel.publish(event);
    },
  };
}

const ALLOWED_HEADERS = new Set(['content-type', 'docker-content-digest', 'retry-after']);

/**
 * The allow-listed subset of response headers that events may carry.
 * @param headers - response headers
 * @returns content-type, docker-content-digest, retry-after, ratelimit-* and x-ratelimit-* only
 * @internal
 */
export function allowListedHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined) continue;
    if (ALLOWED_HEADERS.has(lower) || lower.startsWith('ratelimit-') || lower.startsWith('x-ratelimit-')) {
      out[lower] = Array.isArray(value) ? value.join(', ') : value;
    }
  }
  return out;
}
