import { registryError } from '../registry/errors.js';
import { type FaultAction } from './faults.js';

function cutBody(
  body: ReadableStream<Uint8Array>,
  action: FaultAction,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let sent = 0;
  let corrupted = action.corrupt !== true;
  const limit = action.resetAfterBytes;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) {
        controller.close();
        return;
      }
      let chunk = value;
      if (!corrupted && chunk.byteLength > 0) {
        chunk = Uint8Array.from(chunk);
        const i = Math.floor(chunk.byteLength / 2);
        chunk[i] = (chunk[i] ?? 0) ^ 0xff;
        corrupted = true;
      }
      if (limit !== undefined && sent + chunk.byteLength >= limit) {
        if (limit > sent) controller.enqueue(chunk.subarray(0, limit - sent));
        await reader.cancel();
        controller.error(
          Object.assign(new Error('connection reset by simulated fault'), { code: 'ECONNRESET' }),
        );
        return;
      }
      sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

/**
 * The status answer of a fault (registry error envelope; 429 TOOMANYREQUESTS, 503 UNAVAILABLE,
 * other 5xx UNKNOWN).
 * @param action - the fault
 * @returns the response, or `undefined` when the fault has no status
 * @internal
 */
export function faultResponse(action: FaultAction): Response | undefined {
  if (action.status === undefined) return undefined;
  const headers =
    action.retryAfter === undefined ? {} : { 'retry-after': String(action.retryAfter) };
  const status = action.status;
  if (status === 429) return registryError(429, { code: 'TOOMANYREQUESTS' }, headers);
  if (status === 503) return registryError(503, { code: 'UNAVAILABLE' }, headers);
  return registryError(status, { code: 'UNKNOWN' }, headers);
}

/**
 * Applies body faults (reset after N bytes, one corrupted byte) to a real response.
 * @param response - the handler's response
 * @param action - the fault
 * @returns the altered response
 * @internal
 */
export function faultBody(response: Response, action: FaultAction): Response {
  if (response.body === null || (action.resetAfterBytes === undefined && action.corrupt !== true))
    return response;
  return new Response(cutBody(response.body, action), {
    status: response.status,
    headers: response.headers,
  });
}
