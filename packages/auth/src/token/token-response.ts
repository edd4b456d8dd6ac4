import { lazySchema, Secret } from '@llmdevops/docker-hub-core';
import * as z from 'zod';
import { type Scope } from '@llmdevops/docker-hub-core';

/**
 * A bearer token from a registry token service, with its computed expiry.
 * @public
 */
export interface RegistryToken {
  /** The bearer token (`token` or `access_token` of the answer). */
  readonly token: Secret;
  /** When the token was issued (ms since epoch; local receive time when unknown or implausible). */
  readonly issuedAt: number;
  /** When the token expires (ms since epoch): issuedAt + max(expires_in ?? 60, 60) s. */
  readonly expiresAt: number;
  /** A refresh token, when the service sent one (`offline_token` / `access_type=offline`). */
  readonly refreshToken: Secret | undefined;
  /** The scopes the token was requested for (the grant may be smaller). */
  readonly scopes: readonly Scope[];
}

/** Minimum and default lifetime of a registry token (token spec: never less than 60 s). */
export const MIN_TOKEN_LIFETIME_S = 60;

const tokenBody = lazySchema(() =>
  z.object({
    token: z.string().min(1).optional(),
    access_token: z.string().min(1).optional(),
    expires_in: z.number().optional(),
    issued_at: z.string().optional(),
    refresh_token: z.string().min(1).optional(),
  }),
);

/**
 * Validates a token service's JSON answer and computes the expiry. `access_token` wins when both
 * it and `token` are present (as distribution and regclient do); `expires_in` defaults to and is
 * clamped to at least 60 s; an `issued_at` in the future or one that would make the token already
 * expired is replaced by the receive time (clock skew).
 * @param body - the parsed JSON body
 * @param receivedAt - local time the answer arrived (ms since epoch)
 * @param scopes - the scopes that were requested
 * @returns the token, or undefined when the body carries no token
 * @public
 */
export function parseTokenResponse(
  body: unknown,
  receivedAt: number,
  scopes: readonly Scope[],
): RegistryToken | undefined {
  const parsed = tokenBody.safeParse(body);
  if (!parsed.success) return undefined;
  const value = parsed.data.access_token ?? parsed.data.token;
  if (value === undefined) return undefined;
  const lifetimeMs =
    Math.max(parsed.data.expires_in ?? MIN_TOKEN_LIFETIME_S, MIN_TOKEN_LIFETIME_S) * 1000;
  let issuedAt =
    parsed.data.issued_at === undefined ? Number.NaN : Date.parse(parsed.data.issued_at);
  if (!Number.isFinite(issuedAt) || issuedAt > receivedAt || issuedAt + lifetimeMs <= receivedAt)
    issuedAt = receivedAt;
  return {
    token: new Secret(value),
    issuedAt,
    expiresAt: issuedAt + lifetimeMs,
    refreshToken:
      parsed.data.refresh_token === undefined ? undefined : new Secret(parsed.data.refresh_token),
    scopes,
  };
}
