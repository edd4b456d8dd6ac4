import { NetworkError, RateLimitError } from '@llmdevops/docker-hub-core';
import { type Clock, type TransportResponse } from '@llmdevops/docker-hub-transport';
import { describe, expect, it } from 'vitest';
import { RateLimitService } from './check-rate-limit.js';

const NOW = 1_700_000_000_000;
const clock: Clock = {
  now: () => NOW,
  sleep: async () => Promise.reject(new Error('no sleeping in this test')),
};

/** A probe answer as the context's `send` returns it (only what the service reads). */
function answer(status: number, headers: Record<string, string>): TransportResponse {
  const partial: Partial<TransportResponse> = { status, headers, dump: async () => undefined };
  return partial as TransportResponse;
}

function service(send: () => Promise<TransportResponse>): RateLimitService {
  return new RateLimitService({ send }, { clock });
}

describe('RateLimitService probe edge cases', () => {
  it('reads a 429 returned (not thrown) by the context as a spent budget with its headers', async () => {
    const rl = service(async () =>
      answer(429, { 'ratelimit-limit': '100;w=21600', 'docker-ratelimit-source': '192.0.2.7' }),
    );
    expect(await rl.check()).toMatchObject({
      limited: true,
      exhausted: true,
      remaining: 0,
      limit: 100,
      windowSeconds: 21600,
      source: '192.0.2.7',
    });
  });

  it('fails fast without resetAt or limit when the spent budget names neither', async () => {
    const rl = service(async () => answer(429, {}));
    const err = await rl.check({ whenExhausted: 'wait' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).resetAt).toBeUndefined();
    expect((err as RateLimitError).limit).toBeUndefined();
  });

  it('passes errors other than RateLimitError through unchanged', async () => {
    const network = new NetworkError('HEAD probe: connection reset');
    const rl = service(async () => Promise.reject(network));
    await expect(rl.check()).rejects.toBe(network);
  });
});
