import { Readable } from 'node:stream';
import { RateLimitError, RegistryError, ServerError } from '@llmdevops/docker-hub-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createResponse } from '../dispatch/response.js';
import { ERROR_BODY_LIMIT, errorFromResponse } from './error-from-response.js';

function response(status: number, body: string, headers: Record<string, string> = {}) {
  return createResponse({
    status,
    headers,
    url: new URL('https://registry.example.com/v2/'),
    body: Readable.from([Buffer.from(body)]),
    what: 'test body',
  });
}

const envelope = (code: string, message: string): string =>
  JSON.stringify({ errors: [{ code, message }] });

describe('errorFromResponse edges', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes "what: HTTP status (message)", or without the parenthesis when the body says nothing', async () => {
    expect(
      (
        await errorFromResponse(
          response(404, envelope('MANIFEST_UNKNOWN', 'no such tag')),
          'GET manifest a:1',
        )
      ).message,
    ).toBe('GET manifest a:1: HTTP 404 (MANIFEST_UNKNOWN: no such tag)');
    expect((await errorFromResponse(response(404, ''), 'GET manifest a:1')).message).toBe(
      'GET manifest a:1: HTTP 404',
    );
  });

  it('treats a TOOMANYREQUESTS code as rate limiting whatever the status', async () => {
    const err = await errorFromResponse(
      response(403, envelope('TOOMANYREQUESTS', 'slow down')),
      'x',
      { now: 0 },
    );
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err.status).toBe(403);
  });

  it('leaves resetAt, limit and remaining unset when a 429 has no rate-limit headers', async () => {
    const err = await errorFromResponse(response(429, ''), 'x', { now: 0 });
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err).toMatchObject({ resetAt: undefined, limit: undefined, remaining: undefined });
  });

  it('sets only what the headers give: the limit without a remaining count', async () => {
    const err = await errorFromResponse(
      response(429, '', { 'ratelimit-limit': '100;w=21600' }),
      'x',
      { now: 0 },
    );
    expect(err).toMatchObject({ limit: 100, remaining: undefined });
  });

  it('computes resetAt from the clock when no time is given', async () => {
    vi.useFakeTimers({ now: new Date('2026-03-01T00:00:00Z') });
    const err = await errorFromResponse(response(429, '', { 'retry-after': '5' }), 'x');
    if (!(err instanceof RateLimitError)) throw new Error('not a RateLimitError');
    expect(err.resetAt?.toISOString()).toBe('2026-03-01T00:00:05.000Z');
  });

  it('makes 500 a ServerError and 499 a plain RegistryError', async () => {
    expect((await errorFromResponse(response(500, ''), 'x')).constructor).toBe(ServerError);
    expect((await errorFromResponse(response(499, ''), 'x')).constructor).toBe(RegistryError);
  });

  it('exports an error body limit of 64 KiB', () => {
    expect(ERROR_BODY_LIMIT).toBe(64 * 1024);
  });
});
