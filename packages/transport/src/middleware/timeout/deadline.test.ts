import { PassThrough } from 'node:stream';
import {
  AbortedError,
  NetworkError,
  TimeoutError,
  ValidationError,
} from '@llmdevops/docker-hub-core';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/fake-clock.js';
import type { Next, TransportRequest, TransportResponse } from '../../pipeline/types.js';
import { createDeadlineMiddleware, OperationDeadline, runWithDeadline } from './deadline.js';

/** Lets pending promise callbacks (the clock's timers) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

function responseWith(body: PassThrough): TransportResponse {
  return { status: 200, headers: {}, body } as unknown as TransportResponse;
}

describe('OperationDeadline', () => {
  it('expires when the clock reaches the limit, aborting its signal with a total TimeoutError', async () => {
    const clock = new FakeClock({ auto: false });
    const deadline = new OperationDeadline(clock, 1000, 'GET r.test/v2/');
    expect(deadline.error).toBeInstanceOf(TimeoutError);
    expect(deadline.error.phase).toBe('total');
    expect(deadline.error.timeoutMs).toBe(1000);
    expect(deadline.error.message).toMatch(/^GET r\.test\/v2\/: total timeout after 1000 ms/);
    expect(clock.sleeps).toEqual([1000]);
    clock.advance(999);
    await settle();
    expect(deadline.expired).toBe(false);
    expect(deadline.signal.aborted).toBe(false);
    clock.advance(1);
    await settle();
    expect(deadline.expired).toBe(true);
    expect(deadline.signal.reason).toBe(deadline.error);
  });

  it('stops its timer when the last hold is released, and a second release does nothing', async () => {
    const clock = new FakeClock({ auto: false });
    const deadline = new OperationDeadline(clock, 1000, 'op');
    const first = deadline.hold();
    const second = deadline.hold();
    first();
    first();
    expect(deadline.finished).toBe(false);
    second();
    expect(deadline.finished).toBe(true);
    clock.advance(5000);
    await settle();
    expect(deadline.expired).toBe(false);
  });

  it('keeps running while a bound body is open, destroys it with its error on expiry', async () => {
    const clock = new FakeClock({ auto: false });
    const deadline = new OperationDeadline(clock, 100, 'op');
    const release = deadline.hold();
    const body = new PassThrough();
    const res = responseWith(body);
    expect(deadline.bind(res)).toBe(res);
    release();
    expect(deadline.finished).toBe(false);
    const closed = new Promise<unknown>((resolve) => body.once('error', resolve));
    clock.advance(100);
    expect(await closed).toBe(deadline.error);
    await settle();
    expect(body.destroyed).toBe(true);
    expect(deadline.finished).toBe(true);
  });

  it('lets a body that closed in time end the operation without being destroyed later', async () => {
    const clock = new FakeClock({ auto: false });
    const deadline = new OperationDeadline(clock, 100, 'op');
    const body = new PassThrough();
    deadline.bind(responseWith(body));
    expect(deadline.finished).toBe(false);
    body.resume();
    body.end();
    await new Promise((resolve) => body.once('close', resolve));
    expect(deadline.finished).toBe(true);
    clock.advance(100);
    await settle();
    expect(deadline.expired).toBe(false);
  });

  it('does not hold for a body that is already closed', async () => {
    const deadline = new OperationDeadline(new FakeClock({ auto: false }), 100, 'op');
    const body = new PassThrough();
    body.destroy();
    await new Promise((resolve) => body.once('close', resolve));
    const release = deadline.hold();
    deadline.bind(responseWith(body));
    release();
    expect(deadline.finished).toBe(true);
  });

  it('translates aborts and network errors to its error only once expired and not aborted by the caller', async () => {
    const clock = new FakeClock({ auto: false });
    const deadline = new OperationDeadline(clock, 10, 'op');
    const aborted = new AbortedError('op');
    const network = new NetworkError('op: reset');
    const invalid = new ValidationError('INVALID_ARGUMENT', 'bad', 'x');
    const plain = new Error('plain');
    expect(deadline.translate(aborted, undefined)).toBe(aborted);
    clock.advance(10);
    await settle();
    expect(deadline.translate(aborted, undefined)).toBe(deadline.error);
    expect(deadline.translate(network, undefined)).toBe(deadline.error);
    expect(deadline.translate(plain, undefined)).toBe(deadline.error);
    expect(deadline.translate(invalid, undefined)).toBe(invalid);
    expect(deadline.translate(aborted, new AbortController().signal)).toBe(deadline.error);
    const caller = new AbortController();
    caller.abort();
    expect(deadline.translate(aborted, caller.signal)).toBe(aborted);
  });
});

describe('runWithDeadline', () => {
  it('runs without a deadline when none is set, passing the caller signal through', async () => {
    const caller = new AbortController();
    const seen = await runWithDeadline(
      { clock: new FakeClock(), totalTimeoutMs: undefined },
      'op',
      caller.signal,
      async (signal, deadline) => Promise.resolve({ signal, deadline }),
    );
    expect(seen.signal).toBe(caller.signal);
    expect(seen.deadline).toBeUndefined();
  });

  it('gives the function a signal that aborts on the deadline or the caller, and finishes the deadline after', async () => {
    const clock = new FakeClock({ auto: false });
    const caller = new AbortController();
    let inner: OperationDeadline | undefined;
    let innerSignal: AbortSignal | undefined;
    await runWithDeadline(
      { clock, totalTimeoutMs: 50 },
      'op',
      caller.signal,
      async (signal, deadline) => {
        inner = deadline;
        innerSignal = signal;
        return Promise.resolve();
      },
    );
    expect(inner).toBeInstanceOf(OperationDeadline);
    expect(inner?.finished).toBe(true);
    expect(innerSignal).not.toBe(caller.signal);
    caller.abort(new Error('stop'));
    expect(innerSignal?.aborted).toBe(true);
  });

  it('shares an enclosing unfinished deadline with nested calls, and starts a new one after it finished', async () => {
    const clock = new FakeClock({ auto: false });
    const settings = { clock, totalTimeoutMs: 50 };
    let outer: OperationDeadline | undefined;
    let nested: OperationDeadline | undefined;
    await runWithDeadline(settings, 'outer', undefined, async (_s, d) => {
      outer = d;
      await runWithDeadline(settings, 'inner', undefined, async (_s2, d2) => {
        nested = d2;
        return Promise.resolve();
      });
      expect(outer?.finished).toBe(false);
    });
    expect(nested).toBe(outer);
    expect(outer?.finished).toBe(true);
    let later: OperationDeadline | undefined;
    await runWithDeadline(settings, 'later', undefined, async (_s, d) => {
      later = d;
      return Promise.resolve();
    });
    expect(later).not.toBe(outer);
    expect(clock.sleeps).toEqual([50, 50]);
  });

  it('fails a nested step at once with the total timeout once the shared deadline expired', async () => {
    const clock = new FakeClock({ auto: false });
    const settings = { clock, totalTimeoutMs: 20 };
    let ran = false;
    const outcome = runWithDeadline(settings, 'outer', undefined, async (signal) => {
      await new Promise((resolve) => signal?.addEventListener('abort', resolve, { once: true }));
      await runWithDeadline(settings, 'inner', undefined, async () => {
        ran = true;
        return Promise.resolve();
      });
    });
    clock.advance(20);
    const error: unknown = await outcome.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).message).toMatch(/^outer: total timeout after 20 ms/);
    expect(ran).toBe(false);
  });

  it('maps a failure caused by the expiry to the total timeout, but keeps other errors', async () => {
    const clock = new FakeClock({ auto: false });
    const expired = runWithDeadline(
      { clock, totalTimeoutMs: 5 },
      'op',
      undefined,
      async (signal) => {
        await new Promise((resolve) => signal?.addEventListener('abort', resolve, { once: true }));
        throw new NetworkError('op: socket closed');
      },
    );
    clock.advance(5);
    await expect(expired).rejects.toBeInstanceOf(TimeoutError);
    const invalid = new ValidationError('INVALID_ARGUMENT', 'bad', 'x');
    await expect(
      runWithDeadline({ clock, totalTimeoutMs: 5 }, 'op', undefined, async () =>
        Promise.reject(invalid),
      ),
    ).rejects.toBe(invalid);
  });
});

describe('createDeadlineMiddleware', () => {
  const req: TransportRequest = { method: 'GET', url: new URL('https://r.test/v2/'), headers: {} };

  it('refuses a request whose signal is already aborted, naming it', async () => {
    const caller = new AbortController();
    caller.abort();
    const mw = createDeadlineMiddleware(new FakeClock(), 100);
    let called = false;
    const next: Next = async () => {
      called = true;
      return Promise.resolve(responseWith(new PassThrough()));
    };
    await expect(mw.handle({ ...req, signal: caller.signal }, next)).rejects.toThrow(
      /^GET https:\/\/r\.test\/v2\/: aborted$/,
    );
    expect(called).toBe(false);
  });

  it('passes the request unchanged without a limit, and with the deadline signal and a bound body with one', async () => {
    const clock = new FakeClock({ auto: false });
    const sent: TransportRequest[] = [];
    const body = new PassThrough();
    const next: Next = async (r) => {
      sent.push(r);
      return Promise.resolve(responseWith(body));
    };
    await createDeadlineMiddleware(clock, undefined).handle(req, next);
    expect(sent[0]).toBe(req);
    await createDeadlineMiddleware(clock, 100).handle(req, next);
    expect(sent[1]).not.toBe(req);
    expect(sent[1]?.signal).toBeInstanceOf(AbortSignal);
    const closed = new Promise<unknown>((resolve) => body.once('error', resolve));
    clock.advance(100);
    expect(await closed).toBeInstanceOf(TimeoutError);
  });
});
