import { createHash, timingSafeEqual } from 'node:crypto';
import { type Secret } from '@llmdevops/docker-hub-core';

/** Where the shared secret travels: a query parameter, a header, or the last URL path segment. @public */
export type SharedSecretLocation = 'query' | 'header' | 'path';

/** Default parameter name for `query` and header name for `header`. @public */
export const DEFAULT_SECRET_NAMES: Readonly<Record<'query' | 'header', string>> = {
  query: 'token',
  header: 'x-webhook-token',
};

const digestOf = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Compares a presented token with every accepted secret in constant time. Both sides are hashed
 * first, so neither the comparison time nor an early length check reveals the secret's length.
 * @param secrets - accepted secrets (several during rotation)
 * @param presented - the token found in the request, if any
 * @returns true when it equals one of the secrets
 * @public
 */
export function matchesSharedSecret(
  secrets: readonly Secret[],
  presented: string | undefined,
): boolean {
  if (presented === undefined || presented === '') return false;
  const given = digestOf(presented);
  let ok = false;
  for (const secret of secrets) {
    if (secret.disposed) continue;
    ok = timingSafeEqual(digestOf(secret.reveal()), given) || ok;
  }
  return ok;
}

/**
 * The last non-empty path segment of a URL, percent-decoded (where a token sits in
 * `/hooks/docker/<token>`).
 * @param url - the parsed request URL
 * @returns the segment, or undefined when there is none or it does not decode
 * @internal
 */
export function lastPathSegment(url: URL): string | undefined {
  const segments = url.pathname.split('/').filter((s) => s !== '');
  const last = segments.at(-1);
  if (last === undefined) return undefined;
  try {
    return decodeURIComponent(last);
  } catch {
    return undefined;
  }
}
