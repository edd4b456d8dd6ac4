import { AbortedError, NetworkError, ServerError, TimeoutError } from '@llmdevops/docker-hub-core';
import { errors } from 'undici';
import { describe, expect, it } from 'vitest';
import { createDefaultAgent } from './agent.js';
import { mapUndiciError } from './map-undici-error.js';

const ctx = { timeouts: { connectTimeoutMs: 1, headersTimeoutMs: 2, bodyTimeoutMs: 3 } };

describe('mapUndiciError', () => {
  it('maps undici timeouts to TimeoutError phases', () => {
    expect(mapUndiciError(new errors.ConnectTimeoutError(), 'x', ctx)).toMatchObject({ code: 'TIMEOUT', phase: 'connect', timeoutMs: 1 });
    expect(mapUndiciError(new errors.HeadersTimeoutError(), 'x', ctx)).toMatchObject({ phase: 'headers', timeoutMs: 2 });
    expect(mapUndiciError(new errors.BodyTimeoutError(), 'x', ctx)).toBeInstanceOf(TimeoutError);
  });

  it('maps sockets and resets to NetworkError with the cause code', () => {
    const sock = mapUndiciError(new errors.SocketError('other side closed'), 'GET x', ctx);
    expect(sock).toBeInstanceOf(NetworkError);
    expect(sock).toMatchObject({ causeCode: 'UND_ERR_SOCKET' });
    const reset = mapUndiciError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 'x', ctx);
    expect(reset).toMatchObject({ causeCode: 'ECONNRESET' });
    const wrapped = mapUndiciError(new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ENOTFOUND' }) }), 'x', ctx);
    expect(wrapped).toMatchObject({ causeCode: 'ENOTFOUND' });
    expect(mapUndiciError('weird', 'x', ctx)).toBeInstanceOf(NetworkError);
  });

  it('maps aborts to AbortedError carrying the reason, and passes toolkit errors through', () => {
    const reason = new Error('user');
    const signal = AbortSignal.abort(reason);
    const err = mapUndiciError(new errors.RequestAbortedError(), 'x', { ...ctx, signal });
    expect(err).toBeInstanceOf(AbortedError);
    expect(err.cause).toBe(reason);
    expect(mapUndiciError(new errors.RequestAbortedError(), 'x', ctx)).toBeInstanceOf(AbortedError);
    expect(mapUndiciError(new DOMException('x', 'AbortError'), 'x', ctx)).toBeInstanceOf(AbortedError);
    const own = new ServerError('x');
    expect(mapUndiciError(own, 'x', ctx)).toBe(own);
  });

  it('the default agent can be created with an extra CA and closed', async () => {
    const agent = createDefaultAgent({ connectTimeoutMs: 1000, connectionsPerOrigin: 4, ca: '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----' });
    expect(agent.constructor.name).toBe('Agent');
    await agent.close();
    const proxied = createDefaultAgent({ connectTimeoutMs: 1000, connectionsPerOrigin: 4, proxy: { url: 'http://127.0.0.1:3128' } });
    expect(proxied.constructor.name).toBe('ProxyRouter');
    await proxied.close();
    const none = createDefaultAgent({ connectTimeoutMs: 1000, connectionsPerOrigin: 4, proxy: false });
    expect(none.constructor.name).toBe('Agent');
    await none.close();
  });
});
