/**
 * Reads the `exp` claim of a JWT without verifying it: the value only decides when to renew,
 * it is never trusted for anything else.
 * @param jwt - a compact JWT (`header.payload.signature`)
 * @returns expiry in milliseconds since the epoch, or undefined when absent or malformed
 * @public
 */
export function readJwtExpiry(jwt: string): number | undefined {
  const parts = jwt.split('.');
  const payload = parts[1];
  if (parts.length !== 3 || payload === undefined || payload === '') return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (typeof claims !== 'object' || claims === null) return undefined;
    const exp = (claims as { exp?: unknown }).exp;
    return typeof exp === 'number' && Number.isFinite(exp) && exp > 0 ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
