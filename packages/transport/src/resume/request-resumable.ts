import type { TransportRequest, TransportResponse } from '../pipeline/types.js';

/** Options of {@link requestResumable}. @public */
export interface ResumableOptions {
  /**
   * Called before each resume with the byte offset it continues from.
   * @param info - offset and resume count (1-based)
   */
  readonly onResume?: (info: { readonly offset: number; readonly resume: number }) => void;
}

/** The part of a transport this helper needs. @public */
export interface RequestSender {
  request(req: TransportRequest): Promise<TransportResponse>;
}

/**
 * Sends a GET whose body, if the connection breaks or goes idle in the middle, is continued with
 * `Range: bytes=<received>-` (plus `If-Range` when the first answer had a strong ETag) instead
 * of failing or starting again from zero: the same as setting `context.resume` on the request.
 * The transport's retry policy decides whether and when to resume (a failure after progress does
 * not count against `maxRetries`). The caller sees one uninterrupted body with the same bytes. A
 * resume is accepted only as a `206` starting exactly at the received offset; anything else fails
 * with the original error. Content should still be verified (e.g. by digest).
 * @param sender - the transport
 * @param req - a GET without a `range` header (other requests are sent as they are)
 * @param options - resume callback
 * @returns the first response, with a self-healing body
 * @throws whatever `sender.request` throws for the first attempt
 * @example
 * ```ts
 * const res = await requestResumable(transport, { method: 'GET', url, headers: {} });
 * await pipeline(res.body, createWriteStream(file));
 * ```
 * @public
 */
export async function requestResumable(sender: RequestSender, req: TransportRequest, options: ResumableOptions = {}): Promise<TransportResponse> {
  return sender.request({
    ...req,
    context: { ...req.context, resume: true, ...(options.onResume === undefined ? {} : { onResume: options.onResume }) },
  });
}
