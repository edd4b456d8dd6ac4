import type { RequestBody, TransportRequest } from './types.js';

/**
 * Whether a body can be sent again for a retry or a 307/308 redirect.
 * @param body - the request body
 * @returns true for no body, bytes, strings and replayable stream factories
 * @public
 */
export function isReplayable(body: RequestBody | undefined): boolean {
  if (body === undefined || typeof body === 'string' || body instanceof Uint8Array) return true;
  return body.replayable;
}

/**
 * Whether a request may be sent twice: explicit `idempotent`, else GET/HEAD/PUT/DELETE.
 * @param req - the request
 * @returns true when repeating it is safe
 * @public
 */
export function isIdempotent(req: TransportRequest): boolean {
  if (req.idempotent !== undefined) return req.idempotent;
  return req.method === 'GET' || req.method === 'HEAD' || req.method === 'PUT' || req.method === 'DELETE';
}
