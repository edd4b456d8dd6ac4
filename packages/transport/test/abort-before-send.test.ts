// A request whose signal aborts before the transport hands it to the dispatcher is never handed
// over: it fails with AbortedError and the dispatcher sees nothing.
import { AbortedError } from '@llmdevops/docker-hub-core';
import { Agent, Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import { createTransport } from '../src/index.js';

/** Counts what reaches it, and answers nothing (the test never lets a request through). */
class CountingDispatcher extends Dispatcher {
  dispatched = 0;
  readonly #inner = new Agent();

  override dispatch(
    opts: Dispatcher.DispatchOptions,
    handler: Dispatcher.DispatchHandler,
  ): boolean {
    this.dispatched += 1;
    return this.#inner.dispatch(opts, handler);
  }

  override async close(): Promise<void> {
    await this.#inner.close();
  }
}

describe('a signal aborted before the request is sent', () => {
  it('fails with AbortedError and dispatches nothing', async () => {
    const dispatcher = new CountingDispatcher();
    const transport = createTransport({ dispatcher, maxRetries: 0 });
    try {
      const abort = new AbortController();
      const pending = transport.request({
        method: 'GET',
        url: new URL('http://127.0.0.1:9/v2/'),
        headers: {},
        signal: abort.signal,
      });
      abort.abort(new Error('changed my mind'));
      await expect(pending).rejects.toBeInstanceOf(AbortedError);
      expect(dispatcher.dispatched).toBe(0);
    } finally {
      await transport.close();
      await dispatcher.close();
    }
  });
});
