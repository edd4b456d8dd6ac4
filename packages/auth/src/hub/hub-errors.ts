import {
  AuthenticationError,
  AuthorizationError,
  type RegistryError,
} from '@llmdevops/docker-hub-core';
import { type TransportResponse } from '@llmdevops/docker-hub-transport';
import { httpError, readJson } from '../internal/http.js';

/** What a Docker Hub API error body says, reduced to the short fields. @public */
export interface HubErrorBody {
  /** `detail` field. */
  readonly detail: string | undefined;
  /** `message` field. */
  readonly message: string | undefined;
  /** `login_2fa_token` (legacy login when 2FA is on); a secret, never logged. */
  readonly login2faToken: string | undefined;
}

/**
 * Reads `detail`, `message` and `login_2fa_token` from a Hub API error body (all optional).
 * @param body - parsed JSON or anything
 * @returns the fields
 * @public
 */
export function readHubErrorBody(body: unknown): HubErrorBody {
  const o = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const str = (v: unknown): string | undefined =>
    typeof v === 'string' && v !== '' ? v : undefined;
  return {
    detail: str(o['detail']),
    message: str(o['message']),
    login2faToken: str(o['login_2fa_token']),
  };
}

/** Docker Hub's words when an endpoint refuses every JWT that came from an access token. */
const PAT_JWT_REFUSED =
  /issued from a personal access token|forbidden with (a )?personal access token/i;
/** Docker Hub's words when an access token's scope is too narrow for the call. */
const INSUFFICIENT_SCOPE = /insufficient[ _]scopes?/i;
const SSO_ENFORCED =
  /\bsso\b|single sign-on|must (use|sign in with) a personal access token|personal access token (is )?required/i;

/** Keeps a server's short explanation safe to print: one line, bounded, no token-like words. */
function shortText(text: string | undefined): string {
  if (text === undefined) return '';
  const line = text.replace(/\s+/g, ' ').trim().slice(0, 160);
  return line.replace(/\b(eyJ[\w-]*\.[\w-]*\.[\w-]*|dckr_[a-z]+_[\w-]+)\b/g, '[REDACTED]');
}

/** A hint for a refused Hub answer, or undefined when the text matches no known cause. */
function hintFor(text: string): string | undefined {
  if (INSUFFICIENT_SCOPE.test(text))
    return "the access token's scope does not allow this call; create a personal access token with a wider scope (Read & Write to push or create repositories, Read, Write & Delete to delete tags)";
  if (PAT_JWT_REFUSED.test(text))
    return "this endpoint refuses JWTs issued from a personal access token; log in with the account password (or an organization owner's credentials)";
  if (SSO_ENFORCED.test(text))
    return 'the organization enforces single sign-on; use a personal access token instead of a password';
  return undefined;
}

/**
 * Maps a failed Docker Hub API answer to a typed error with a message saying what to do: an
 * access token whose scope is too narrow (create one with a wider scope), SSO-enforced
 * organizations (use a PAT), JWTs issued from a PAT refused by an endpoint (log in with a
 * password), wrong credentials, and the generic status families. A 401 is an
 * {@link @llmdevops/docker-hub-core!AuthenticationError | AuthenticationError}, a 403 an
 * {@link @llmdevops/docker-hub-core!AuthorizationError | AuthorizationError}; both keep Docker
 * Hub's short explanation (token-looking words redacted).
 * @param status - HTTP status
 * @param body - parsed JSON body (may be anything)
 * @param what - what was attempted, e.g. `Docker Hub login for "alice"`
 * @returns the error
 * @public
 */
export function hubErrorFromResponse(status: number, body: unknown, what: string): RegistryError {
  if (status !== 401 && status !== 403) return httpError(status, what);
  const { detail, message } = readHubErrorBody(body);
  const said = shortText(detail ?? message);
  const quoted = said === '' ? '' : ` (Docker Hub said: ${said})`;
  const hint = hintFor(`${detail ?? ''} ${message ?? ''}`);
  if (status === 401) {
    return new AuthenticationError(
      `${what}: ${hint ?? 'wrong username or password/access token'}${quoted}`,
      { status },
    );
  }
  return new AuthorizationError(`${what}: ${hint ?? 'access denied (403)'}${quoted}`, { status });
}

/**
 * Reads a refused Docker Hub API answer (its small JSON body) and maps it with
 * {@link hubErrorFromResponse}, so a caller gets the same hints as the login itself.
 * @param res - the response (its body is consumed)
 * @param what - what was attempted, e.g. `DELETE Hub tag alice/app:1`
 * @returns the error
 * @example
 * ```ts
 * const res = await sendHubRequest(req, next, { hub });
 * if (res.status === 401 || res.status === 403) throw await hubResponseError(res, 'delete tag');
 * ```
 * @public
 */
export async function hubResponseError(
  res: TransportResponse,
  what: string,
): Promise<RegistryError> {
  return hubErrorFromResponse(res.status, await readJson(res), what);
}
