import {
  AuthenticationError,
  AuthorizationError,
  InsecureTransportError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitError,
  RegistryError,
  ServerError,
} from '@llmdevops/docker-hub-core';
import type { TransportResponse } from '@llmdevops/docker-hub-transport';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { assertRealmAllowed, assertSecure, httpError, readJson, SMALL_BODY_LIMIT } from './http.js';

function rateLimited(error: RegistryError): RateLimitError {
  if (!(error instanceof RateLimitError)) throw new Error(`not a RateLimitError: ${error.name}`);
  return error;
}

describe('httpError', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([
    [401, AuthenticationError, 'token request to t.test: credentials refused (401)'],
    [403, AuthorizationError, 'token request to t.test: access denied (403)'],
    [404, NotFoundError, 'token request to t.test: not found (404)'],
    [500, ServerError, 'token request to t.test: server error (500)'],
    [503, ServerError, 'token request to t.test: server error (503)'],
    [499, RegistryError, 'token request to t.test: unexpected status 499'],
    [400, RegistryError, 'token request to t.test: unexpected status 400'],
  ] as const)('maps status %i to its error class and message', (status, type, message) => {
    const error = httpError(status, 'token request to t.test');
    expect(error).toBeInstanceOf(type);
    expect(error.constructor).toBe(type);
    expect(error.message).toBe(message);
    expect(error.status).toBe(status);
  });

  it('sets resetAt of a 429 from a numeric Retry-After, and leaves it unset otherwise', () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const timed = rateLimited(httpError(429, 'login', '30'));
    expect(timed.message).toMatch(/^login: rate limited \(429\)/);
    expect(timed.status).toBe(429);
    expect(timed.resetAt?.toISOString()).toBe('2026-01-01T00:00:30.000Z');
    expect(rateLimited(httpError(429, 'login')).resetAt).toBeUndefined();
    const unreadable = rateLimited(httpError(429, 'login', 'soon'));
    expect(unreadable.resetAt).toBeUndefined();
    expect(unreadable.status).toBe(429);
  });
});

/** A response whose body reads as `text`, or fails like an oversized body. */
function response(text: string | Error): TransportResponse & { limits: (number | undefined)[] } {
  const limits: (number | undefined)[] = [];
  const res = {
    limits,
    text: async (limit?: number) => {
      limits.push(limit);
      if (text instanceof Error) throw text;
      return Promise.resolve(text);
    },
  };
  return res as unknown as TransportResponse & { limits: (number | undefined)[] };
}

describe('readJson', () => {
  it('parses a JSON body read with the small-body limit', async () => {
    const res = response('{"token":"t","n":[1]}');
    expect(await readJson(res)).toEqual({ token: 't', n: [1] });
    expect(res.limits).toEqual([SMALL_BODY_LIMIT]);
    expect(SMALL_BODY_LIMIT).toBe(256 * 1024);
  });

  it('gives undefined for an empty body, a body that is not JSON, and one over the limit', async () => {
    expect(await readJson(response(''))).toBeUndefined();
    expect(await readJson(response('<html>'))).toBeUndefined();
    expect(await readJson(response(new PayloadTooLargeError('body', 10)))).toBeUndefined();
  });
});

describe('assertSecure and assertRealmAllowed messages', () => {
  it('name the refused URL without its query and say why', () => {
    let refused: unknown;
    try {
      assertSecure(new URL('http://u:p@r.test:81/v2/x?q=secret'), new Set());
    } catch (e) {
      refused = e;
    }
    expect(refused).toBeInstanceOf(InsecureTransportError);
    expect((refused as InsecureTransportError).message).toContain('http://r.test:81/v2/x');
    expect((refused as InsecureTransportError).message).toContain(
      'credentials are only sent over HTTPS, to loopback, or to hosts marked insecure',
    );
    expect((refused as InsecureTransportError).message).not.toContain('secret');
    let realm: unknown;
    try {
      assertRealmAllowed(
        'http://10.0.0.1:8080/token?x=1',
        new URL('https://public.example.com/v2/'),
      );
    } catch (e) {
      realm = e;
    }
    expect((realm as InsecureTransportError).message).toContain('http://10.0.0.1:8080/token');
    expect((realm as InsecureTransportError).message).toContain(
      'the token realm of public.example.com points at an internal address; refusing to follow it',
    );
  });
});
