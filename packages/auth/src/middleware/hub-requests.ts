import {
  type Next,
  type TransportRequest,
  type TransportResponse,
} from '@llmdevops/docker-hub-transport';
import { hubErrorFromResponse } from '../hub/hub-errors.js';
import { type HubSession } from '../hub/hub-login.js';
import { isReplayable } from '@llmdevops/docker-hub-transport';
import { assertSecure, readJson } from '../internal/http.js';
import { type AuthEventListener } from './auth-events.js';

const HUB_LOGIN_PATHS = /^\/v2\/(auth\/token|users\/login|users\/2fa-login)\/?$/;

/** Options of {@link sendHubRequest}. @public */
export interface HubRequestOptions {
  /** The logged-in Docker Hub API session whose JWT is sent. */
  readonly hub: HubSession;
  /** `host[:port]` values that may receive the JWT over plain HTTP (loopback always may). */
  readonly insecureHosts?: Iterable<string>;
  /** Receives `retry` (the JWT was renewed after a 401) and `refused` events; never the JWT. */
  readonly onEvent?: AuthEventListener;
}

function hostSet(hosts: Iterable<string> | undefined): ReadonlySet<string> {
  if (hosts === undefined) return new Set();
  if (hosts instanceof Set) return hosts as ReadonlySet<string>;
  return new Set([...hosts].map((h) => h.toLowerCase()));
}

/**
 * Sends one Docker Hub API request with the session's JWT (`Authorization: Bearer`). A 401 means
 * the JWT expired or was revoked early: the session logs in again once and the request is sent
 * once more (replayable bodies only). Login endpoints pass through untouched. Any other status is
 * returned as is; map it with {@link hubResponseError} for the SSO and access-token hints.
 * @param req - the request (its origin is the session's)
 * @param next - sends it (a transport's `request`, or the rest of a pipeline)
 * @param options - session, insecure hosts, event listener
 * @returns the response
 * @throws {@link @llmdevops/docker-hub-core!AuthenticationError | AuthenticationError} when the login is refused, or the renewed JWT is refused too
 * @throws {@link @llmdevops/docker-hub-core!InsecureTransportError | InsecureTransportError} when the Hub URL is plain HTTP to a host that is neither loopback nor listed
 * @example
 * ```ts
 * const hub = createHubLogin({ identifier: 'alice', secret: pat, send: (r) => transport.request(r) });
 * const res = await sendHubRequest(
 *   { method: 'GET', url: new URL('https://hub.docker.com/v2/namespaces/alice/repositories'), headers: {} },
 *   (r) => transport.request(r),
 *   { hub },
 * );
 * ```
 * @public
 */
export async function sendHubRequest(
  req: TransportRequest,
  next: Next,
  options: HubRequestOptions,
): Promise<TransportResponse> {
  if (HUB_LOGIN_PATHS.test(req.url.pathname)) return next(req);
  assertSecure(req.url, hostSet(options.insecureHosts));
  const emit: AuthEventListener = options.onEvent ?? (() => undefined);
  const withJwt = async (): Promise<TransportRequest> => ({
    ...req,
    headers: {
      ...req.headers,
      authorization: `Bearer ${(await options.hub.token(req.signal)).reveal()}`,
    },
  });
  const first = await next(await withJwt());
  if (first.status !== 401 || !isReplayable(req.body)) return first;
  await first.dump();
  options.hub.invalidate();
  emit({ type: 'retry', host: req.url.host, reason: 'expired' });
  const second = await next(await withJwt());
  if (second.status !== 401) return second;
  const error = hubErrorFromResponse(
    401,
    await readJson(second),
    `Docker Hub API ${req.method} ${req.url.pathname}`,
  );
  emit({ type: 'refused', host: req.url.host, status: 401, reason: error.code });
  throw error;
}
