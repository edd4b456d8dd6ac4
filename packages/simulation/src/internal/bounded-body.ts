import { readLimited } from './streams.js';

/** Default cap on Hub API and token endpoint bodies: small JSON or form documents. @internal */
export const DEFAULT_MAX_API_BODY_BYTES = 64 * 1024;

/**
 * Reads a request's body up to `limit` bytes and hands back a request that carries it, or the
 * 413 answer: at once from a larger `Content-Length` (nothing is read), otherwise as soon as
 * the bytes read pass the limit. Runs before authentication, so an anonymous sender cannot make
 * the simulator hold a large body either. The 413 closes the connection (the rest is unread).
 * @param request - the request
 * @param limit - the largest body accepted
 * @param tooLarge - builds the 413 answer in the endpoint's own error shape
 * @returns the request with a buffered body, or the 413 response
 * @internal
 */
export async function boundBody(
  request: Request,
  limit: number,
  tooLarge: () => Response,
): Promise<Request | Response> {
  if (request.body === null) return request;
  const refuse = async (): Promise<Response> => {
    await request.body?.cancel().catch(() => undefined);
    const response = tooLarge();
    response.headers.set('connection', 'close');
    return response;
  };
  const declared = request.headers.get('content-length');
  if (declared !== null && (!/^\d{1,15}$/.test(declared.trim()) || Number(declared) > limit))
    return refuse();
  const bytes = await readLimited(request.body, limit);
  if (bytes === undefined) return refuse();
  return new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body: bytes,
    signal: request.signal,
  });
}
