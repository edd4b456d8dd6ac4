import {
  AuthenticationError,
  AuthorizationError,
  NotFoundError,
  RateLimitError,
  RegistryError,
  ServerError,
  UnsupportedError,
  type HttpErrorOptions,
  parseErrorBody,
} from '@llmdevops/docker-hub-core';
import { readPrefix } from '../dispatch/response.js';
import type { TransportResponse } from '../pipeline/types.js';
import { parseRateLimitHeaders, retryDelayFromHeaders } from '../middleware/rate-limit/parse-headers.js';

/** Bytes of an error body read before parsing; the rest is discarded. @public */
export const ERROR_BODY_LIMIT: number = 64 * 1024;

/**
 * Turns an error response into the matching `core` error, reading at most 64 KiB of its body:
 * 401 `AuthenticationError` (`TWO_FACTOR_REQUIRED` for Hub 2FA logins), 403 `AuthorizationError`,
 * 404 `NotFoundError`, 405 `UnsupportedError`, 429 (or code `TOOMANYREQUESTS`) `RateLimitError`
 * with `resetAt`, 5xx `ServerError`, anything else `RegistryError`. The registry's code is kept.
 * @param res - the response (its body is consumed)
 * @param what - what was being done, e.g. `GET manifest library/alpine:3.19`
 * @param options - `now` for computing the reset time (default `Date.now()`)
 * @returns the error (to throw)
 * @example
 * ```ts
 * if (res.status !== 200) throw await errorFromResponse(res, `GET manifest ${ref}`);
 * ```
 * @public
 */
export async function errorFromResponse(
  res: TransportResponse,
  what: string,
  options: { readonly now?: number } = {},
): Promise<RegistryError> {
  const text = (await readPrefix(res.body, ERROR_BODY_LIMIT)).toString('utf8');
  const parsed = parseErrorBody(text);
  const { status } = res;
  const message = `${what}: HTTP ${status}${parsed.message === undefined ? '' : ` (${parsed.message})`}`;
  const opts: HttpErrorOptions = { status, registryErrors: parsed.registryErrors };
  if (status === 429 || parsed.registryErrors[0]?.code === 'TOOMANYREQUESTS') {
    const now = options.now ?? Date.now();
    const rl = parseRateLimitHeaders(res.headers, now).status;
    const wait = retryDelayFromHeaders(res.headers, now);
    return new RateLimitError(message, {
      ...opts,
      ...(wait === undefined ? {} : { resetAt: new Date(now + wait.delayMs) }),
      ...(rl?.limit === undefined ? {} : { limit: rl.limit }),
      ...(rl?.remaining === undefined ? {} : { remaining: rl.remaining }),
    });
  }
  switch (status) {
    case 401:
      return new AuthenticationError(message, opts, parsed.twoFactor ? 'TWO_FACTOR_REQUIRED' : 'UNAUTHORIZED');
    case 403:
      return new AuthorizationError(message, opts);
    case 404:
      return new NotFoundError(message, opts);
    case 405:
      return new UnsupportedError(message, opts);
    default:
      return status >= 500 ? new ServerError(message, opts) : new RegistryError(message, opts);
  }
}
