import { createHash, timingSafeEqual } from 'node:crypto';

/** An account of the simulated registry and Hub. @public */
export interface SimulatorUser {
  readonly name: string;
  readonly password: string;
  /**
   * Namespaces this user may push to and delete in (default: every namespace). Pulls of public
   * repositories are open to everyone; private ones need the namespace.
   */
  readonly namespaces?: readonly string[];
  /**
   * When set, Hub logins with the password (`/v2/auth/token` or `/v2/users/login`) answer with a
   * 2FA challenge (`login_2fa_token`) and need this code through `/v2/users/2fa-login`. Access
   * tokens need no second factor.
   */
  readonly twoFactorCode?: string;
  /**
   * Personal access tokens accepted in place of the password. A plain string has every scope
   * (`repo:admin`); a {@link SimulatorAccessToken} carries its scope, which the Hub API enforces.
   */
  readonly accessTokens?: readonly (string | SimulatorAccessToken | HashedAccessToken)[];
}

/** An access token known only by the sha256 (hex) of its secret (tokens created through the Hub API). @public */
export interface HashedAccessToken {
  /** sha256 of the token text, lower-case hex. */
  readonly sha256: string;
  /** What it may do. */
  readonly scope: AccessTokenScope;
  /** Called when a login uses it (the Hub API's `last_used`). */
  readonly onUse?: () => void;
}

/**
 * Docker Hub's access-token scopes, narrowest first; a wider scope implies the narrower ones.
 * @public
 */
export type AccessTokenScope = 'repo:public_read' | 'repo:read' | 'repo:write' | 'repo:admin';

/** A personal access token with its scope. @public */
export interface SimulatorAccessToken {
  /** The token text, e.g. `dckr_pat_...`. */
  readonly token: string;
  /** What it may do on the Hub API: `repo:write` creates repositories, `repo:admin` deletes tags. */
  readonly scope: AccessTokenScope;
}

const SCOPE_RANK: Readonly<Record<AccessTokenScope, number>> = {
  'repo:public_read': 0,
  'repo:read': 1,
  'repo:write': 2,
  'repo:admin': 3,
};

/**
 * Whether a credential's scope covers what a call needs (a password has every scope).
 * @param held - the access token's scope, or undefined for a password
 * @param needed - the scope the call needs
 * @returns true when allowed
 * @internal
 */
export function scopeAllows(held: AccessTokenScope | undefined, needed: AccessTokenScope): boolean {
  return held === undefined || SCOPE_RANK[held] >= SCOPE_RANK[needed];
}

/** Who a secret authenticated, and with what: the password, or an access token and its scope. @internal */
export interface Authenticated {
  readonly user: SimulatorUser;
  /** The access token's scope; undefined when the secret was the password. */
  readonly tokenScope: AccessTokenScope | undefined;
}

const same = (a: string, b: string): boolean => {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
};

/**
 * Finds the user whose password (or access token) matches, in constant time per comparison.
 * @param users - configured users
 * @param name - the account name
 * @param secret - password or access token
 * @returns the user, or `undefined`
 * @internal
 */
export function authenticate(
  users: readonly SimulatorUser[],
  name: string,
  secret: string,
): SimulatorUser | undefined {
  return authenticateWith(users, name, secret)?.user;
}

/**
 * Like {@link authenticate}, and says whether the secret was the password or an access token
 * (with its scope).
 * @param users - configured users
 * @param name - the account name
 * @param secret - password or access token
 * @returns the user and the token scope, or `undefined`
 * @internal
 */
export function authenticateWith(
  users: readonly SimulatorUser[],
  name: string,
  secret: string,
): Authenticated | undefined {
  const user = users.find((u) => u.name === name);
  if (user === undefined) return undefined;
  // Every comparison runs, so timing does not tell which kind of secret matched.
  const password = same(user.password, secret);
  let tokenScope: AccessTokenScope | undefined;
  const secretHash = createHash('sha256').update(secret).digest();
  for (const t of user.accessTokens ?? []) {
    const entry = typeof t === 'string' ? { token: t, scope: 'repo:admin' as const } : t;
    const match =
      'sha256' in entry
        ? /^[0-9a-f]{64}$/.test(entry.sha256) &&
          timingSafeEqual(Buffer.from(entry.sha256, 'hex'), secretHash)
        : same(entry.token, secret);
    if (match) {
      tokenScope ??= entry.scope;
      const onUse = 'sha256' in entry ? entry.onUse : undefined;
      onUse?.();
    }
  }
  if (password) return { user, tokenScope: undefined };
  return tokenScope === undefined ? undefined : { user, tokenScope };
}

/**
 * Parses `Authorization: Basic ...`.
 * @param header - the header value
 * @returns name and password, or `undefined`
 * @internal
 */
export function parseBasic(header: string | null): { name: string; password: string } | undefined {
  const m = /^basic\s+(\S+)$/i.exec(header ?? '');
  if (m?.[1] === undefined) return undefined;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const i = text.indexOf(':');
  return i < 0 ? undefined : { name: text.slice(0, i), password: text.slice(i + 1) };
}

/**
 * A stable dashed UUID for an account (Docker Hub shows the account id in `docker-ratelimit-source`).
 * @param name - account name
 * @returns the id
 * @internal
 */
export function accountId(name: string): string {
  const h = createHash('sha256').update(`account:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
