import { Dispatcher } from 'undici';

/**
 * A dispatcher that hands each request to one of several dispatchers by its origin (the proxy
 * router, the per-host TLS router); closing or destroying it does so to every one of them.
 * @internal
 */
export abstract class OriginRouter extends Dispatcher {
  /**
   * The dispatcher for an origin.
   * @param origin - the request's origin
   * @returns the dispatcher to use
   */
  protected abstract route(origin: Dispatcher.DispatchOptions['origin']): Dispatcher;

  /** @returns every dispatcher made so far, each once */
  protected abstract dispatchers(): Dispatcher[];

  /**
   * The dispatcher that finally sends requests for an origin, through nested routers.
   * @param origin - an origin
   * @returns the dispatcher (never a router)
   */
  dispatcherFor(origin: URL): Dispatcher {
    const chosen = this.route(origin);
    return chosen instanceof OriginRouter ? chosen.dispatcherFor(origin) : chosen;
  }

  /**
   * Hands a request to the dispatcher its origin asks for.
   * @param opts - undici dispatch options
   * @param handler - undici handler
   * @returns what the chosen dispatcher returns
   */
  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    return this.route(opts.origin).dispatch(opts, handler);
  }

  /**
   * Closes every dispatcher, letting requests in flight finish.
   * @param callback - called once closed (else a promise is returned)
   */
  override close(callback: () => void): void;
  override close(): Promise<void>;
  override close(callback?: () => void): Promise<void> | undefined {
    const done = Promise.all(this.dispatchers().map((d) => d.close())).then(() => undefined);
    if (callback === undefined) return done;
    void done.then(callback, callback);
    return undefined;
  }

  /**
   * Destroys every dispatcher, failing requests in flight.
   * @param errOrCallback - the error to fail them with, or the callback
   * @param callback - called once destroyed (else a promise is returned)
   */
  override destroy(err: Error | null, callback: () => void): void;
  override destroy(callback: () => void): void;
  override destroy(err?: Error | null): Promise<void>;
  override destroy(errOrCallback?: Error | null | (() => void), callback?: () => void): Promise<void> | undefined {
    const err = typeof errOrCallback === 'function' ? null : (errOrCallback ?? null);
    const cb = typeof errOrCallback === 'function' ? errOrCallback : callback;
    const done = Promise.all(this.dispatchers().map((d) => d.destroy(err))).then(() => undefined);
    if (cb === undefined) return done;
    void done.then(cb, cb);
    return undefined;
  }
}
