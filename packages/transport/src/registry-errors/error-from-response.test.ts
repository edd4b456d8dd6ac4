import { Readable } from 'node:stream';
import {
  AuthenticationError,
  AuthorizationError,
  NotFoundError,
  RateLimitError,
  RegistryError,
  ServerError,
  UnsupportedError,
} from '@llmdevops/docker-hub-core';
import { describe, expect, it } from 'vitest';
import { createResponse } from '../dispatch/response.js';
import { errorFromResponse } from './error-from-response.js';

const NOW = Date.UTC(2026, 0, 1);

function response(status: number, body: string | Buffer, headers: Record<string, string> = {}) {
  return createResponse({ status, headers, url: new URL('https://registry.example.com/v2/'), body: Readable.from([Buffer.from(body)]), what: 'test body' });
}

const envelope = (code: string, message = 'msg') => JSON.stringify({ errors: [{ code, message, detail: { Tag: 'nope' } }] });

describe('errorFromResponse', () => {
  it.each([
    [401, 'UNAUTHORIZED', AuthenticationError, 'UNAUTHORIZED'],
    [403, 'DENIED', AuthorizationError, 'DENIED'],
    [404, 'MANIFEST_UNKNOWN', NotFoundError, 'MANIFEST_UNKNOWN'],
    [404, 'SOMETHING_NEW', NotFoundError, 'NOT_FOUND'],
    [405, 'UNSUPPORTED', UnsupportedError, 'UNSUPPORTED'],
    [400, 'NAME_INVALID', RegistryError, 'NAME_INVALID'],
    [503, 'UNAVAILABLE', ServerError, 'SERVER_ERROR'],
  ])('%i %s becomes the right class and code', async (status, registryCode, cls, code) => {
    const err = await errorFromResponse(response(status, envelope(registryCode)), 'GET manifest x');
    expect(err).toBeInstanceOf(cls);
    expect(err.code).toBe(code);
    expect(err.status).toBe(status);
    expect(err.registryCode).toBe(registryCode);
    expect(err.registryErrors[0]?.detail).toEqual({ Tag: 'nope' });
    expect(err.message).toContain('GET manifest x: HTTP');
  });

  it('429 becomes a RateLimitError with resetAt, limit and remaining', async () => {
    const err = await errorFromResponse(
      response(429, envelope('TOOMANYREQUESTS', 'You have reached your pull rate limit.'), { 'retry-after': '60', 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '0' }),
      'GET manifest',
      { now: NOW },
    );
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err).toMatchObject({ resetAt: new Date(NOW + 60_000), limit: 100, remaining: 0, retryable: true });
  });

  it('reads Hub API bodies (message, detail) and keeps 2FA tokens out', async () => {
    const hub = await errorFromResponse(response(404, JSON.stringify({ message: 'object not found', errinfo: {} })), 'GET repo');
    expect(hub).toBeInstanceOf(NotFoundError);
    expect(hub.message).toContain('object not found');
    const twoFa = await errorFromResponse(response(401, JSON.stringify({ detail: 'Require secondary authentication', login_2fa_token: 'SECRET2FA' })), 'login');
    expect(twoFa.code).toBe('TWO_FACTOR_REQUIRED');
    expect(JSON.stringify(twoFa)).not.toContain('SECRET2FA');
    expect(twoFa.message).not.toContain('SECRET2FA');
  });

  it('copes with non-JSON, empty and oversized bodies', async () => {
    expect((await errorFromResponse(response(502, '<html>bad gateway</html>'), 'x')).code).toBe('SERVER_ERROR');
    expect((await errorFromResponse(response(418, ''), 'x')).code).toBe('REGISTRY_ERROR');
    const huge = Buffer.alloc(1024 * 1024, 0x20);
    const err = await errorFromResponse(response(400, Buffer.concat([Buffer.from(envelope('SIZE_INVALID')), huge])), 'x');
    expect(err.code).toBe('SIZE_INVALID');
  });
});

describe('response readers', () => {
  it('enforce size limits and map bad JSON to a RegistryError', async () => {
    await expect(response(200, 'x'.repeat(100)).text(10)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    await expect(response(200, '{nope').json()).rejects.toBeInstanceOf(RegistryError);
    expect(await response(200, '{"a":1}').json()).toEqual({ a: 1 });
    expect(await response(200, 'abc').bytes()).toEqual(new Uint8Array([97, 98, 99]));
    const r = response(200, 'abc', { 'x-multi': 'a' });
    expect(r.header('X-Multi')).toBe('a');
    await r.dump();
    await r.dump();
  });
});
