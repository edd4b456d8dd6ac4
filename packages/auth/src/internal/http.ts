import {
  AuthenticationError,
  AuthorizationError,
  InsecureTransportError,
  NotFoundError,
  RateLimitError,
  RegistryError,
  ServerError,
  isNonPublicHost,
  isSecureEnough,
} from '@llmdevops/docker-hub-core';
import { type TransportResponse } from '@llmdevops/docker-hub-transport';

/** Context flag telling the auth middleware to leave a request alone (token and login calls). */
export const SKIP_AUTH = 'authSkip';

/** Largest error or token body read into memory. */
export const SMALL_BODY_LIMIT = 256 * 1024;

/**
 * Throws unless credentials may be sent to `url`.
 * @param url - target
 * @param insecureHosts - hosts allowed over plain HTTP
 * @throws {@link @llmdevops/docker-hub-core!InsecureTransportError | InsecureTransportError}
 */
export function assertSecure(url: URL, insecureHosts: ReadonlySet<string>): void {
  if (!isSecureEnough(url, insecureHosts)) {
    throw new InsecureTransportError(
      `${url.protocol}//${url.host}${url.pathname}`,
      'credentials are only sent over HTTPS, to loopback, or to hosts marked insecure',
    );
  }
}

/**
 * Reads a small JSON body; undefined when it is not JSON or too large.
 * @param res - the response
 * @returns the value or undefined
 */
export async function readJson(res: TransportResponse): Promise<unknown> {
  try {
    const text = await res.text(SMALL_BODY_LIMIT);
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

/**
 * A typed error for a failed answer of a token service or the Hub API (no body text in the message
 * except the short `detail`/`message` the service sent, which never holds the request's secrets).
 * @param status - HTTP status
 * @param what - what was attempted, e.g. `token request to auth.docker.io`
 * @param retryAfter - the Retry-After header, if any
 * @returns the error
 */
export function httpError(status: number, what: string, retryAfter?: string): RegistryError {
  const options = { status };
  if (status === 401) return new AuthenticationError(`${what}: credentials refused (401)`, options);
  if (status === 403) return new AuthorizationError(`${what}: access denied (403)`, options);
  if (status === 404) return new NotFoundError(`${what}: not found (404)`, options);
  if (status === 429) {
    const seconds = retryAfter === undefined ? Number.NaN : Number(retryAfter);
    return new RateLimitError(
      `${what}: rate limited (429)`,
      Number.isFinite(seconds)
        ? { ...options, resetAt: new Date(Date.now() + seconds * 1000) }
        : options,
    );
  }
  if (status >= 500) return new ServerError(`${what}: server error (${status})`, options);
  return new RegistryError(`${what}: unexpected status ${status}`, options);
}

/**
 * SSRF guard for token realms (after go-containerregistry's `validateRealmURL`): a registry on a
 * public host may not send the client to an internal address for its tokens.
 * @param realmText - the realm URL
 * @param registry - the registry URL that sent the challenge
 * @throws {@link @llmdevops/docker-hub-core!InsecureTransportError | InsecureTransportError} when the realm is internal and the registry is not
 */
export function assertRealmAllowed(realmText: string, registry: URL): void {
  let realm: URL;
  try {
    realm = new URL(realmText);
  } catch {
    return; // the token client reports an unusable realm with a ValidationError
  }
  if (
    isNonPublicHost(realm.hostname) &&
    !isNonPublicHost(registry.hostname) &&
    realm.hostname !== registry.hostname
  ) {
    throw new InsecureTransportError(
      `${realm.protocol}//${realm.host}${realm.pathname}`,
      `the token realm of ${registry.host} points at an internal address; refusing to follow it`,
    );
  }
}
