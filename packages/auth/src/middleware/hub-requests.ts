import {
  type Next,
  type TransportRequest,
  type TransportResponse,
} from '@llmdevops/docker-hub-transport';
import { hubErrorFromResponse } from '../hub/hub-errors.js';
import { type HubSession } from '../hub/hub-login.js';
import { assertSecure, isReplayable, readJson } from '../internal/http.js';
import { type AuthEventListener } from './auth-events.js';

const HUB_LOGIN_PATHS = /^\/v2\/(auth\/token|users\/login|users\/2fa-login)\/?$/;

/**
 * Sends a Docker Hub API request with the session's JWT; on 401 renews the JWT once and retries
 * (replayable bodies only). Login endpoints pass through untouched.
 * @param req - the request (its origin is the session's)
 * @param next - the rest of the pipeline
 * @param ctx - session, insecure hosts, event listener
 * @returns the response
 * @throws {@link @llmdevops/docker-hub-core!AuthenticationError | AuthenticationError} when the renewed JWT is refused too
 * @internal
 */
export async function sendHubRequest(
  req: TransportRequest,
  next: Next,
  ctx: {
    readonly hub: HubSession;
    readonly insecureHosts: ReadonlySet<string>;
    readonly emit: AuthEventListener;
  },
): Promise<TransportResponse> {
  if (HUB_LOGIN_PATHS.test(req.url.pathname)) return next(req);
  assertSecure(req.url, ctx.insecureHosts);
  const withJwt = async (): Promise<TransportRequest> => ({
    ...req,
    headers: {
      ...req.headers,
      authorization: `Bearer ${(await ctx.hub.token(req.signal)).reveal()}`,
    },
  });
  const first = await next(await withJwt());
  if (first.status !== 401 || !isReplayable(req.body)) return first;
  await first.dump();
  ctx.hub.invalidate();
  ctx.emit({ type: 'retry', host: req.url.host, reason: 'expired' });
  const second = await next(await withJwt());
  if (second.status !== 401) return second;
  throw hubErrorFromResponse(
    401,
    await readJson(second),
    `Docker Hub API ${req.method} ${req.url.pathname}`,
  );
}
