import { AbortedError, NetworkError, TimeoutError } from '@llmdevops/docker-hub-core';
import { errors } from 'undici';
import { describe, expect, it } from 'vitest';
import { mapUndiciError } from './map-undici-error.js';

/** The cause code of a mapping that must be a NetworkError. */
function causeCodeOf(err: unknown): string | undefined {
  if (!(err instanceof NetworkError)) throw new Error('not a NetworkError');
  return err.causeCode;
}

const ctx = { timeouts: { connectTimeoutMs: 1, headersTimeoutMs: 2, bodyTimeoutMs: 3 } };

describe('mapUndiciError messages and causes', () => {
  it('names the operation and the limit of each timeout, keeping the undici error as cause', () => {
    const body = new errors.BodyTimeoutError();
    const mapped = mapUndiciError(body, 'GET r.test/v2/', ctx);
    expect(mapped).toBeInstanceOf(TimeoutError);
    expect(mapped).toMatchObject({ phase: 'body', timeoutMs: 3 });
    expect(mapped.message).toBe('GET r.test/v2/: body idle timeout after 3 ms (no data)');
    expect(mapped.cause).toBe(body);
    expect(mapUndiciError(new errors.ConnectTimeoutError(), 'GET a', ctx).message).toBe(
      'GET a: connect timeout after 1 ms',
    );
  });

  it('says the error code, else the first 200 characters of the message, else "unknown error"', () => {
    const coded = mapUndiciError(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      'GET a',
      ctx,
    );
    expect(coded.message).toBe('GET a: ECONNREFUSED');
    const long = new Error('x'.repeat(300));
    const uncoded = mapUndiciError(long, 'GET a', ctx);
    expect(uncoded).toBeInstanceOf(NetworkError);
    expect(uncoded.message).toBe(`GET a: ${'x'.repeat(200)}`);
    expect(uncoded.cause).toBe(long);
    expect(causeCodeOf(uncoded)).toBeUndefined();
    expect(mapUndiciError(42, 'GET a', ctx).message).toBe('GET a: unknown error');
    expect(mapUndiciError(null, 'GET a', ctx).message).toBe('GET a: unknown error');
  });

  it('looks for a string code through causes, stopping at a self-referencing cause', () => {
    const loop: Error & { cause?: unknown } = new Error('loop');
    loop.cause = loop;
    expect(causeCodeOf(mapUndiciError(loop, 'GET a', ctx))).toBeUndefined();
    const numeric = Object.assign(new Error('outer'), {
      code: 7,
      cause: Object.assign(new Error('inner'), { code: 'EPIPE' }),
    });
    expect(causeCodeOf(mapUndiciError(numeric, 'GET a', ctx))).toBe('EPIPE');
  });

  it('maps the ABORT_ERR code and an AbortError without a code to AbortedError with the error as cause', () => {
    const coded = Object.assign(new Error('aborted'), { code: 'ABORT_ERR' });
    const mapped = mapUndiciError(coded, 'GET a', ctx);
    expect(mapped).toBeInstanceOf(AbortedError);
    expect(mapped.message).toBe('GET a: aborted');
    expect(mapped.cause).toBe(coded);
    const named = Object.assign(new Error('stop'), { name: 'AbortError' });
    expect(mapUndiciError(named, 'GET a', ctx).cause).toBe(named);
  });

  it('leaves an error alone when the signal is present but not aborted', () => {
    const signal = new AbortController().signal;
    expect(
      mapUndiciError(new errors.SocketError('closed'), 'GET a', { ...ctx, signal }),
    ).toBeInstanceOf(NetworkError);
  });
});
