import { NetworkError, ValidationError } from '@llmdevops/docker-hub-core';
import type { Dispatcher } from 'undici';
import { createAgentWith } from '../dispatch/agent.js';
import { HostTls } from '../dispatch/certs-dir.js';
import { SchemeChooser } from '../dispatch/scheme.js';
import { createTerminal } from '../dispatch/terminal.js';
import { createEventBus, type TransportEventBus, type TransportEvents } from '../events/events.js';
import { systemClock, type Clock } from '@llmdevops/docker-hub-core';
import { safeUrl } from '../internal/host.js';
import type { BreakerState, BreakerStateName, ConsecutiveBreaker } from '../middleware/breaker/consecutive-breaker.js';
import { BreakerRegistry, createBreakerMiddleware } from '../middleware/breaker/breaker.js';
import { createConcurrencyMiddleware } from '../middleware/concurrency/concurrency.js';
import type { RateLimitStatus } from '../middleware/rate-limit/parse-headers.js';
import { RateLimitTracker, createRateLimitObserver } from '../middleware/rate-limit/rate-limit-tracker.js';
import { createRedirectMiddleware } from '../middleware/redirect/redirect.js';
import { createRetryMiddleware, runRetrying, type RetryDeps, type RetryingOptions } from '../middleware/retry/retry.js';
import { createTelemetryMiddleware } from '../middleware/telemetry/telemetry.js';
import { createDeadlineMiddleware } from '../middleware/timeout/deadline.js';
import { composeMiddleware } from './compose.js';
import { resolveOptions, type ResolvedTransportOptions, type TransportOptions } from './options.js';
import type { Middleware, Next, TransportRequest, TransportResponse } from './types.js';

/** Where {@link Transport.use} inserts a middleware: before or after a named one. @public */
export interface UseOptions {
  /** Insert just outside (before) this middleware. */
  readonly before?: string;
  /** Insert just inside (after) this middleware. */
  readonly after?: string;
}

/** Read and reset access to one host's circuit breaker. @public */
export interface BreakerHandle {
  /** Current state name. */
  readonly state: BreakerStateName;
  /** Full state (failures, openedAt, successes). */
  readonly snapshot: BreakerState;
  /** When an open breaker half-opens, else undefined. */
  readonly halfOpenAt: Date | undefined;
  /** Closes the breaker by hand. */
  reset(): void;
}

