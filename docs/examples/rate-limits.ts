import { RateLimitError } from '@llmdevops/docker-hub-core';
import {
  createTransport,
  errorFromResponse,
  type RateLimitLowEvent,
} from '@llmdevops/docker-hub-transport';

/** The result of a GET that may be refused by the rate limit. */
export type PullResult =
  | { readonly ok: true; readonly bytes: number; readonly remaining: number | undefined }
  | { readonly ok: false; readonly retryAt: Date | undefined };

/**
 * GETs a manifest, waiting up to 30 s for a 429's `Retry-After` and failing fast when the
 * registry asks for longer; warns when fewer than 20 requests are left in the window.
 * @param manifestUrl - full manifest URL
 * @param onLow - called with the rate-limit status when the budget runs low
 */
export async function pullWithBudget(
  manifestUrl: string,
  onLow: (e: RateLimitLowEvent) => void,
): Promise<PullResult> {
  await using transport = createTransport({
    maxRetryWaitMs: 30_000,
    rateLimit: { lowThreshold: 20 },
  });
  const stopWatching = transport.events.on('rateLimitLow', onLow);
  try {
    const res = await transport.request({ method: 'GET', url: new URL(manifestUrl), headers: {} });
    if (res.status >= 400) throw await errorFromResponse(res, `GET ${manifestUrl}`);
    const body = await res.bytes(4 * 1024 * 1024);
    return { ok: true, bytes: body.byteLength, remaining: transport.rateLimitStatus()?.remaining };
  } catch (err) {
    // The wait was longer than maxRetryWaitMs (or retries ran out): the error says when to come back.
    if (err instanceof RateLimitError) return { ok: false, retryAt: err.resetAt };
    throw err;
  } finally {
    stopWatching();
  }
}
