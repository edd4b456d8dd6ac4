import { AuthenticationError, type RegistryError } from '@llmdevops/docker-hub-core';
import { httpError } from '../internal/http.js';

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

const PAT_JWT_REFUSED = /issued from a personal access token/i;
const SSO_ENFORCED =
  /\bsso\b|single sign-on|must (use|sign in with) a personal access token|personal access token (is )?required/i;

/** Keeps a server's short explanation safe to print: one line, bounded, no token-like words. */
function shortText(text: string | undefined): string {
  if (text === undefined) return '';
  const line = text.replace(/\s+/g, ' ').trim().slice(0, 160);
  return line.replace(/\b(eyJ[\w-]*\.[\w-]*\.[\w-]*|dckr_[a-z]+_[\w-]+)\b/g, '[REDACTED]');
}

/**
 * Maps a failed Docker Hub API answer to a typed error with a message saying what to do:
 * SSO-enforced organizations (use a PAT), JWTs issued from a PAT refused by an endpoint (log in
 * with a password), wrong credentials, and the generic status families.
 * @param status - HTTP status
 * @param body - parsed JSON body (may be anything)
 * @param what - what was attempted, e.g. `Docker Hub login for "alice"`
 * @returns the error
 * @public
 */
export function hubErrorFromResponse(status: number, body: unknown, what: string): RegistryError {
  const { detail, message } = readHubErrorBody(body);
  const text = `${detail ?? ''} ${message ?? ''}`;
  if ((status === 401 || status === 403) && PAT_JWT_REFUSED.test(text)) {
    return new AuthenticationError(
      `${what}: this endpoint refuses JWTs issued from a personal access token; log in with the account password (or an organization owner's credentials)`,
      { status },
    );
  }
  if ((status === 401 || status === 403) && SSO_ENFORCED.test(text)) {
    return new AuthenticationError(
      `${what}: the organization enforces single sign-on; use a personal access token instead of a password`,
      { status },
    );
  }
  if (status === 401) {
    const said = shortText(detail ?? message);
    return new AuthenticationError(
      `${what}: wrong username or password/access token${said === '' ? '' : ` (Docker Hub said: ${said})`}`,
      { status },
    );
  }
  return httpError(status, what);
}
