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
  /** When set, Hub logins need this TOTP code through `/v2/users/2fa-login`. */
  readonly twoFactorCode?: string;
  /** Personal access tokens accepted in place of the password. */
  readonly accessTokens?: readonly string[];
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
  const user = users.find((u) => u.name === name);
  if (user === undefined) return undefined;
  const ok = [user.password, ...(user.accessTokens ?? [])].some((s) => same(s, secret));
  return ok ? user : undefined;
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
