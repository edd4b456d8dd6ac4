import {
  AuthenticationError,
  AuthorizationError,
  NotFoundError,
  RateLimitError,
  RegistryError,
  ServerError,
  UnsupportedError,
  type HttpErrorOptions,
  type RegistryErrorDetail,
} from '@llmdevops/docker-hub-core';
import { readPrefix } from '../dispatch/response.js';
import type { TransportResponse } from '../pipeline/types.js';
import { parseRateLimitHeaders, retryDelayFromHeaders } from '../middleware/rate-limit/parse-headers.js';

/** Bytes of an error body read before parsing; the rest is discarded. @public */
export const ERROR_BODY_LIMIT: number = 64 * 1024;
const MAX_MESSAGE = 300;

/** What an error body said. @internal */
export interface ParsedErrorBody {
  readonly registryErrors: readonly RegistryErrorDetail[];
  /** A human message (registry message, Hub `message`/`detail`/`text`). */
  readonly message: string | undefined;
  /** Hub login asked for a second factor (`login_2fa_token` present; its value is never kept). */
  readonly twoFactor: boolean;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function registryEntries(errors: unknown): RegistryErrorDetail[] {
  if (!Array.isArray(errors)) return [];
  const out: RegistryErrorDetail[] = [];
  for (const e of errors as unknown[]) {
    if (typeof e !== 'object' || e === null) continue;
    const rec = e as Record<string, unknown>;
    const code = typeof rec['code'] === 'string' && /^[A-Z_]{1,64}$/.test(rec['code']) ? rec['code'] : 'UNKNOWN';
    const entry: RegistryErrorDetail = { code, message: str(rec['message'])?.slice(0, MAX_MESSAGE) ?? '' };
    out.push(rec['detail'] === undefined ? entry : { ...entry, detail: rec['detail'] });
  }
  return out;
}

/**
 * Parses a registry error envelope (`{"errors":[{code,message,detail}]}`) or a Hub API error body
 * (`detail`, `message`, `errinfo`, `text`/`fields`). Anything else yields no details; never throws.
 * @param text - the (size-limited) body text
 * @returns the registry errors and a message
 * @internal
 */
export function parseErrorBody(text: string): ParsedErrorBody {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { registryErrors: [], message: undefined, twoFactor: false };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { registryErrors: [], message: undefined, twoFactor: false };
  }
  const rec = json as Record<string, unknown>;
  const registryErrors = registryEntries(rec['errors']);
  const first = registryErrors[0];
  const hub = str(rec['message']) ?? str(rec['detail']) ?? str(rec['text']) ?? str(rec['error']);
  const message = first !== undefined ? `${first.code}${first.message === '' ? '' : `: ${first.message}`}` : hub;
  return { registryErrors, message: message?.slice(0, MAX_MESSAGE), twoFactor: 'login_2fa_token' in rec };
}

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
