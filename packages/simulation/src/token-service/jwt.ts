import { createHmac, timingSafeEqual } from 'node:crypto';

/** One access entry of a registry token (distribution's claim shape). @public */
export interface AccessEntry {
  readonly type: string;
  readonly name: string;
  readonly actions: readonly string[];
}

/** Claims the simulator puts in its tokens. @internal */
export interface TokenClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string;
  readonly exp: number;
  readonly nbf: number;
  readonly iat: number;
  readonly jti: string;
  readonly access: readonly AccessEntry[];
  /** `access` or `refresh`. */
  readonly use: 'access' | 'refresh';
  /** Token generation; {@link Simulator.expireTokens} bumps it so older tokens fail early. */
  readonly gen: number;
  /** Hub JWTs obtained with an access token: that token's scope (absent for a password login). */
  readonly scope?: string;
}

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

/**
 * Signs claims as an HS256 JWT.
 * @param claims - the claims
 * @param key - the HMAC key
 * @returns the compact JWT
 * @internal
 */
export function signJwt(claims: TokenClaims, key: Uint8Array): string {
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

/**
 * Whether a JWT segment is canonical base64url (RFC 7515): only `A-Z a-z 0-9 - _`, no padding,
 * and unused bits zero, so exactly one text encodes each byte string. Node's decoder is lenient
 * (it skips `=`, `+`, `/` and stray characters), which would accept altered tokens.
 * @param segment - one dot-separated part
 * @returns true when canonical
 * @internal
 */
export function isStrictBase64url(segment: string): boolean {
  if (!/^[A-Za-z0-9_-]*$/.test(segment) || segment.length % 4 === 1) return false;
  return Buffer.from(segment, 'base64url').toString('base64url') === segment;
}

/**
 * Verifies an HS256 JWT's signature (not its times) and returns its claims.
 * @param token - the compact JWT
 * @param key - the HMAC key
 * @returns the claims, or `undefined` when malformed or forged
 * @internal
 */
export function verifyJwt(token: string, key: Uint8Array): TokenClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every(isStrictBase64url)) return undefined;
  const [header, payload, signature] = parts as [string, string, string];
  const expected = createHmac('sha256', key).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
  } catch {
    return undefined;
  }
}
