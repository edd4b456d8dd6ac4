import { Readable } from 'node:stream';
import { isDockerHubError } from '@llmdevops/docker-hub-core';
import { createResponse } from '../dispatch/response.js';
import { safeUrl } from '../internal/host.js';
import type { TransportRequest, TransportResponse } from '../pipeline/types.js';

/** Options of {@link requestResumable}. @public */
export interface ResumableOptions {
  /** How many times a broken body may be resumed (default 5). */
  readonly maxResumes?: number;
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

function resumableError(err: unknown): boolean {
  return isDockerHubError(err) && (err.code === 'NETWORK' || err.code === 'TIMEOUT');
}

/**
 * Whether a `Content-Range` answer continues exactly at `offset`.
 * @param value - the `content-range` header
 * @param offset - the expected first byte
 * @returns true for `bytes offset-…/…`
 * @internal
 */
export function continuesAt(value: string | undefined, offset: number): boolean {
  const m = /^bytes\s+(\d+)-\d+\/(?:\d+|\*)$/i.exec(value?.trim() ?? '');
  return m?.[1] !== undefined && Number(m[1]) === offset;
}

type Reopen = (offset: number, resume: number, cause: unknown) => Promise<Readable | undefined>;

/** A body that swaps in a continuation when its source breaks; destroying it destroys the source. */
class ResumingBody extends Readable {
  #source: Readable;
  #offset = 0;
  #resumes = 0;
  readonly #reopen: Reopen;

  constructor(source: Readable, reopen: Reopen) {
    super();
    this.#reopen = reopen;
    this.#source = source;
    this.#attach(source);
    // Readers still get errors (for-await, pipeline); an unread body must not crash the process.
    this.on('error', () => undefined);
  }

  override _read(): void {
    this.#source.resume();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.#source.destroy();
    cb(err);
  }

  #attach(source: Readable): void {
    source.on('data', (chunk: Buffer) => {
      if (source !== this.#source) return;
      this.#offset += chunk.length;
      if (!this.push(chunk)) source.pause();
    });
    source.on('end', () => {
      if (source === this.#source) this.push(null);
    });
    source.on('error', (err: unknown) => {
      if (source === this.#source && !this.destroyed) void this.#recover(err);
    });
  }

  async #recover(cause: unknown): Promise<void> {
    let next: Readable | undefined;
    try {
      next = await this.#reopen(this.#offset, ++this.#resumes, cause);
    } catch {
      next = undefined;
    }
    if (next === undefined) {
      this.destroy(cause instanceof Error ? cause : new Error(String(cause)));
      return;
    }
    if (this.destroyed) {
      next.destroy();
      return;
    }
    this.#source = next;
    this.#attach(next);
  }
}

/**
 * Sends a GET whose body, if the connection breaks or goes idle in the middle, is continued with
 * `Range: bytes=<received>-` (plus `If-Range` when the first answer had a strong ETag) instead
 * of failing or starting again from zero. The caller sees one uninterrupted body with the same
 * bytes. A resume is accepted only as a `206` starting exactly at the received offset; anything
 * else fails with the original error. Content should still be verified (e.g. by digest).
 * @param sender - the transport
 * @param req - a GET without a `range` header (other requests are sent as they are)
 * @param options - resume limit and callback
 * @returns the first response, with a self-healing body
 * @throws whatever `sender.request` throws for the first attempt
 * @example
 * ```ts
 * const res = await requestResumable(transport, { method: 'GET', url, headers: {} });
 * await pipeline(res.body, createWriteStream(file));
 * ```
 * @public
 */
export async function requestResumable(
  sender: RequestSender,
  req: TransportRequest,
  options: ResumableOptions = {},
): Promise<TransportResponse> {
  const first = await sender.request(req);
  if (req.method !== 'GET' || req.headers['range'] !== undefined || first.status !== 200) return first;
  const maxResumes = Math.max(0, options.maxResumes ?? 5);
  const etag = first.header('etag');
  const ifRange = etag !== undefined && !etag.startsWith('W/') ? { 'if-range': etag } : {};

  const body = new ResumingBody(first.body, async (offset, resume, cause) => {
    if (!resumableError(cause) || resume > maxResumes || req.signal?.aborted === true) return undefined;
    options.onResume?.({ offset, resume });
    const next = await sender.request({ ...req, headers: { ...req.headers, range: `bytes=${offset}-`, ...ifRange } });
    if (next.status === 206 && continuesAt(next.header('content-range'), offset)) return next.body;
    await next.dump();
    return undefined;
  });
  return createResponse({
    status: first.status,
    headers: first.headers,
    url: first.url,
    body,
    what: `${req.method} ${safeUrl(req.url)} response body`,
  });
}
