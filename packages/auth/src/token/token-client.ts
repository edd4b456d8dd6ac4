import { AuthenticationError, RegistryError, ValidationError } from '@llmdevops/docker-hub-core';
import {
  type Next,
  type TransportRequest,
  type TransportResponse,
} from '@llmdevops/docker-hub-transport';
import { accountOf, type RegistryCredential } from '../credentials/types.js';
import { systemClock, type Clock } from '@llmdevops/docker-hub-core';
import { assertSecure, httpError, readJson, SKIP_AUTH } from '../internal/http.js';
import { formatScope, type Scope } from '@llmdevops/docker-hub-core';
import { parseTokenResponse, type RegistryToken } from './token-response.js';

/** The `client_id` this package sends to token services. @public */
export const DEFAULT_CLIENT_ID = 'docker-hub-ts';

/** One token exchange with a registry's token service. @public */
export interface TokenRequest {
  /** Token service URL from the challenge (`realm`). */
  readonly realm: string;
  /** The challenge's `service`, if any. */
  readonly service?: string;
  /** Scopes needed; may be empty (e.g. for `/v2/`). */
  readonly scopes: readonly Scope[];
  /** Credential of the registry that sent the challenge. */
  readonly credential: RegistryCredential;
  /** Ask for a refresh token (`offline_token=true` / `access_type=offline`). */
  readonly offlineToken?: boolean;
  /** Use the OAuth2 password grant (POST) for username/password credentials too. */
  readonly forceOAuth?: boolean;
  /** `client_id` (default {@link DEFAULT_CLIENT_ID}). */
  readonly clientId?: string;
  /** Hosts (`host[:port]`) that may receive credentials over plain HTTP. */
  readonly insecureHosts?: ReadonlySet<string>;
  /** Cancels the exchange. */
  readonly signal?: AbortSignal;
}

/** Options of {@link fetchRegistryToken}. @public */
export interface TokenClientOptions {
  /** Sends the HTTP requests: a transport's `request` or a pipeline `Next`. */
  readonly send: Next;
  /** Time source for expiry computation. */
  readonly clock?: Pick<Clock, 'now'>;
}

function basicHeader(username: string, secret: string): string {
  return `Basic ${Buffer.from(`${username}:${secret}`, 'utf8').toString('base64')}`;
}

function realmUrl(realm: string): URL {
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    throw new ValidationError(
      'INVALID_ARGUMENT',
      'token realm is not an absolute URL',
      realm.slice(0, 200),
    );
  }
  if (
    (url.protocol !== 'https:' && url.protocol !== 'http:') ||
    url.username !== '' ||
    url.password !== ''
  ) {
    throw new ValidationError(
      'INVALID_ARGUMENT',
      'token realm must be an http(s) URL without user info',
      `${url.protocol}//${url.host}`,
    );
  }
  return url;
}

function baseRequest(url: URL, req: TokenRequest): Omit<TransportRequest, 'method' | 'headers'> {
  return {
    url,
    ...(req.signal === undefined ? {} : { signal: req.signal }),
    idempotent: true,
    context: { operation: 'auth.token', [SKIP_AUTH]: true },
  };
}

