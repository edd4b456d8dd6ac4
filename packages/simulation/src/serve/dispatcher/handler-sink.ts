import { type Dispatcher } from 'undici';

/** One handler protocol, whichever style (undici 7 controller style or the legacy callbacks) the caller used. @internal */
export interface HandlerSink {
  readonly aborted: () => Error | undefined;
  start(): void;
  /** Returns a promise to await before sending more data (backpressure), or undefined. */
  headers(status: number, headers: [string, string][], statusText: string): void;
  data(chunk: Buffer): Promise<void> | undefined;
  end(): void;
  error(err: Error): void;
}

/**
 * Adapts an undici dispatch handler to {@link HandlerSink}, honouring pause/resume.
 * @param handler - the handler given to `dispatch`
 * @returns the sink
 * @internal
 */
export function handlerSink(handler: Dispatcher.DispatchHandler): HandlerSink {
  let reason: Error | undefined;
  let paused = false;
  let wake: (() => void) | undefined;
  const resume = (): void => {
    paused = false;
    wake?.();
    wake = undefined;
  };
  const waitIfPaused = (): Promise<void> | undefined =>
    paused ? new Promise<void>((r) => (wake = r)) : undefined;
  const controller: Dispatcher.DispatchController = {
    get aborted() {
      return reason !== undefined;
    },
    get paused() {
      return paused;
    },
    get reason() {
      return reason ?? null;
    },
    abort(err: Error) {
      reason = err;
      resume();
    },
    pause() {
      paused = true;
    },
    resume,
  };
  const modern =
    typeof handler.onRequestStart === 'function' || typeof handler.onResponseStart === 'function';
  return {
    aborted: () => reason,
    start() {
      if (modern) handler.onRequestStart?.(controller, {});
      else {
        // undici's own request() and fetch() still hand over handlers with the legacy callbacks.
        // eslint-disable-next-line @typescript-eslint/no-deprecated
        handler.onConnect?.((err) => {
          controller.abort(err ?? new Error('aborted'));
        });
      }
    },
    headers(status, headers, statusText) {
      if (modern) {
        const obj: Record<string, string | string[]> = {};
        for (const [k, v] of headers) {
          const prev = obj[k];
          obj[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
        }
        handler.onResponseStart?.(controller, status, obj, statusText);
      } else {
        const raw = headers.flatMap(([k, v]) => [
          Buffer.from(k, 'latin1'),
          Buffer.from(v, 'latin1'),
        ]);
        // eslint-disable-next-line @typescript-eslint/no-deprecated
        if (handler.onHeaders?.(status, raw, resume, statusText) === false) paused = true;
      }
    },
    data(chunk) {
      if (modern) handler.onResponseData?.(controller, chunk);
      // eslint-disable-next-line @typescript-eslint/no-deprecated
      else if (handler.onData?.(chunk) === false) paused = true;
      return waitIfPaused();
    },
    end() {
      if (modern) handler.onResponseEnd?.(controller, {});
      // eslint-disable-next-line @typescript-eslint/no-deprecated
      else handler.onComplete?.([]);
    },
    error(err) {
      if (modern) handler.onResponseError?.(controller, err);
      // eslint-disable-next-line @typescript-eslint/no-deprecated
      else handler.onError?.(err);
    },
  };
}