/** A resilient HTTP pipeline; one per client, sharing no state with others. @public */
export interface Transport {
  /**
   * Sends a request through the pipeline.
   * @param req - the request
   * @returns the response (any status; use `errorFromResponse` for non-2xx)
   * @throws NetworkError, TimeoutError, AbortedError, CircuitOpenError, InsecureTransportError, RedirectError, RateLimitError
   */
  request(req: TransportRequest): Promise<TransportResponse>;
  /**
   * Inserts a middleware (e.g. auth: `use(auth, { before: 'redirect' })`); innermost when no position is given.
   * @param mw - the middleware; its name must be unique
   * @param position - `before` or `after` a named middleware
   * @returns the transport
   * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} for a duplicate name or an unknown position
   */
  use(mw: Middleware, position?: UseOptions): Transport;
  /**
   * Runs a step (several requests and the reading of their bodies, such as a manifest GET and
   * its body, or one chunk of an upload and the offset query after it fails) again under this
   * transport's retry policy: the same decision, backoff, clock and `retry` events as the retry
   * middleware, with failures after progress (`options.progress`) not counted against
   * `maxRetries`. Requests sent inside the step share its budget, so retries do not multiply.
   * Code above the transport uses this instead of retrying on its own. The step is one operation:
   * the circuit breaker counts its failures once, and `totalTimeoutMs` bounds all of it.
   * @param step - the work; receives the 1-based run number
   * @param options - name, signal, progress and idempotency
   * @returns the step's result
   * @throws the step's last error once the policy stops retrying, `AbortedError`, or a `TimeoutError` of phase `total`
   */
  retrying<T>(step: (run: number) => Promise<T>, options: RetryingOptions): Promise<T>;
  /** @returns middleware names, outermost first, ending with `terminal` */
  describe(): string[];
  /** Typed events, also mirrored to `node:diagnostics_channel`. */
  readonly events: TransportEvents;
  /**
   * The latest rate-limit status.
   * @param host - `host[:port]`; omitted for the host seen most recently
   * @returns the status, or undefined when none was seen (not limited)
   */
  rateLimitStatus(host?: string): RateLimitStatus | undefined;
  /**
   * The latest status of every rate-limit source seen for a host (e.g. an IP and an account).
   * @param host - `host[:port]`
   * @returns the statuses, empty when none was seen
   */
  rateLimitSources(host: string): readonly RateLimitStatus[];
  /**
   * The circuit breaker of a host.
   * @param host - `host[:port]`
   * @returns a handle with state and reset
   */
  breaker(host: string): BreakerHandle;
  /** Closes the default agent (an injected dispatcher is left to its owner). @returns when closed */
  close(): Promise<void>;
  /** Same as `close()`, for `await using transport = createTransport()`. @returns when closed */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Creates a transport. Default order, outermost first:
 * `telemetry → deadline → retry → circuitBreaker → concurrency → [auth] → redirect →
 * rateLimitObserver → terminal`. Retry sits outside the breaker so every attempt is admitted
 * or refused by it (it counts one failure per operation, however many retries); auth
 * (inserted by the caller with `use(auth, { before: 'redirect' })`) is inside retry so a retried
 * attempt gets a fresh token, and outside redirect so a cross-origin hop drops `Authorization`.
 * @param options - dispatcher, timeouts, retry, breaker, limits, TLS and test seams
 * @returns the transport
 * @example
 * ```ts
 * const transport = createTransport({ maxRetries: 5 });
 * const res = await transport.request({ method: 'GET', url: new URL('https://registry-1.docker.io/v2/'), headers: {} });
 * ```
 * @public
 */
export function createTransport(options: TransportOptions = {}): Transport {
  const o = resolveOptions(options);
  const clock = options.clock ?? systemClock;
  const events = createEventBus();
  const hostTls = new HostTls(options.tls, options.certsRoots);
  const dispatcher = options.dispatcher ?? defaultDispatcher(o, options, hostTls);
  // HTTPS first for loopback and insecure hosts needs real connections: only the own agent probes.
  const schemes = options.dispatcher === undefined
    ? new SchemeChooser({ dispatcher, hostTls, insecureHosts: o.insecureHosts, timeoutMs: o.connectTimeoutMs, store: options.schemeStore })
    : undefined;
  const breakers = new BreakerRegistry(o.circuitBreaker, { events, clock });
  const tracker = new RateLimitTracker(o.lowThreshold, events);
  const terminal = createTerminal({
    dispatcher,
    timeouts: { connectTimeoutMs: o.connectTimeoutMs, headersTimeoutMs: o.timeoutMs, bodyTimeoutMs: o.timeoutMs },
    insecureHosts: o.insecureHosts,
    userAgent: o.userAgent,
    tls: options.dispatcher === undefined ? { ca: options.ca, env: options.env } : undefined,
    ...(options.dispatcher === undefined ? { hostTls } : {}),
  });
  const backoff = { baseMs: o.backoffBaseMs, capMs: o.backoffCapMs, ...(options.random === undefined ? {} : { random: options.random }) };
  const policy = { maxRetries: o.maxRetries, maxRetryWaitMs: o.maxRetryWaitMs, backoff };
  const retry: RetryDeps = { policy, clock, events, totalTimeoutMs: o.totalTimeoutMs };
  const stack = defaultStack(o, { clock, events, breakers, tracker, retry });
  let composed: Next | undefined;
  let closed = false;

  const transport: Transport = {
    events,
    async request(req) {
      if (closed) {
        throw new NetworkError(`${req.method} ${safeUrl(req.url)}: the transport is closed`, { causeCode: 'TRANSPORT_CLOSED' });
      }
      composed ??= composeMiddleware(stack, terminal);
      return schemes === undefined ? composed(req) : schemes.send(req, composed);
    },
    use(mw, position = {}) {
      insertMiddleware(stack, mw, position);
      composed = undefined;
      return transport;
    },
    retrying: (step, stepOptions) => runRetrying(retry, step, stepOptions),
    describe: () => [...stack.map((m) => m.name), 'terminal'],
    rateLimitStatus: (host) => tracker.status(host),
    rateLimitSources: (host) => tracker.bySource(host),
    breaker: (host) => breakerHandle(breakers.get(host), clock),
    async close() {
      if (closed) return;
      closed = true;
      if (options.dispatcher === undefined) await dispatcher.close();
    },
    [Symbol.asyncDispose]: () => transport.close(),
  };
  return transport;
}

function defaultDispatcher(o: ResolvedTransportOptions, options: TransportOptions, hostTls: HostTls): Dispatcher {
  return createAgentWith({
    connectTimeoutMs: o.connectTimeoutMs,
    connectionsPerOrigin: o.maxConcurrentPerHost,
    ca: options.ca,
    proxyFromEnv: options.proxyFromEnv === true,
    proxy: options.proxy,
    env: options.env,
  }, hostTls);
}

interface StackDeps {
  readonly clock: Clock;
  readonly events: TransportEventBus;
  readonly breakers: BreakerRegistry;
  readonly tracker: RateLimitTracker;
  readonly retry: RetryDeps;
}

/** The built-in middlewares in their fixed order, outermost first. */
function defaultStack(o: ResolvedTransportOptions, deps: StackDeps): Middleware[] {
  const { clock, events } = deps;
  return [
    createTelemetryMiddleware(events, clock),
    createDeadlineMiddleware(clock, o.totalTimeoutMs),
    createRetryMiddleware(deps.retry),
    createBreakerMiddleware(deps.breakers),
    createConcurrencyMiddleware(o.maxConcurrentPerHost),
    createRedirectMiddleware(o.maxRedirects),
    createRateLimitObserver(deps.tracker, { clock, events }),
  ];
}

/** Inserts by name (AWS `addRelativeTo`); names are unique; innermost when no position is given. */
function insertMiddleware(stack: Middleware[], mw: Middleware, position: UseOptions): void {
  if (stack.some((m) => m.name === mw.name)) {
    throw new ValidationError('INVALID_ARGUMENT', `a middleware named "${mw.name}" is already in the pipeline`, mw.name);
  }
  const anchor = position.before ?? position.after;
  let index = stack.length;
  if (anchor !== undefined) {
    const at = stack.findIndex((m) => m.name === anchor);
    if (at < 0) throw new ValidationError('INVALID_ARGUMENT', `no middleware named "${anchor}" to insert relative to`, anchor);
    index = position.before !== undefined ? at : at + 1;
  }
  stack.splice(index, 0, mw);
}

function breakerHandle(b: ConsecutiveBreaker, clock: Clock): BreakerHandle {
  return {
    get state() {
      return b.stateAt(clock.now()).name;
    },
    get snapshot() {
      return b.stateAt(clock.now());
    },
    get halfOpenAt() {
      b.stateAt(clock.now());
      const at = b.halfOpenAt();
      return at === undefined ? undefined : new Date(at);
    },
    reset: () => {
      b.reset();
    },
  };
}