function buildGet(url: URL, req: TokenRequest): TransportRequest {
  const u = new URL(url);
  if (req.service !== undefined && req.service !== '') u.searchParams.set('service', req.service);
  for (const s of req.scopes) u.searchParams.append('scope', formatScope(s));
  const account = accountOf(req.credential);
  if (account !== '') u.searchParams.set('account', account);
  if (req.offlineToken === true) {
    u.searchParams.set('offline_token', 'true');
    u.searchParams.set('client_id', req.clientId ?? DEFAULT_CLIENT_ID);
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  const c = req.credential;
  if (c.kind === 'basic') headers['authorization'] = basicHeader(c.username, c.password.reveal());
  else if (c.kind === 'identity-token')
    headers['authorization'] = basicHeader(c.username ?? '<token>', c.token.reveal());
  return { ...baseRequest(u, req), method: 'GET', headers };
}

function buildPost(url: URL, req: TokenRequest): TransportRequest {
  const form = new URLSearchParams();
  const c = req.credential;
  if (c.kind === 'identity-token') {
    form.set('grant_type', 'refresh_token');
    form.set('refresh_token', c.token.reveal());
  } else if (c.kind === 'basic') {
    form.set('grant_type', 'password');
    form.set('username', c.username);
    form.set('password', c.password.reveal());
    if (req.offlineToken === true) form.set('access_type', 'offline');
  }
  if (req.service !== undefined && req.service !== '') form.set('service', req.service);
  form.set('client_id', req.clientId ?? DEFAULT_CLIENT_ID);
  if (req.scopes.length > 0) form.set('scope', req.scopes.map(formatScope).join(' '));
  return {
    ...baseRequest(url, req),
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  };
}

async function toToken(
  res: TransportResponse,
  req: TokenRequest,
  receivedAt: number,
  what: string,
): Promise<RegistryToken> {
  if (res.status >= 400) {
    await res.dump();
    const account = accountOf(req.credential);
    if (res.status === 401) {
      const who = account === '' ? 'anonymous access' : `the credentials of account "${account}"`;
      throw new AuthenticationError(`${what}: token service refused ${who}`, { status: 401 });
    }
    throw httpError(res.status, what, res.header('retry-after'));
  }
  const body = await readJson(res);
  const token = parseTokenResponse(body, receivedAt, req.scopes);
  if (token === undefined)
    throw new RegistryError(`${what}: answer has no "token" or "access_token"`, {
      status: res.status,
    });
  return token;
}

/**
 * Exchanges a credential for a registry bearer token (distribution token spec):
 * - identity (refresh) token, or `forceOAuth` with username/password: `POST realm` with an OAuth2
 *   form (`grant_type=refresh_token|password`, `service`, `client_id`, space-separated `scope`),
 *   falling back to GET when the service answers 404 or 405 (not every token server speaks OAuth2);
 * - otherwise `GET realm?service=&scope=&scope=&account=` with `Authorization: Basic` when there
 *   is a username/password, or without it for an anonymous token.
 *
 * Credentials go only to the realm the registry's challenge named, and only over HTTPS, to
 * loopback, or to a host in `insecureHosts`.
 * @param request - realm, service, scopes, credential
 * @param options - how to send and the clock
 * @returns the token with its expiry
 * @throws {@link @llmdevops/docker-hub-core!AuthenticationError | AuthenticationError} when the service refuses the credential (401)
 * @throws {@link @llmdevops/docker-hub-core!InsecureTransportError | InsecureTransportError} when the realm would receive credentials over plain HTTP
 * @throws {@link @llmdevops/docker-hub-core!RegistryError | RegistryError} (or a subclass) for other failures and answers without a token
 * @public
 */
export async function fetchRegistryToken(
  request: TokenRequest,
  options: TokenClientOptions,
): Promise<RegistryToken> {
  const clock = options.clock ?? systemClock;
  const url = realmUrl(request.realm);
  if (request.credential.kind !== 'anonymous')
    assertSecure(url, request.insecureHosts ?? new Set());
  const what = `token request to ${url.host}`;
  const c = request.credential;
  if (c.kind === 'registry-token') {
    throw new ValidationError(
      'INVALID_ARGUMENT',
      'a registry token credential is sent as is and cannot be exchanged',
      'registrytoken',
    );
  }
  const usePost =
    c.kind === 'identity-token' || (c.kind === 'basic' && request.forceOAuth === true);
  if (usePost) {
    const res = await options.send(buildPost(url, request));
    if (res.status !== 404 && res.status !== 405) return toToken(res, request, clock.now(), what);
    await res.dump();
  }
  const res = await options.send(buildGet(url, request));
  return toToken(res, request, clock.now(), what);
}
