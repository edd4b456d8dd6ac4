import { randomUUID } from 'node:crypto';
import { signJwt, verifyJwt } from '../token-service/jwt.js';
import { authenticate, type SimulatorUser } from '../token-service/users.js';
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

function mint(
  options: HubAuthOptions,
  user: SimulatorUser,
  ttl: number,
  use: 'access' | 'refresh',
): string {
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
    },
    options.key,
  );
}

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
): SimulatorUser | undefined | 'invalid' {
  const m = /^(?:bearer|jwt)\s+(\S+)$/i.exec(header ?? '');
  if (m?.[1] === undefined) return undefined;
  const claims = verifyJwt(m[1], options.key);
  if (claims?.aud !== HUB_AUDIENCE || claims.use !== 'access' || claims.exp <= options.now() / 1000)
    return 'invalid';
  return options.users.find((u) => u.name === claims.sub) ?? 'invalid';
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

/**
 * `POST /v2/auth/token` (`identifier`/`secret` to a 10-minute JWT), `POST /v2/users/login` (with the
 * 2FA branch) and `POST /v2/users/2fa-login`.
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
  if (route === 'token') {
    const user = authenticate(options.users, str(b['identifier']), str(b['secret']));
    if (user === undefined)
      return hubJson(401, { errinfo: {}, detail: BAD_CREDENTIALS, message: BAD_CREDENTIALS });
    return hubJson(200, { access_token: mint(options, user, 600, 'access') });
  }
  if (route === 'login') {
    const user = authenticate(options.users, str(b['username']), str(b['password']));
    if (user === undefined) return hubJson(401, { detail: BAD_CREDENTIALS });
    if (user.twoFactorCode !== undefined) {
      return hubJson(401, {
        detail: SECOND_FACTOR,
        login_2fa_token: mint(options, user, 300, 'refresh'),
      });
    }
    return hubJson(200, {
      token: mint(options, user, 3600, 'access'),
      refresh_token: mint(options, user, 86_400, 'refresh'),
    });
  }
  const claims = verifyJwt(str(b['login_2fa_token']), options.key);
  const user =
    claims?.use === 'refresh' && claims.exp > options.now() / 1000
      ? options.users.find((u) => u.name === claims.sub)
      : undefined;
  if (user?.twoFactorCode === undefined || user.twoFactorCode !== str(b['code']))
    return hubJson(401, { detail: BAD_CREDENTIALS });
  return hubJson(200, {
    token: mint(options, user, 3600, 'access'),
    refresh_token: mint(options, user, 86_400, 'refresh'),
  });
}
