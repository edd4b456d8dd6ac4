import {
  AuthenticationError,
  AuthorizationError,
  type DockerHubError,
  Secret,
} from '@llmdevops/docker-hub-core';
import {
  type Middleware,
  type Next,
  type TransportRequest,
  type TransportResponse,
} from '@llmdevops/docker-hub-transport';
import { TokenCache, type TokenCacheKey } from '../cache/token-cache.js';
import {
  type AuthChallenge,
  parseWwwAuthenticate,
  selectChallenge,
} from '../challenge/parse-www-authenticate.js';
import {
  createCredentialProvider,
  type CredentialProvider,
} from '../credentials/resolve-credentials.js';
import {
  accountOf,
  type CredentialInput,
  type RegistryCredential,
  toCredential,
} from '../credentials/types.js';
import { hubErrorFromResponse } from '../hub/hub-errors.js';
import { type HubSession } from '../hub/hub-login.js';
import { type AuthClock, systemClock } from '../internal/clock.js';
import {
  assertSecure,
  isReplayable,
  readJson,
  registryErrorsOf,
  SKIP_AUTH,
} from '../internal/http.js';
import { formatScope, type Scope, tryParseScopes } from '../scope/scope.js';
import { fetchRegistryToken, type TokenRequest } from '../token/token-client.js';
import { type RegistryToken } from '../token/token-response.js';
import { type AuthEventListener } from './auth-events.js';
import { scopesForRequest } from './request-scopes.js';

/** Options of {@link createAuthMiddleware}. @public */
export interface AuthMiddlewareOptions {
  /**
   * Where credentials come from: a provider (per registry host), or one credential for every
   * registry that challenges. Default: {@link createCredentialProvider} (env vars for Docker Hub,
   * then Docker's `config.json` and credential helpers, then anonymous).
   */
  readonly credentials?: CredentialProvider | CredentialInput | RegistryCredential;
  /**
   * Sends token-service requests (e.g. a transport's `request`, so retry, timeouts and TLS policy
   * apply). Default: the `next` the middleware is called with.
   */
  readonly transportNext?: Next;
  /** Replaces the token exchange entirely (tests, custom token services). */
  readonly fetchToken?: (request: TokenRequest) => Promise<RegistryToken>;
  /** Time source (token expiry, JWT renewal). */
  readonly clock?: AuthClock;
  /** Token cache to use (default: a new one with `refreshMarginMs`). */
  readonly cache?: TokenCache;
  /** Renew tokens this many ms before expiry (default 10 000). */
  readonly refreshMarginMs?: number;
  /** `client_id` sent to token services. */
  readonly clientId?: string;
  /** Ask token services for refresh tokens. */
  readonly offlineToken?: boolean;
  /** Use the OAuth2 password grant (POST) with username/password credentials. */
  readonly forceOAuth?: boolean;
  /** `host[:port]` values that may receive credentials over plain HTTP (loopback always may). */
  readonly insecureHosts?: Iterable<string>;
  /** A Docker Hub API session: requests to its origin get its JWT. */
  readonly hub?: HubSession;
  /** Receives events (hosts, scopes and times only). */
  readonly onEvent?: AuthEventListener;
}

/** Options of {@link AuthMiddleware.ensureFresh}. @public */
export interface EnsureFreshOptions {
  /** The registry (any URL on it). */
  readonly url: string | URL;
  /** The scopes the coming requests need. */
  readonly scopes: readonly Scope[];
  /** Refresh when the token has less validity than this (default: 3 x the refresh margin). */
  readonly minValidityMs?: number;
  /** Cancels a token exchange. */
  readonly signal?: AbortSignal;
}

/** The auth middleware: a transport `Middleware` named `auth`, plus token housekeeping. @public */
export interface AuthMiddleware extends Middleware {
  readonly name: 'auth';
  /**
   * Makes sure the token for these scopes stays valid for a while, refreshing it now if not. Call
   * it between the chunks of a long upload so a push that outlives one token does not fail on a
   * one-shot chunk body. A no-op for hosts that did not ask for a bearer token.
   * @param options - registry, scopes, minimum validity
   * @returns when the token is fresh
   * @throws what the token exchange throws
   */
  ensureFresh(options: EnsureFreshOptions): Promise<void>;
  /** The cache holding this middleware's tokens. */
  readonly cache: TokenCache;
  /** Zeroes every token and every secret this middleware resolved or was given as a provider. */
  dispose(): void;
}

