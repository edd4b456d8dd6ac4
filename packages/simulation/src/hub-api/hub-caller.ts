import { type AccessTokenScope, type SimulatorUser } from '../token-service/users.js';
import { hubError, hubJson } from './hub-response.js';

/** Who calls a Hub API route, and what the JWT allows. @internal */
export interface Caller {
  readonly user: SimulatorUser | undefined;
  /** The access-token scope of the JWT; undefined for a password login (every scope). */
  readonly tokenScope: AccessTokenScope | undefined;
  /** Whether the caller may act in `namespace` (its own, or an organisation it belongs to). */
  owns(namespace: string): boolean;
  /** Whether the JWT's access-token scope covers `needed` (password logins cover every scope). */
  allows(needed: AccessTokenScope): boolean;
}

/** Docker Hub's answer when an access token's scope is too narrow for the call. @internal */
export const INSUFFICIENT_SCOPE = 'access denied: insufficient scope';

/**
 * The refusal for a caller that may not act in `namespace` with scope `needed`, if any.
 * @param caller - the caller
 * @param namespace - where it acts
 * @param needed - the access-token scope the call needs
 * @returns 401, 403, or undefined when allowed
 * @internal
 */
export function refuse(
  caller: Caller,
  namespace: string,
  needed: AccessTokenScope,
): Response | undefined {
  if (caller.user === undefined)
    return hubJson(401, { detail: 'Authentication credentials were not provided.' });
  if (!caller.owns(namespace))
    return hubJson(403, { detail: 'You do not have permission to perform this action.' });
  if (!caller.allows(needed)) return hubError(403, INSUFFICIENT_SCOPE);
  return undefined;
}

/**
 * Reads a JSON object body.
 * @param request - the request
 * @returns the object, or undefined when the body is not a JSON object
 * @internal
 */
export async function jsonObject(request: Request): Promise<Record<string, unknown> | undefined> {
  try {
    const value: unknown = await request.json();
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A 400 in the Hub API's `ValueError` shape (`fields`, `text`).
 * @param field - the field at fault
 * @param message - what is wrong
 * @returns the response
 * @internal
 */
export function fieldError(field: string, message: string): Response {
  return hubJson(400, { fields: { [field]: [message] }, text: message });
}
