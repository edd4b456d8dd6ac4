import {
  type Middleware,
  type Next,
  type TransportRequest,
  type TransportResponse,
} from '@llmdevops/docker-hub-transport';
import { TokenCache } from '../cache/token-cache.js';
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
  type CredentialInput,
  type RegistryCredential,
  toCredential,
} from '../credentials/types.js';
import { type HubSession } from '../hub/hub-login.js';
import { systemClock, type Clock } from '@llmdevops/docker-hub-core';
import { isReplayable } from '@llmdevops/docker-hub-transport';
import { assertRealmAllowed, assertSecure, SKIP_AUTH } from '../internal/http.js';
import { AUTH_MIDDLEWARE_RULES } from '../internal/options.js';
import { formatScope, type Scope, tryParseScopes, validateOptions } from '@llmdevops/docker-hub-core';
import { type TokenRequest } from '../token/token-client.js';
import { type RegistryToken } from '../token/token-response.js';
import { type AuthEventListener } from './auth-events.js';
import { sendHubRequest } from './hub-requests.js';
import { refusalError, type RefusalContext } from './refusal.js';
import { scopesForRequest } from './request-scopes.js';
import { type BearerRealm, TokenAcquirer } from './token-acquirer.js';

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
  readonly clock?: Pick<Clock, 'now'>;
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

type HostState = ({ readonly scheme: 'bearer' } & BearerRealm) | { readonly scheme: 'basic' };

interface Attempt {
  readonly request: TransportRequest;
  readonly token: RegistryToken | undefined;
  readonly credential: RegistryCredential | undefined;
}

function providerFrom(
  value: AuthMiddlewareOptions['credentials'],
): CredentialProvider & { dispose?: () => void } {
  if (value === undefined) return createCredentialProvider();
  if (typeof value === 'function') return value;
  const credential: RegistryCredential = 'kind' in value ? value : toCredential(value, 'explicit');
  return async () => Promise.resolve(credential);
}

function withHeader(req: TransportRequest, value: string): TransportRequest {
  return { ...req, headers: { ...req.headers, authorization: value } };
}

