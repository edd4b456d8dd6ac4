import { AuthenticationError, Secret } from '@llmdevops/docker-hub-core';
import { type Next } from '@llmdevops/docker-hub-transport';
import { type TokenCache, type TokenCacheKey } from '../cache/token-cache.js';
import { accountOf, type RegistryCredential } from '../credentials/types.js';
import { type Clock } from '@llmdevops/docker-hub-core';
import { formatScope, type Scope } from '@llmdevops/docker-hub-core';
import { fetchRegistryToken, type TokenRequest } from '../token/token-client.js';
import { type RegistryToken } from '../token/token-response.js';
import { type AuthEventListener } from './auth-events.js';

/** What a Bearer challenge said: where to get tokens. @internal */
export interface BearerRealm {
  readonly realm: string;
  readonly service: string;
}

/** One token need. @internal */
export interface TokenNeed {
  readonly bearer: BearerRealm;
  readonly credential: RegistryCredential;
  readonly scopes: readonly Scope[];
  readonly signal: AbortSignal | undefined;
}

/** Settings of a {@link TokenAcquirer}. @internal */
export interface TokenAcquirerOptions {
  readonly cache: TokenCache;
  readonly clock: Pick<Clock, 'now'>;
  readonly insecureHosts: ReadonlySet<string>;
  readonly emit: AuthEventListener;
  readonly transportNext: Next | undefined;
  readonly fetchToken: ((request: TokenRequest) => Promise<RegistryToken>) | undefined;
  readonly clientId: string | undefined;
  readonly offlineToken: boolean | undefined;
  readonly forceOAuth: boolean | undefined;
}

/**
 * Obtains registry tokens through the cache (single flight), and keeps refresh tokens from
 * offline exchanges so later exchanges use the OAuth2 `refresh_token` grant. @internal
 */
export class TokenAcquirer {
  /** The pipeline below the middleware, used when no `transportNext` was given. */
  fallbackNext: Next | undefined;
  readonly #o: TokenAcquirerOptions;
  readonly #refreshTokens = new Map<string, Secret>();
  readonly #retired: Secret[] = [];

  constructor(options: TokenAcquirerOptions) {
    this.#o = options;
  }

  /** The cache key of a need. */
  key(
    bearer: BearerRealm,
    credential: RegistryCredential,
    scopes: readonly Scope[],
  ): TokenCacheKey {
    return { realm: bearer.realm, service: bearer.service, account: accountOf(credential), scopes };
  }

  /** A cached fresh token, or a new one (`force`: always a new one). */
  async obtain(need: TokenNeed, force: boolean): Promise<RegistryToken> {
    const key = this.key(need.bearer, need.credential, need.scopes);
    const fetch = async (): Promise<RegistryToken> => this.#fetch(need, key);
    return force ? this.#o.cache.refresh(key, fetch) : this.#o.cache.getOrFetch(key, fetch);
  }

  /** Zeroes the refresh tokens. */
  dispose(): void {
    for (const t of this.#refreshTokens.values()) t.dispose();
    for (const t of this.#retired.splice(0)) t.dispose();
    this.#refreshTokens.clear();
  }

  async #exchange(need: TokenNeed, using: RegistryCredential): Promise<RegistryToken> {
    const o = this.#o;
    const request: TokenRequest = {
      realm: need.bearer.realm,
      service: need.bearer.service,
      scopes: need.scopes,
      credential: using,
      insecureHosts: o.insecureHosts,
      ...(o.clientId === undefined ? {} : { clientId: o.clientId }),
      ...(o.offlineToken === undefined ? {} : { offlineToken: o.offlineToken }),
      ...(o.forceOAuth === undefined ? {} : { forceOAuth: o.forceOAuth }),
      ...(need.signal === undefined ? {} : { signal: need.signal }),
    };
    if (o.fetchToken !== undefined) return o.fetchToken(request);
    const send = o.transportNext ?? this.fallbackNext;
    if (send === undefined) {
      throw new AuthenticationError('no transport to reach the token service yet', { status: 401 });
    }
    return fetchRegistryToken(request, { send, clock: o.clock });
  }

  async #fetch(need: TokenNeed, key: TokenCacheKey): Promise<RegistryToken> {
    const { credential } = need;
    const refreshKey = `${key.realm}\n${key.service}\n${key.account}`;
    // A refresh token from an earlier exchange (offlineToken) is used with the OAuth2
    // refresh_token grant; when the service refuses it, the original credential is used again.
    const stored = credential.kind === 'basic' ? this.#refreshTokens.get(refreshKey) : undefined;
    let token: RegistryToken;
    if (stored === undefined) token = await this.#exchange(need, credential);
    else {
      try {
        token = await this.#exchange(need, {
          kind: 'identity-token',
          username: key.account,
          token: stored,
          source: credential.source,
        });
      } catch (err) {
        if (!(err instanceof AuthenticationError)) throw err;
        this.#refreshTokens.delete(refreshKey);
        this.#retired.push(stored);
        token = await this.#exchange(need, credential);
      }
    }
    if (
      token.refreshToken !== undefined &&
      !token.refreshToken.disposed &&
      credential.kind === 'basic'
    ) {
      const old = this.#refreshTokens.get(refreshKey);
      if (old !== undefined) this.#retired.push(old);
      // A copy: the cache zeroes the token's own refresh token when it retires the token.
      this.#refreshTokens.set(refreshKey, new Secret(token.refreshToken.reveal()));
    }
    this.#o.emit({
      type: 'token',
      realmHost: new URL(key.realm).host,
      scopes: need.scopes.map(formatScope),
      expiresAt: token.expiresAt,
      account: key.account,
    });
    return token;
  }
}
