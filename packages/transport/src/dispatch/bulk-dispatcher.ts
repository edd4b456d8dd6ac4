import { channel } from 'node:diagnostics_channel';
import type { Readable } from 'node:stream';
import { Dispatcher, errors } from 'undici';
import { BulkReader, type BulkReaderOptions } from './bulk-reader.js';

// undici publishes these for every request its own clients send; instrumentation such as
// OpenTelemetry's undici integration listens on them. The bulk dispatcher publishes the same
// messages so a large download looks like any other undici request to those listeners.
const channels = {
  create: channel('undici:request:create'),
  headers: channel('undici:request:headers'),
  trailers: channel('undici:request:trailers'),
  error: channel('undici:request:error'),
};

/** Settings of a {@link BulkDispatcher}. @public */
export interface BulkDispatcherOptions {
  /** Connect (and TLS handshake) timeout in ms (default 10 000). */
  readonly connectTimeoutMs?: number;
  /** Extra trusted CA certificates (PEM), added to Node's root store, never replacing it. */
  readonly ca?: string | readonly string[] | undefined;
  /** How long an idle connection is kept for reuse, in ms (default 4 000). */
  readonly keepAliveTimeoutMs?: number;
  /** Idle connections kept per origin (default 4). */
  readonly maxIdlePerOrigin?: number;
}

/**
 * Request options with the transport's hint that the answer is a large body (a blob): a
 * {@link createDefaultAgent | default agent} sends such GETs through its {@link BulkDispatcher};
 * other dispatchers ignore the field.
 * @public
 */
export interface BulkRequestOptions extends Dispatcher.RequestOptions {
  /** The response body is expected to be large. */
  readonly bulk?: boolean;
}

/**
 * Whether dispatch options carry the large-body hint of a GET.
 * @param opts - dispatch options
 * @returns true for a GET marked `bulk: true`
 * @internal
 */
export function isBulkGet(opts: Dispatcher.DispatchOptions): boolean {
  return opts.method === 'GET' && (opts as { readonly bulk?: unknown }).bulk === true;
}

/** The request as undici describes it on its diagnostics channels (the fields listeners read). */
class PublishedRequest {
  completed = false;
  aborted = false;
  readonly idempotent = true;
  readonly contentLength = null;
  readonly body = null;
  readonly headers: string[] = [];
  constructor(
    readonly origin: string,
    readonly method: string,
    readonly path: string,
  ) {}

  /**
   * Adds a header before the request is sent (instrumentation injects trace context this way).
   * @param name - header name
   * @param value - header value
   * @returns this
   */
  addHeader(name: string, value: string): this {
    this.headers.push(name, value);
    return this;
  }
}

function headerText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new errors.InvalidArgumentError('invalid header value');
}

function headerRecord(raw: Dispatcher.DispatchOptions['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (name: string, value: unknown): void => {
    if (value === undefined) return;
    const text = Array.isArray(value) ? value.map(headerText).join(', ') : headerText(value);
    const key = name.toLowerCase();
    out[key] = out[key] === undefined ? text : `${out[key]}, ${text}`;
  };
  if (raw === null || raw === undefined) return out;
  if (Array.isArray(raw)) {
    for (let i = 0; i + 1 < raw.length; i += 2) add(String(raw[i]), raw[i + 1]);
    return out;
  }
  if (Symbol.iterator in raw) {
    for (const [name, value] of raw as Iterable<[string, string | string[] | undefined]>) add(name, value);
    return out;
  }
  for (const [name, value] of Object.entries(raw)) add(name, value);
  return out;
}

function rawHeaders(headers: Record<string, string | string[]>): Buffer[] {
  const raw: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) {
    for (const v of Array.isArray(value) ? value : [value]) raw.push(Buffer.from(name, 'latin1'), Buffer.from(v, 'latin1'));
  }
  return raw;
}

/** What one dispatched request reports to its handler, whichever handler API it speaks. */
interface Reporter {
  /** The request starts; `abort` ends it with an error. */
  start(abort: (err?: Error) => void, control: { pause(): void; resume(): void }): void;
  /** @returns false when the handler asks to pause */
  headers(status: number, headers: Record<string, string | string[]>): boolean;
  /** @returns false when the handler asks to pause */
  data(chunk: Buffer): boolean;
  end(): void;
  error(err: Error): void;
}

