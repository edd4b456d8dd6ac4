// A Dispatcher in front of another (the simulator's) that records every request and counts the
// blob transfers in flight at once: a blob GET, or an upload PATCH/PUT, is in flight from the
// moment it is handed over until its response ends or fails. Optionally it holds each blob
// transfer at least `holdMs` and until `gate` of them are in flight (or `gateMs` passed), so a
// client allowed N at once really reaches N however fast the server answers, and one running more
// than N has them all in flight together.
import { Dispatcher } from 'undici';

/** What kind of blob transfer a request is, if any. */
export function blobTransfer(method: string, path: string): 'download' | 'upload' | undefined {
  if (method === 'GET' && /\/blobs\/sha256:[0-9a-f]{64}(\?|$)/.test(path)) return 'download';
  if ((method === 'PATCH' || method === 'PUT') && path.includes('/blobs/uploads/')) return 'upload';
  return undefined;
}

type Kind = 'download' | 'upload';

/** Options of {@link CountingDispatcher}. */
export interface CountingOptions {
  /** Hold each blob transfer until this many of its kind are in flight. */
  readonly gate?: number;
  /** Shortest hold (default 50 ms): long enough for a client running more than `gate` to show it. */
  readonly holdMs?: number;
  /** Longest hold (default 300 ms), so a client that never reaches `gate` still finishes. */
  readonly gateMs?: number;
  /** Called with each request before it is forwarded. */
  readonly onRequest?: (method: string, path: string) => void;
}

/** Records requests and the most blob transfers of each kind in flight at once. */
export class CountingDispatcher extends Dispatcher {
  /** Every request as `METHOD path`, in order. */
  readonly seen: string[] = [];
  /** Most blob transfers in flight at once, by kind. */
  readonly max: Record<Kind, number> = { download: 0, upload: 0 };
  readonly #inFlight: Record<Kind, number> = { download: 0, upload: 0 };
  readonly #inner: Dispatcher;
  readonly #options: CountingOptions;

  constructor(inner: Dispatcher, options: CountingOptions = {}) {
    super();
    this.#inner = inner;
    this.#options = options;
  }

  /** Requests seen whose `METHOD path` matches. */
  count(pattern: RegExp): number {
    return this.seen.filter((s) => pattern.test(s)).length;
  }

  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const method = opts.method;
    const path = opts.path;
    this.seen.push(`${method} ${path}`);
    this.#options.onRequest?.(method, path);
    const kind = blobTransfer(method, path);
    if (kind === undefined) return this.#inner.dispatch(opts, handler);
    this.#inFlight[kind]++;
    this.max[kind] = Math.max(this.max[kind], this.#inFlight[kind]);
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      this.#inFlight[kind]--;
    };
    const wrapped = new Proxy(handler, {
      get: (target, prop, receiver): unknown => {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        const ends = prop === 'onResponseEnd' || prop === 'onComplete' || prop === 'onResponseError' || prop === 'onError';
        return (...args: unknown[]): unknown => {
          if (ends) end();
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const go = (): void => {
      this.#inner.dispatch(opts, wrapped);
    };
    const gate = this.#options.gate;
    if (gate === undefined) return this.#inner.dispatch(opts, wrapped);
    const started = Date.now();
    const poll = (): void => {
      if (this.#inFlight[kind] >= gate || Date.now() - started >= (this.#options.gateMs ?? 300)) go();
      else setTimeout(poll, 5);
    };
    setTimeout(poll, this.#options.holdMs ?? 50);
    return true;
  }

  override close(): Promise<void> {
    return Promise.resolve();
  }
}
