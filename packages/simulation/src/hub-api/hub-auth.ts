import { randomUUID } from 'node:crypto';
import { signJwt, verifyJwt } from '../token-service/jwt.js';
import {
  type AccessTokenScope,
  authenticateWith,
  type SimulatorUser,
} from '../token-service/users.js';
import { hubJson } from './hub-response.js';

/** Hub JWT audience (distinct from registry tokens, as on Docker Hub). @internal */
export const HUB_AUDIENCE = 'hub.docker.com';
const SECOND_FACTOR = 'Require secondary authentication on MFA enabled account';
const BAD_CREDENTIALS = 'Incorrect authentication credentials';

/** What the Hub login routes need. @internal */
export interface HubAuthOptions {
  readonly users: readonly SimulatorUser[];
  readonly now: () => number;
  readonly key: Uint8Array;
}

/** What a minted Hub JWT is: lifetime, use, and the access-token scope it came from. */
interface MintSpec {
  readonly ttl: number;
  readonly use: 'access' | 'refresh';
  readonly scope?: AccessTokenScope | undefined;
}

function mint(options: HubAuthOptions, user: SimulatorUser, spec: MintSpec): string {
  const { ttl, use, scope } = spec;
  const iat = Math.floor(options.now() / 1000);
  return signJwt(
    {
      iss: 'hub-simulation',
      sub: user.name,
      aud: HUB_AUDIENCE,
      exp: iat + ttl,
      nbf: iat - 1,
      iat,
      jti: randomUUID(),
      access: [],
      use,
      gen: 0,
      ...(scope === undefined ? {} : { scope }),
    },
    options.key,
  );
}

/** Who called the Hub API with a valid JWT, and the access-token scope it came from (if any). @internal */
export interface HubCaller {
  readonly user: SimulatorUser;
  /** Undefined when the JWT came from a password login (every scope). */
  readonly tokenScope: AccessTokenScope | undefined;
}

const SCOPES: readonly string[] = ['repo:public_read', 'repo:read', 'repo:write', 'repo:admin'];
const isScope = (v: unknown): v is AccessTokenScope => typeof v === 'string' && SCOPES.includes(v);

/**
 * The account behind `Authorization: Bearer <hub jwt>`, if valid.
 * @param options - users, clock, key
 * @param header - the Authorization header
 * @returns the user, `undefined` when anonymous, or `'invalid'`
 * @internal
 */
export function hubAccount(
  options: HubAuthOptions,
  header: string | null,
): HubCaller | undefined | 'invalid' {
  const m = /^(?:bearer|jwt)\s+(\S+)$/i.exec(header ?? '');
  if (m?.[1] === undefined) return undefined;
  const claims = verifyJwt(m[1], options.key);
  if (claims?.aud !== HUB_AUDIENCE || claims.use !== 'access' || claims.exp <= options.now() / 1000)
    return 'invalid';
  const user = options.users.find((u) => u.name === claims.sub);
  if (user === undefined) return 'invalid';
  return { user, tokenScope: isScope(claims.scope) ? claims.scope : undefined };
}

async function body(request: Request): Promise<Record<string, unknown>> {
  try {
    const value: unknown = await request.json();
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const str = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';

function twoFactorChallenge(options: HubAuthOptions, user: SimulatorUser): Response {
  return hubJson(401, {
    detail: SECOND_FACTOR,
    login_2fa_token: mint(options, user, { ttl: 300, use: 'refresh' }),
  });
}

/**
 * `POST /v2/auth/token` (`identifier`/`secret` to a 10-minute JWT), `POST /v2/users/login`, and
 * `POST /v2/users/2fa-login`. For an account with a second factor, a password login on either
 * route answers 401 with a `login_2fa_token`, which `/v2/users/2fa-login` trades with the code
 * for a JWT; an access token logs in directly, and its JWT carries the token's scope.
 * @param options - users, clock, key
 * @param route - which of the three
 * @param request - the request
 * @returns the answer
 * @internal
 */
export async function hubLogin(
  options: HubAuthOptions,
  route: 'token' | 'login' | '2fa',
  request: Request,
): Promise<Response> {
  const b = await body(request);
  if (route === '2fa') return secondFactor(options, b);
  const found =
    route === 'token'
      ? authenticateWith(options.users, str(b['identifier']), str(b['secret']))
      : authenticateWith(options.users, str(b['username']), str(b['password']));
  if (found === undefined) {
    return route === 'token'
      ? hubJson(401, { errinfo: {}, detail: BAD_CREDENTIALS, message: BAD_CREDENTIALS })
      : hubJson(401, { detail: BAD_CREDENTIALS });
  }
  const { user, tokenScope } = found;
  if (user.twoFactorCode !== undefined && tokenScope === undefined)
    return twoFactorChallenge(options, user);
  if (route === 'token')
    return hubJson(200, {
      access_token: mint(options, user, { ttl: 600, use: 'access', scope: tokenScope }),
    });
  return hubJson(200, {
    token: mint(options, user, { ttl: 3600, use: 'access', scope: tokenScope }),
    refresh_token: mint(options, user, { ttl: 86_400, use: 'refresh' }),
  });
}

function secondFactor(options: HubAuthOptions, b: Record<string, unknown>): Response {
  const claims = verifyJwt(str(b['login_2fa_token']), options.key);
  const user =
    claims?.use === 'refresh' && claims.exp > options.now() / 1000
      ? options.users.find((u) => u.name === claims.sub)
      : undefined;
  if (user?.twoFactorCode === undefined || user.twoFactorCode !== str(b['code']))
    return hubJson(401, { detail: BAD_CREDENTIALS });
  return hubJson(200, {
    token: mint(options, user, { ttl: 3600, use: 'access' }),
    refresh_token: mint(options, user, { ttl: 86_400, use: 'refresh' }),
  });
}