/** Adapts undici's two handler APIs (the controller one and the older callback one). */
function reporterFor(handler: Dispatcher.DispatchHandler): Reporter {
  if (typeof handler.onResponseStart === 'function' || typeof handler.onRequestStart === 'function') {
    const state = { aborted: false, paused: false, reason: null as Error | null };
    let control: { pause(): void; resume(): void } = { pause: () => undefined, resume: () => undefined };
    let abort: (err?: Error) => void = () => undefined;
    const controller: Dispatcher.DispatchController = {
      get aborted() {
        return state.aborted;
      },
      get paused() {
        return state.paused;
      },
      get reason() {
        return state.reason;
      },
      abort(reason: Error) {
        state.aborted = true;
        state.reason = reason;
        abort(reason);
      },
      pause() {
        state.paused = true;
        control.pause();
      },
      resume() {
        state.paused = false;
        control.resume();
      },
    };
    return {
      start(a, c) {
        abort = a;
        control = c;
        handler.onRequestStart?.(controller, {});
      },
      headers(status, headers) {
        handler.onResponseStart?.(controller, status, headers, '');
        return !state.paused;
      },
      data(chunk) {
        handler.onResponseData?.(controller, chunk);
        return !state.paused;
      },
      end: () => handler.onResponseEnd?.(controller, {}),
      error: (err) => handler.onResponseError?.(controller, err),
    };
  }
  // undici's own request(), stream() and pipeline() handlers still speak the callback API.
  /* eslint-disable @typescript-eslint/no-deprecated */
  let resume: () => void = () => undefined;
  return {
    start(abort, control) {
      resume = () => {
        control.resume();
      };
      handler.onConnect?.(abort);
    },
    headers: (status, headers) => handler.onHeaders?.(status, rawHeaders(headers), resume, '') !== false,
    data: (chunk) => handler.onData?.(chunk) !== false,
    end: () => handler.onComplete?.([]),
    error: (err) => handler.onError?.(err),
  };
  /* eslint-enable @typescript-eslint/no-deprecated */
}

/**
 * An undici `Dispatcher` for large GET bodies (blobs): HTTP/1.1 over its own keep-alive
 * connections, reading each socket straight into large buffers and handing the bytes on without
 * copying them, where undici's own clients parse every 64 KiB read in WebAssembly. Same TLS
 * policy, timeouts (`headersTimeout`, `bodyTimeout`), abort handling and error types as undici,
 * and the same `undici:request:*` diagnostics channel messages. Only `GET` without a body is
 * supported; anything else fails with undici's `InvalidArgumentError`. No proxy support: use an
 * undici agent for proxied traffic.
 * @example
 * ```ts
 * const bulk = new BulkDispatcher({ connectTimeoutMs: 5_000 });
 * const { body } = await bulk.request({ origin: 'https://registry.example', path: '/v2/app/blobs/sha256:…', method: 'GET' });
 * ```
 * @public
 */
export class BulkDispatcher extends Dispatcher {
  readonly #reader: BulkReader;
  #closed = false;

  /**
   * @param options - connect timeout, extra CAs and keep-alive settings
   */
  constructor(options: BulkDispatcherOptions = {}) {
    super();
    const settings: BulkReaderOptions = {
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      ca: options.ca,
      ...(options.keepAliveTimeoutMs === undefined ? {} : { keepAliveTimeoutMs: options.keepAliveTimeoutMs }),
      ...(options.maxIdlePerOrigin === undefined ? {} : { maxIdlePerOrigin: options.maxIdlePerOrigin }),
    };
    this.#reader = new BulkReader(settings);
  }

