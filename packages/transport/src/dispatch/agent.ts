import { Agent, Dispatcher, EnvHttpProxyAgent } from 'undici';
import { BulkDispatcher, isBulkGet } from './bulk-dispatcher.js';
import { tlsConnectOptions } from './tls.js';

/** Options of the default undici `Agent`. @public */
export interface DefaultAgentOptions {
  /** Connect timeout in ms. */
  readonly connectTimeoutMs: number;
  /** Connections per origin (keep-alive pool size). */
  readonly connectionsPerOrigin: number;
  /** Extra trusted CA certificates (PEM), added to Node's root store, never replacing it. */
  readonly ca?: string | readonly string[] | undefined;
  /** Keep-alive timeout in ms (default 30 000). */
  readonly keepAliveTimeoutMs?: number;
  /** Route through the proxy named by `HTTPS_PROXY` / `HTTP_PROXY`, honouring `NO_PROXY` (default false). */
  readonly proxyFromEnv?: boolean;
  /**
   * Send GETs marked as large bodies (`bulk: true` in the request options, which the transport
   * sets for blob downloads) through a {@link BulkDispatcher} (default true; off with `proxyFromEnv`,
   * since that dispatcher does not tunnel through proxies).
   */
  readonly bulkReads?: boolean;
}

/**
 * The default dispatcher: an undici agent for every request, and a {@link BulkDispatcher} for
 * GETs marked `bulk: true`. Both are closed together.
 * @public
 */
export class RegistryAgent extends Dispatcher {
  readonly #general: Dispatcher;
  readonly #bulk: Dispatcher | undefined;

  /**
   * @param general - the dispatcher for every request
   * @param bulk - the dispatcher for GETs marked `bulk: true`, or undefined to use `general`
   */
  constructor(general: Dispatcher, bulk?: Dispatcher) {
    super();
    this.#general = general;
    this.#bulk = bulk;
  }

  /** Whether large GETs go through a separate dispatcher. */
  get bulkReads(): boolean {
    return this.#bulk !== undefined;
  }

  /**
   * Hands a request to the bulk dispatcher (a GET marked `bulk: true`) or the general one.
   * @param opts - undici dispatch options
   * @param handler - undici handler
   * @returns what the chosen dispatcher returns
   */
  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const target = this.#bulk !== undefined && isBulkGet(opts) ? this.#bulk : this.#general;
    return target.dispatch(opts, handler);
  }

  /**
   * Closes both dispatchers, letting requests in flight finish.
   * @param callback - called once closed (else a promise is returned)
   */
  override close(callback: () => void): void;
  override close(): Promise<void>;
  override close(callback?: () => void): Promise<void> | undefined {
    const done = Promise.all([this.#general.close(), this.#bulk?.close()]).then(() => undefined);
    if (callback === undefined) return done;
    void done.then(callback, callback);
    return undefined;
  }

  /**
   * Destroys both dispatchers, failing requests in flight.
   * @param errOrCallback - the error to fail them with, or the callback
   * @param callback - called once destroyed (else a promise is returned)
   */
  override destroy(err: Error | null, callback: () => void): void;
  override destroy(callback: () => void): void;
  override destroy(err?: Error | null): Promise<void>;
  override destroy(errOrCallback?: Error | null | (() => void), callback?: () => void): Promise<void> | undefined {
    const err = typeof errOrCallback === 'function' ? null : (errOrCallback ?? null);
    const cb = typeof errOrCallback === 'function' ? errOrCallback : callback;
    const done = Promise.all([this.#general.destroy(err), this.#bulk?.destroy(err)]).then(() => undefined);
    if (cb === undefined) return done;
    void done.then(cb, cb);
    return undefined;
  }
}

/**
 * Creates the default dispatcher: an undici `Agent` with keep-alive, a per-origin connection
 * limit, TLS 1.2 minimum and certificate validation always on (a custom CA is added to the
 * system roots), and a {@link BulkDispatcher} with the same TLS settings for large GETs. No
 * undici retry or redirect interceptors: policy lives in the middlewares. With `proxyFromEnv`,
 * an `EnvHttpProxyAgent` with the same settings carries every request.
 * @param options - timeouts, pool size, CA, proxy use and large-body reads
 * @returns the dispatcher
 * @public
 */
export function createDefaultAgent(options: DefaultAgentOptions): RegistryAgent {
  const proxied = options.proxyFromEnv === true;
  const settings = {
    connections: options.connectionsPerOrigin,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
    connect: { timeout: options.connectTimeoutMs, ...tlsConnectOptions({ ca: options.ca }) },
  } satisfies Agent.Options;
  const general = proxied ? new EnvHttpProxyAgent(settings) : new Agent(settings);
  const bulk = !proxied && options.bulkReads !== false ? new BulkDispatcher({ connectTimeoutMs: options.connectTimeoutMs, ca: options.ca }) : undefined;
  return new RegistryAgent(general, bulk);
}
