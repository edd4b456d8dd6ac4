import { Dispatcher } from 'undici';
import { readChunk } from '../../internal/streams.js';
import { handlerSink, type HandlerSink } from './handler-sink.js';
import { toRequest } from './to-request.js';

import { type FetchHandler } from '../fetch/fetch-handler.js';

export type { FetchHandler } from '../fetch/fetch-handler.js';

async function pump(
  handle: FetchHandler,
  opts: Dispatcher.DispatchOptions,
  sink: HandlerSink,
): Promise<void> {
  sink.start();
  const request = toRequest(opts);
  const response = await handle(request, { clientAddress: '127.0.0.1' });
  const aborted = sink.aborted();
  if (aborted !== undefined) throw aborted;
  const headers: [string, string][] = [];
  response.headers.forEach((v, k) => headers.push([k, v]));
  sink.headers(response.status, headers, response.statusText);
  if (response.body !== null && opts.method.toUpperCase() !== 'HEAD') {
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const value = await readChunk(reader);
      if (value === undefined) break;
      const stop = sink.aborted();
      if (stop !== undefined) {
        await reader.cancel(stop);
        throw stop;
      }
      await sink.data(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    }
  } else {
    await response.body?.cancel();
  }
  sink.end();
}

/**
 * An undici `Dispatcher` that answers every request from a Fetch-style handler in-process, with
 * no sockets: `request(url, { dispatcher })`, `fetch(url, { dispatcher })` and clients that take
 * a dispatcher all work, streaming bodies both ways.
 * @public
 */
export class SimulatorDispatcher extends Dispatcher {
  private closed = false;

  /**
   * @param handle - the handler that answers
   */
  constructor(private readonly handle: FetchHandler) {
    super();
  }

  /**
   * Serves one request (undici's dispatch protocol).
   * @param opts - dispatch options
   * @param handler - undici handler (either callback style)
   * @returns true (always ready for more)
   */
  override dispatch(
    opts: Dispatcher.DispatchOptions,
    handler: Dispatcher.DispatchHandler,
  ): boolean {
    const sink = handlerSink(handler);
    if (this.closed) {
      queueMicrotask(() => {
        sink.error(new Error('the simulator dispatcher is closed'));
      });
      return false;
    }
    pump(this.handle, opts, sink).catch((err: unknown) => {
      sink.error(err instanceof Error ? err : new Error(String(err)));
    });
    return true;
  }

  /**
   * Stops accepting requests.
   * @param callback - optional completion callback
   * @returns a promise when no callback is given
   */
  override close(callback?: () => void): Promise<void> {
    this.closed = true;
    callback?.();
    return Promise.resolve();
  }

  /**
   * Same as {@link SimulatorDispatcher.close}.
   * @returns a resolved promise
   */
  override destroy(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