  /**
   * Sends one GET and reports it to the handler (undici's dispatch contract).
   * @param opts - origin, path, method (`GET`), headers and timeouts
   * @param handler - undici handler (either API)
   * @returns true (requests are never queued)
   */
  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const report = reporterFor(handler);
    let url: URL;
    let headers: Record<string, string>;
    try {
      url = new URL(opts.path, opts.origin);
      headers = headerRecord(opts.headers);
      if (this.#closed) throw new errors.ClientClosedError();
      if (opts.method !== 'GET' || (opts.body !== undefined && opts.body !== null) || (opts.upgrade ?? null) !== null) {
        throw new errors.InvalidArgumentError('the bulk dispatcher sends GET requests without a body only');
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new errors.InvalidArgumentError(`unsupported protocol ${url.protocol}`);
    } catch (err) {
      report.error(err instanceof Error ? err : new errors.InvalidArgumentError(String(err)));
      return true;
    }
    void this.#send(url, headers, opts, report);
    return true;
  }

  async #send(url: URL, headers: Record<string, string>, opts: Dispatcher.DispatchOptions, report: Reporter): Promise<void> {
    const published = new PublishedRequest(url.origin, 'GET', `${url.pathname}${url.search}`);
    for (const [name, value] of Object.entries(headers)) published.headers.push(name, value);
    if (channels.create.hasSubscribers) channels.create.publish({ request: published });
    // Headers a listener added while the request was being created are sent too.
    const added = published.headers.slice(Object.keys(headers).length * 2);
    for (let i = 0; i + 1 < added.length; i += 2) headers[String(added[i]).toLowerCase()] = String(added[i + 1]);

    const cancel = new AbortController();
    let body: Readable | undefined;
    let failed = false;
    const fail = (err: Error): void => {
      if (failed || published.completed) return;
      failed = true;
      published.aborted = cancel.signal.aborted;
      if (channels.error.hasSubscribers) channels.error.publish({ request: published, error: err });
      report.error(err);
    };
    const abort = (err?: Error): void => {
      const reason = err ?? new errors.RequestAbortedError();
      if (body === undefined) cancel.abort(reason);
      else body.destroy(reason);
    };
    report.start(abort, { pause: () => body?.pause(), resume: () => body?.resume() });
    if (cancel.signal.aborted) {
      fail(cancel.signal.reason instanceof Error ? cancel.signal.reason : new errors.RequestAbortedError());
      return;
    }
    try {
      const res = await this.#reader.get({
        url,
        headers,
        signal: cancel.signal,
        headersTimeoutMs: opts.headersTimeout ?? 300_000,
        bodyTimeoutMs: opts.bodyTimeout ?? 300_000,
      });
      body = res.body;
      if (channels.headers.hasSubscribers) {
        channels.headers.publish({ request: published, response: { statusCode: res.status, headers: rawHeaders(res.headers), statusText: '' } });
      }
      const flowing = report.headers(res.status, res.headers);
      this.#pipe(res.body, report, { published, fail });
      if (!flowing) res.body.pause();
    } catch (err) {
      fail(err instanceof Error ? err : new errors.UndiciError(String(err)));
    }
  }

  #pipe(body: Readable, report: Reporter, at: { readonly published: PublishedRequest; readonly fail: (err: Error) => void }): void {
    // The body can fail in the very read that delivered the head, before anyone listened.
    const early = body.errored;
    if (early !== null) {
      at.fail(early);
      return;
    }
    body.on('data', (chunk: Buffer) => {
      if (!report.data(chunk)) body.pause();
    });
    body.on('end', () => {
      at.published.completed = true;
      if (channels.trailers.hasSubscribers) channels.trailers.publish({ request: at.published, trailers: [] });
      report.end();
    });
    body.on('error', (err) => {
      at.fail(err);
    });
  }

  /**
   * Stops taking requests and closes idle connections; bodies still streaming finish.
   * @param callback - called once closed (else a promise is returned)
   */
  override close(callback: () => void): void;
  override close(): Promise<void>;
  override close(callback?: () => void): Promise<void> | undefined {
    this.#closed = true;
    this.#reader.close();
    if (callback === undefined) return Promise.resolve();
    queueMicrotask(callback);
    return undefined;
  }

  /**
   * Same as {@link BulkDispatcher.close}: the reader has no queue to fail.
   * @param errOrCallback - ignored error, or the callback
   * @param callback - called once closed (else a promise is returned)
   */
  override destroy(err: Error | null, callback: () => void): void;
  override destroy(callback: () => void): void;
  override destroy(err?: Error | null): Promise<void>;
  override destroy(errOrCallback?: Error | null | (() => void), callback?: () => void): Promise<void> | undefined {
    const cb = typeof errOrCallback === 'function' ? errOrCallback : callback;
    if (cb === undefined) return this.close();
    this.close(cb);
    return undefined;
  }
}