function basicValue(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

function hostStateOf(challenge: AuthChallenge): HostState {
  if (challenge.scheme === 'basic') return { scheme: 'basic' };
  return {
    scheme: 'bearer',
    realm: challenge.params['realm'] ?? '',
    service: challenge.params['service'] ?? '',
  };
}

/**
 * Creates the auth middleware (inside retry, so every attempt gets a fresh token;
 * outside redirect, so a cross-host hop drops `Authorization`).
 *
 * Behaviour:
 * - Once a host has challenged, later requests carry a cached bearer token (or Basic) up front.
 * - A 401 is answered by parsing `WWW-Authenticate`, obtaining a token for exactly the challenged
 *   scope (or Basic for a Basic challenge), evicting a refused cached token, and retrying once,
 *   only when the body is replayable.
 * - When the retry is refused too, it throws {@link @llmdevops/docker-hub-core!AuthenticationError | AuthenticationError} (or
 *   {@link @llmdevops/docker-hub-core!AuthorizationError | AuthorizationError} for `insufficient_scope` with credentials); a 401 without a usable
 *   challenge is returned as is.
 *
 * Where credentials go: the registry's credential is sent (a) as Basic only to the origin of the
 * registry that challenged Basic, and (b) to the token realm that registry's Bearer challenge
 * named, as the token protocol requires; in both cases only over HTTPS, to loopback, or to a host
 * in `insecureHosts`. Tokens go only to the registry origin they were obtained for. Requests that
 * already carry `Authorization` are left alone.
 * @param options - credentials, token transport, clock, cache and hub session
 * @returns the middleware
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} naming every unknown option and every value of the wrong type
 * @example
 * ```ts
 * const transport = createTransport();
 * const auth = createAuthMiddleware({ transportNext: (req) => transport.request(req) });
 * transport.use(auth, { before: 'redirect' });
 * ```
 * @public
 */
export function createAuthMiddleware(options: AuthMiddlewareOptions = {}): AuthMiddleware {
  validateOptions('createAuthMiddleware options', options, AUTH_MIDDLEWARE_RULES);
  const clock = options.clock ?? systemClock;
  const margin = options.refreshMarginMs ?? 10_000;
  const cache = options.cache ?? new TokenCache({ clock, refreshMarginMs: margin });
  const provider = providerFrom(options.credentials);
  const insecureHosts = new Set([...(options.insecureHosts ?? [])].map((h) => h.toLowerCase()));
  const hosts = new Map<string, HostState>();
  const emit: AuthEventListener = options.onEvent ?? (() => undefined);
  const tokens = new TokenAcquirer({
    cache,
    clock,
    insecureHosts,
    emit,
    transportNext: options.transportNext,
    fetchToken: options.fetchToken,
    clientId: options.clientId,
    offlineToken: options.offlineToken,
    forceOAuth: options.forceOAuth,
  });

  async function authorize(req: TransportRequest, scopes: readonly Scope[]): Promise<Attempt> {
    const state = hosts.get(req.url.origin);
    if (state === undefined) return { request: req, token: undefined, credential: undefined };
    // A request assigned to one account (a shared pull budget's credential pool) asks for it.
    const account = req.context?.['account'];
    const credential = await provider(req.url.host, req.signal, typeof account === 'string' ? { account } : undefined);
    const plain = { request: req, token: undefined, credential };
    if (credential.kind === 'registry-token') {
      assertSecure(req.url, insecureHosts);
      return { ...plain, request: withHeader(req, `Bearer ${credential.token.reveal()}`) };
    }
    if (state.scheme === 'basic') {
      if (credential.kind !== 'basic') return plain;
      assertSecure(req.url, insecureHosts);
      return {
        ...plain,
        request: withHeader(req, basicValue(credential.username, credential.password.reveal())),
      };
    }
    if (credential.kind !== 'anonymous') assertSecure(req.url, insecureHosts);
    assertRealmAllowed(state.realm, req.url);
    const token = await tokens.obtain(
      { bearer: state, credential, scopes, signal: req.signal },
      false,
    );
    return { request: withHeader(req, `Bearer ${token.token.reveal()}`), token, credential };
  }

  async function refuse(
    res: TransportResponse,
    req: TransportRequest,
    ctx: RefusalContext,
  ): Promise<Error> {
    const error = await refusalError(res, req, ctx);
    emit({ type: 'refused', host: req.url.host, status: 401, reason: error.code });
    return error;
  }

  /** Answers a 401 once: new credentials for the challenged scope, one retry. */
  async function answer(
    req: TransportRequest,
    res: TransportResponse,
    first: Attempt,
    next: Next,
  ): Promise<TransportResponse> {
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
    hosts.set(req.url.origin, hostStateOf(challenge));
    if (!isReplayable(req.body)) {
      const why =
        'the request body is a one-shot stream and cannot be sent again; call ensureFresh() before streaming';
      throw await refuse(res, req, { challenge, credential: first.credential, why });
    }
    const second = await authorize(req, challenged.length > 0 ? challenged : scopesForRequest(req));
    if (second.credential !== undefined && second.request.headers['authorization'] === undefined) {
      const what = challenge.scheme === 'basic' ? 'username/password' : 'usable';
      throw await refuse(res, req, {
        challenge,
        credential: second.credential,
        why: `no ${what} credentials are configured for ${req.url.host}`,
      });
    }
    await res.dump();
    emit({ type: 'retry', host: req.url.host, reason: 'challenge' });
    const retried = await next(second.request);
    if (retried.status !== 401) return retried;
    if (second.token !== undefined) cache.evict(second.token);
    const again =
      selectChallenge(parseWwwAuthenticate(retried.headers['www-authenticate'])) ?? challenge;
    throw await refuse(retried, req, { challenge: again, credential: second.credential });
  }

  async function handle(req: TransportRequest, next: Next): Promise<TransportResponse> {
    tokens.fallbackNext = next;
    if (req.context?.[SKIP_AUTH] === true || req.headers['authorization'] !== undefined)
      return next(req);
    const hub = options.hub;
    if (hub?.origin === req.url.origin)
      return sendHubRequest(req, next, { hub, insecureHosts, onEvent: emit });
    const first = await authorize(req, scopesForRequest(req));
    const res = await next(first.request);
    return res.status === 401 ? answer(req, res, first, next) : res;
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
      const token = cache.get(tokens.key(state, credential, opts.scopes));
      const minValidity = opts.minValidityMs ?? margin * 3;
      if (token !== undefined && token.expiresAt - clock.now() > minValidity) return;
      assertRealmAllowed(state.realm, url);
      await tokens.obtain(
        { bearer: state, credential, scopes: opts.scopes, signal: opts.signal },
        true,
      );
    },
    dispose(): void {
      cache.dispose();
      tokens.dispose();
      hosts.clear();
      provider.dispose?.();
      options.hub?.dispose();
    },
  };
}
