import { AbortedError, CircuitOpenError, NetworkError, TimeoutError } from '@llmdevops/docker-hub-core';
import { describe, expect, it } from 'vitest';
import { decideRetry, type AttemptOutcome, type RetryPolicy } from './decide.js';

const policy: RetryPolicy = { maxRetries: 3, maxRetryWaitMs: 60_000, backoff: { baseMs: 100, capMs: 1000, random: () => 1 } };
const ctx = { attempt: 1, idempotent: true, replayable: true, now: 0, policy };
const status = (s: number, headers: Record<string, string> = {}): AttemptOutcome => ({ kind: 'response', status: s, headers });
const error = (e: unknown): AttemptOutcome => ({ kind: 'error', error: e });

describe('decideRetry', () => {
  it('retries 408, 429, 500, 502, 503, 504 and nothing else', () => {
    for (const s of [408, 429, 500, 502, 503, 504]) expect(decideRetry(status(s), ctx).retry).toBe(true);
    for (const s of [200, 301, 400, 401, 403, 404, 405, 409, 416, 501]) expect(decideRetry(status(s), ctx).retry).toBe(false);
  });

  it('stops after maxRetries', () => {
    expect(decideRetry(status(503), { ...ctx, attempt: 3 }).retry).toBe(true);
    expect(decideRetry(status(503), { ...ctx, attempt: 4 }).retry).toBe(false);
    expect(decideRetry(error(new NetworkError('x', { causeCode: 'ECONNRESET' })), { ...ctx, attempt: 4 }).retry).toBe(false);
  });

  it('a spent 429 reports rate limiting', () => {
    expect(decideRetry(status(429), { ...ctx, attempt: 4 })).toEqual({ retry: false, rateLimited: { waitMs: undefined } });
    expect(decideRetry(status(429, { 'retry-after': '61' }), ctx)).toEqual({ retry: false, rateLimited: { waitMs: 61_000 } });
  });

  it('503 honours a Retry-After as a floor', () => {
    expect(decideRetry(status(503, { 'retry-after': '5' }), ctx)).toEqual({ retry: true, delayMs: 5000, reason: 'status 503' });
    expect(decideRetry(status(503, { 'retry-after': '600' }), ctx).retry).toBe(false);
  });

  it('does not retry answer headers over the size limit (the server sends them again)', () => {
    expect(decideRetry(error(new NetworkError('x', { causeCode: 'UND_ERR_HEADERS_OVERFLOW' })), ctx).retry).toBe(false);
  });

  it('retries retryable errors but not aborts, open breakers or TLS failures', () => {
    expect(decideRetry(error(new NetworkError('x', { causeCode: 'UND_ERR_SOCKET' })), ctx)).toEqual({ retry: true, delayMs: 100, reason: 'NETWORK' });
    expect(decideRetry(error(new TimeoutError('headers', 10)), ctx).retry).toBe(true);
    expect(decideRetry(error(new AbortedError('x')), ctx).retry).toBe(false);
    expect(decideRetry(error(new CircuitOpenError('h', new Date())), ctx).retry).toBe(false);
    expect(decideRetry(error(new NetworkError('x', { causeCode: 'DEPTH_ZERO_SELF_SIGNED_CERT' })), ctx).retry).toBe(false);
    expect(decideRetry(error(new Error('plain')), ctx).retry).toBe(false);
  });

  it('non-idempotent requests retry only what the server cannot have acted on', () => {
    const post = { ...ctx, idempotent: false };
    expect(decideRetry(status(503), post).retry).toBe(false);
    expect(decideRetry(status(429), post).retry).toBe(true);
    expect(decideRetry(error(new NetworkError('x', { causeCode: 'ECONNRESET' })), post).retry).toBe(false);
    expect(decideRetry(error(new NetworkError('x', { causeCode: 'ECONNREFUSED' })), post).retry).toBe(true);
    expect(decideRetry(error(new TimeoutError('connect', 10)), post).retry).toBe(true);
  });

  it('never retries a one-shot body', () => {
    expect(decideRetry(status(503), { ...ctx, replayable: false }).retry).toBe(false);
    expect(decideRetry(error(new NetworkError('x')), { ...ctx, replayable: false }).retry).toBe(false);
  });
});