type HostState =
  | { readonly scheme: 'bearer'; readonly realm: string; readonly service: string }
  | { readonly scheme: 'basic' };

interface Attempt {
  readonly request: TransportRequest;
  readonly token: RegistryToken | undefined;
  readonly credential: RegistryCredential | undefined;
}

function isProvider(value: AuthMiddlewareOptions['credentials']): value is CredentialProvider {
  return typeof value === 'function';
}

function providerFrom(
  value: AuthMiddlewareOptions['credentials'],
): CredentialProvider & { dispose?: () => void } {
  if (value === undefined) return createCredentialProvider();
  if (isProvider(value)) return value;
  const credential: RegistryCredential = 'kind' in value ? value : toCredential(value, 'explicit');
  return async () => Promise.resolve(credential);
}

function withHeader(req: TransportRequest, value: string): TransportRequest {
  return { ...req, headers: { ...req.headers, authorization: value } };
}

function basicValue(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

const HUB_LOGIN_PATHS = /^\/v2\/(auth\/token|users\/login|users\/2fa-login)\/?$/;

/**
 * Creates the auth middleware (house style C9: inside retry, so every attempt gets a fresh token;
 * outside redirect, so a cross-host hop drops `Authorization`).
 *
 * Behaviour:
 * - Once a host has challenged, later requests carry a cached bearer token (or Basic) up front.
 * - A 401 is answered by parsing `WWW-Authenticate`, obtaining a token for exactly the challenged
 *   scope (or Basic for a Basic challenge), evicting a refused cached token, and retrying once,
 *   only when the body is replayable.
 * - When the retry is refused too, it throws {@link AuthenticationError} (or
 *   {@link AuthorizationError} for `insufficient_scope` with credentials); a 401 without a usable
 *   challenge is returned as is.
 *
 * Where credentials go: the registry's credential is sent (a) as Basic only to the origin of the
 * registry that challenged Basic, and (b) to the token realm that registry's Bearer challenge
 * named, as the token protocol requires; in both cases only over HTTPS, to loopback, or to a host
 * in `insecureHosts`. Tokens go only to the registry origin they were obtained for. Requests that
 * already carry `Authorization` are left alone.
 * @param options - credentials, token transport, clock, cache and hub session
 * @returns the middleware
 * @example
 * ```ts
 * const transport = createTransport();
 * const auth = createAuthMiddleware({ transportNext: (req) => transport.request(req) });
 * transport.use(auth, { before: 'redirect' });
 * ```
 * @public
 */
export function createAuthMiddleware(options: AuthMiddlewareOptions = {}): AuthMiddleware {
  const clock = options.clock ?? systemClock;
  const margin = options.refreshMarginMs ?? 10_000;
  const cache = options.cache ?? new TokenCache({ clock, refreshMarginMs: margin });
  const provider = providerFrom(options.credentials);
  const insecureHosts = new Set([...(options.insecureHosts ?? [])].map((h) => h.toLowerCase()));
  const hosts = new Map<string, HostState>();
  const emit = options.onEvent ?? (() => undefined);
  let lastNext: Next | undefined;
  const refreshTokens = new Map<string, Secret>();
  const retiredSecrets: Secret[] = [];

  function tokenKey(
    state: Extract<HostState, { scheme: 'bearer' }>,
    credential: RegistryCredential,
    scopes: readonly Scope[],
  ): TokenCacheKey {
    return { realm: state.realm, service: state.service, account: accountOf(credential), scopes };
  }

  interface Need {
    readonly state: Extract<HostState, { scheme: 'bearer' }>;
    readonly credential: RegistryCredential;
    readonly scopes: readonly Scope[];
    readonly signal: AbortSignal | undefined;
  }

  async function obtain(need: Need, force: boolean): Promise<RegistryToken> {
    const { state, credential, scopes, signal } = need;
    const key = tokenKey(state, credential, scopes);
    const refreshKey = `${state.realm}\n${state.service}\n${key.account}`;
    const exchange = async (using: RegistryCredential): Promise<RegistryToken> => {
      const request: TokenRequest = {
        realm: state.realm,
        service: state.service,
        scopes,
        credential: using,
        insecureHosts,
        ...(options.clientId === undefined ? {} : { clientId: options.clientId }),
        ...(options.offlineToken === undefined ? {} : { offlineToken: options.offlineToken }),
        ...(options.forceOAuth === undefined ? {} : { forceOAuth: options.forceOAuth }),
        ...(signal === undefined ? {} : { signal }),
      };
      if (options.fetchToken !== undefined) return options.fetchToken(request);
      const send = options.transportNext ?? lastNext;
      if (send === undefined)
        throw new AuthenticationError('no transport to reach the token service yet', {
          status: 401,
        });
      return fetchRegistryToken(request, { send, clock });
    };
    const fetch = async (): Promise<RegistryToken> => {
      // A refresh token from an earlier exchange (offlineToken) is used with the OAuth2
      // refresh_token grant; when the service refuses it, the original credential is used again.
      const stored = credential.kind === 'basic' ? refreshTokens.get(refreshKey) : undefined;
      let token: RegistryToken;
      if (stored === undefined) token = await exchange(credential);
      else {
        try {
          token = await exchange({
            kind: 'identity-token',
            username: key.account,
            token: stored,
            source: credential.source,
          });
        } catch (err) {
          if (!(err instanceof AuthenticationError)) throw err;
          refreshTokens.delete(refreshKey);
          retiredSecrets.push(stored);
          token = await exchange(credential);
        }
      }
      if (
        token.refreshToken !== undefined &&
        !token.refreshToken.disposed &&
        credential.kind === 'basic'
      ) {
        const old = refreshTokens.get(refreshKey);
        if (old !== undefined) retiredSecrets.push(old);
        // A copy: the cache zeroes the token's own refresh token when it retires the token.
        refreshTokens.set(refreshKey, new Secret(token.refreshToken.reveal()));
      }
      emit({
        type: 'token',
        realmHost: new URL(state.realm).host,
        scopes: scopes.map(formatScope),
        expiresAt: token.expiresAt,
        account: key.account,
      });
      return token;
    };
    return force ? cache.refresh(key, fetch) : cache.getOrFetch(key, fetch);
  }

  async function authorize(req: TransportRequest, scopes: readonly Scope[]): Promise<Attempt> {
    const state = hosts.get(req.url.origin);
    if (state === undefined) return { request: req, token: undefined, credential: undefined };
    const credential = await provider(req.url.host, req.signal);
    if (credential.kind === 'registry-token') {
      assertSecure(req.url, insecureHosts);
      return {
        request: withHeader(req, `Bearer ${credential.token.reveal()}`),
        token: undefined,
        credential,
      };
    }
    if (state.scheme === 'basic') {
      if (credential.kind !== 'basic') return { request: req, token: undefined, credential };
      assertSecure(req.url, insecureHosts);
      return {
        request: withHeader(req, basicValue(credential.username, credential.password.reveal())),
        token: undefined,
        credential,
      };
    }
    if (credential.kind !== 'anonymous') assertSecure(req.url, insecureHosts);
    const token = await obtain({ state, credential, scopes, signal: req.signal }, false);
    return { request: withHeader(req, `Bearer ${token.token.reveal()}`), token, credential };
  }

  function remember(origin: string, challenge: AuthChallenge): void {
    if (challenge.scheme === 'basic') hosts.set(origin, { scheme: 'basic' });
    else
      hosts.set(origin, {
        scheme: 'bearer',
        realm: challenge.params['realm'] ?? '',
        service: challenge.params['service'] ?? '',
      });
  }

  async function refusal(
    res: TransportResponse,
    req: TransportRequest,
    ctx: { challenge: AuthChallenge; attempt: Attempt; why?: string },
  ): Promise<DockerHubError> {
    const { challenge, attempt, why } = ctx;
    const body = await readJson(res);
    const registryErrors = registryErrorsOf(body);
    const host = req.url.host;
    const credential = attempt.credential;
    const scope = challenge.params['scope'] ?? '';
    const scopeText = scope === '' ? '' : ` for ${scope}`;
    let error: DockerHubError;
    if (why !== undefined) {
      error = new AuthenticationError(`${host}: authentication required${scopeText}, but ${why}`, {
        status: 401,
        registryErrors,
      });
    } else if (credential === undefined || credential.kind === 'anonymous') {
      error = new AuthenticationError(
        `${host}: anonymous access refused${scopeText} (the repository is private, does not exist, or needs credentials; none are configured for ${host})`,
        { status: 401, registryErrors },
      );
    } else if (challenge.params['error'] === 'insufficient_scope') {
      error = new AuthorizationError(
        `${host}: the credentials of "${accountOf(credential)}" (from ${credential.source}) do not grant access${scopeText}`,
        { status: 401 },
      );
    } else {
      const who =
        accountOf(credential) === ''
          ? 'the configured token'
          : `the credentials of "${accountOf(credential)}"`;
      error = new AuthenticationError(
        `${host}: ${who} (from ${credential.source}) were refused${scopeText}`,
        { status: 401, registryErrors },
      );
    }
    emit({ type: 'refused', host, status: 401, reason: error.code });
    return error;
  }

  async function handleHub(
    req: TransportRequest,
    next: Next,
    hub: HubSession,
  ): Promise<TransportResponse> {
    if (HUB_LOGIN_PATHS.test(req.url.pathname)) return next(req);
    assertSecure(req.url, insecureHosts);
    const first = await next(withHeader(req, `Bearer ${(await hub.token(req.signal)).reveal()}`));
    if (first.status !== 401 || !isReplayable(req.body)) return first;
    await first.dump();
    hub.invalidate();
    emit({ type: 'retry', host: req.url.host, reason: 'expired' });
    const second = await next(withHeader(req, `Bearer ${(await hub.token(req.signal)).reveal()}`));
    if (second.status !== 401) return second;
    throw hubErrorFromResponse(
      401,
      await readJson(second),
      `Docker Hub API ${req.method} ${req.url.pathname}`,
    );
  }

  async function handle(req: TransportRequest, next: Next): Promise<TransportResponse> {
    lastNext = next;
    if (req.context?.[SKIP_AUTH] === true || req.headers['authorization'] !== undefined)
      return next(req);
    const hub = options.hub;
    if (hub?.origin === req.url.origin) return handleHub(req, next, hub);
    const needed = scopesForRequest(req);
    const first = await authorize(req, needed);
    const res = await next(first.request);
    if (res.status !== 401) return res;
    const challenge = selectChallenge(parseWwwAuthenticate(res.headers['www-authenticate']));
    if (challenge === undefined) return res;
    if (first.token !== undefined) cache.evict(first.token);
    const challenged = tryParseScopes(challenge.params['scope']);
    emit({
      type: 'challenge',
      host: req.url.host,
      scheme: challenge.scheme,
      scopes: challenged.map(formatScope),
      error: challenge.params['error'],
    });
    remember(req.url.origin, challenge);
    if (!isReplayable(req.body)) {
      throw await refusal(res, req, {
        challenge,
        attempt: first,
        why: 'the request body is a one-shot stream and cannot be sent again; call ensureFresh() before streaming',
      });
    }
    const second = await authorize(req, challenged.length > 0 ? challenged : needed);
    if (second.credential !== undefined && second.request.headers['authorization'] === undefined) {
      throw await refusal(res, req, {
        challenge,
        attempt: second,
        why: `no ${challenge.scheme === 'basic' ? 'username/password' : 'usable'} credentials are configured for ${req.url.host}`,
      });
    }
    await res.dump();
    emit({ type: 'retry', host: req.url.host, reason: 'challenge' });
    const retried = await next(second.request);
    if (retried.status !== 401) return retried;
    if (second.token !== undefined) cache.evict(second.token);
    const again =
      selectChallenge(parseWwwAuthenticate(retried.headers['www-authenticate'])) ?? challenge;
    throw await refusal(retried, req, { challenge: again, attempt: second });
  }

  return {
    name: 'auth',
    cache,
    handle,
    async ensureFresh(opts: EnsureFreshOptions): Promise<void> {
      const url = new URL(opts.url);
      const state = hosts.get(url.origin);
      if (state?.scheme !== 'bearer') return;
      const credential = await provider(url.host, opts.signal);
      if (credential.kind === 'registry-token') return;
      const token = cache.get(tokenKey(state, credential, opts.scopes));
      const minValidity = opts.minValidityMs ?? margin * 3;
      if (token !== undefined && token.expiresAt - clock.now() > minValidity) return;
      await obtain({ state, credential, scopes: opts.scopes, signal: opts.signal }, true);
    },
    dispose(): void {
      cache.dispose();
      for (const t of refreshTokens.values()) t.dispose();
      for (const t of retiredSecrets.splice(0)) t.dispose();
      refreshTokens.clear();
      hosts.clear();
      (provider as { dispose?: () => void }).dispose?.();
      options.hub?.dispose();
    },
  };
}
