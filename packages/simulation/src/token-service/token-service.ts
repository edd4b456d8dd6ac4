import { randomUUID } from 'node:crypto';
import { jsonResponse } from '../registry/errors.js';
import { grantedActions, type AccessPolicyOptions } from './access-policy.js';
import { signJwt, verifyJwt, type AccessEntry, type TokenClaims } from './jwt.js';
import { tryParseScopes, type Scope } from '@llmdevops/docker-hub-core';
import {
  type AccessTokenScope,
  authenticateWith,
  parseBasic,
  type SimulatorUser,
} from './users.js';

/** Options of {@link TokenService}. @internal */
export interface TokenServiceOptions {
  readonly users: readonly SimulatorUser[];
  readonly policy: AccessPolicyOptions;
  readonly now: () => number;
  readonly key: Uint8Array;
  /** Token lifetime in seconds. */
  readonly expiresIn: number;
  readonly service: string;
}

const ISSUER = 'docker-hub-simulation';

/**
 * The token endpoint (`GET`/`POST /token`, auth.docker.io's shape) and token verification.
 * Tokens are HS256 JWTs; clients treat them as opaque.
 * @internal
 */
export class TokenService {
  private generation = 0;
  /** Every request the endpoint answered (grant type, account, scopes, status). */
  readonly log: {
    method: string;
    account?: string;
    grantType: string;
    scopes: string[];
    status: number;
  }[] = [];

  constructor(private readonly options: TokenServiceOptions) {}

  /** Makes every token issued so far fail with `invalid_token` (the "expires early" fault). */
  expireAll(): void {
    this.generation += 1;
  }

  /**
   * Verifies a bearer token.
   * @param token - the JWT
   * @returns its claims, or `undefined` when invalid, expired or revoked
   */
  verify(token: string): TokenClaims | undefined {
    const claims = verifyJwt(token, this.options.key);
    const nowSec = Math.floor(this.options.now() / 1000);
    if (claims?.use !== 'access' || claims.gen !== this.generation) return undefined;
    if (claims.exp <= nowSec || claims.aud !== this.options.service) return undefined;
    return claims;
  }

  private sign(
    user: SimulatorUser | undefined,
    access: AccessEntry[],
    use: 'access' | 'refresh',
  ): string {
    const iat = Math.floor(this.options.now() / 1000);
    const ttl = use === 'refresh' ? 30 * 86_400 : this.options.expiresIn;
    return signJwt(
      {
        iss: ISSUER,
        sub: user?.name ?? '',
        aud: this.options.service,
        exp: iat + ttl,
        nbf: iat - 1,
        iat,
        jti: randomUUID(),
        access,
        use,
        gen: this.generation,
      },
      this.options.key,
    );
  }

  private grant(
    user: SimulatorUser | undefined,
    scopes: Scope[],
    tokenScope: AccessTokenScope | undefined,
  ): AccessEntry[] {
    const merged = new Map<string, Scope>();
    for (const s of scopes) {
      const key = `${s.type}:${s.name}`;
      const prev = merged.get(key);
      merged.set(key, { ...s, actions: [...new Set([...(prev?.actions ?? []), ...s.actions])] });
    }
    return [...merged.values()].map((s) => ({
      type: s.type,
      name: s.name,
      actions: grantedActions(this.options.policy, user, s, tokenScope),
    }));
  }

  private reply(
    user: SimulatorUser | undefined,
    scopes: Scope[],
    offline: boolean,
    more: { extra?: Record<string, unknown>; tokenScope?: AccessTokenScope | undefined } = {},
  ): Response {
    const { extra = {}, tokenScope } = more;
    const token = this.sign(user, this.grant(user, scopes, tokenScope), 'access');
    const body: Record<string, unknown> = {
      token,
      access_token: token,
      expires_in: this.options.expiresIn,
      issued_at: new Date(this.options.now()).toISOString(),
      ...extra,
    };
    if (offline && user !== undefined) body['refresh_token'] = this.sign(user, [], 'refresh');
    return jsonResponse(200, body);
  }

  private refused(method: string, grantType: string, scopes: string[]): Response {
    this.log.push({ method, grantType, scopes, status: 401 });
    return jsonResponse(401, { details: 'incorrect username or password' });
  }

  /**
   * Answers `GET /token` (anonymous or Basic) and `POST /token` (password or refresh_token grant).
   * @param request - the request
   * @returns the token response or 401
   */
  async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (request.method === 'GET') {
      const rawScopes = url.searchParams
        .getAll('scope')
        .flatMap((s) => s.split(' '))
        .filter((s) => s !== '');
      const basic = parseBasic(request.headers.get('authorization'));
      const found =
        basic === undefined
          ? undefined
          : authenticateWith(this.options.users, basic.name, basic.password);
      const user = found?.user;
      if (basic !== undefined && user === undefined) return this.refused('GET', 'basic', rawScopes);
      const scopes = rawScopes.flatMap((s) => tryParseScopes(s));
      this.log.push({
        method: 'GET',
        ...(user ? { account: user.name } : {}),
        grantType: user ? 'basic' : 'anonymous',
        scopes: rawScopes,
        status: 200,
      });
      return this.reply(user, scopes, url.searchParams.get('offline_token') === 'true', {
        tokenScope: found?.tokenScope,
      });
    }
    if (request.method !== 'POST') return jsonResponse(405, { details: 'method not allowed' });
    const form = new URLSearchParams(await request.text());
    const grantType = form.get('grant_type') ?? '';
    const rawScopes = (form.get('scope') ?? '').split(' ').filter((s) => s !== '');
    const scopes = rawScopes.flatMap((s) => tryParseScopes(s));
    let user: SimulatorUser | undefined;
    let tokenScope: AccessTokenScope | undefined;
    if (grantType === 'password') {
      const found = authenticateWith(
        this.options.users,
        form.get('username') ?? '',
        form.get('password') ?? '',
      );
      user = found?.user;
      tokenScope = found?.tokenScope;
    } else if (grantType === 'refresh_token') {
      const claims = verifyJwt(form.get('refresh_token') ?? '', this.options.key);
      user =
        claims?.use === 'refresh' && claims.exp > this.options.now() / 1000
          ? this.options.users.find((u) => u.name === claims.sub)
          : undefined;
    }
    if (user === undefined) return this.refused('POST', grantType, rawScopes);
    this.log.push({
      method: 'POST',
      account: user.name,
      grantType,
      scopes: rawScopes,
      status: 200,
    });
    const offline = grantType === 'refresh_token' || form.get('access_type') === 'offline';
    return this.reply(user, scopes, offline, { extra: { scope: rawScopes.join(' ') }, tokenScope });
  }
}
