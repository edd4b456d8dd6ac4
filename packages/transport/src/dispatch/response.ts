import { PassThrough, type Readable } from 'node:stream';
import { PayloadTooLargeError, RegistryError, type DockerHubError } from '@llmdevops/docker-hub-core';
import type { TransportResponse } from '../pipeline/types.js';

/** Default size limit of `text()`, `bytes()` and `json()`: 16 MiB. @public */
export const DEFAULT_BODY_LIMIT: number = 16 * 1024 * 1024;

const bytesRead = new WeakMap<Readable, { readonly n: number }>();

/**
 * Bytes that went through a response body created by the terminal so far.
 * @param body - a `TransportResponse.body`
 * @returns the count, or 0 for bodies not created here
 * @internal
 */
export function bodyBytesRead(body: Readable): number {
  return bytesRead.get(body)?.n ?? 0;
}

/**
 * Counts a body's bytes for {@link bodyBytesRead} through a counter its producer updates.
 * @param body - a body made without {@link wrapBody}
 * @param counter - the producer's running count
 * @internal
 */
export function registerBodyCounter(body: Readable, counter: { readonly n: number }): void {
  bytesRead.set(body, counter);
}

/**
 * Wraps undici's body so stream errors surface as toolkit errors (a mid-body reset becomes a
 * `NetworkError`, an idle body a `TimeoutError`), bytes are counted, and destroying the wrapper
 * destroys undici's body, which frees the socket.
 * @param source - undici's body
 * @param mapError - maps a stream error
 * @returns the wrapped body
 * @internal
 */
export function wrapBody(source: Readable, mapError: (err: unknown) => DockerHubError): Readable {
  const counter = { n: 0 };
  const out = new PassThrough({
    transform(chunk: Buffer, _enc, cb) {
      counter.n += chunk.length;
      cb(null, chunk);
    },
  });
  bytesRead.set(out, counter);
  // A reset while nobody reads yet must not become an uncaught 'error' event; readers still
  // see the error (for-await, pipeline and read helpers reject with it).
  out.on('error', () => undefined);
  source.on('error', (err) => out.destroy(mapError(err)));
  out.on('close', () => {
    if (!source.destroyed) source.destroy();
  });
  source.pipe(out);
  return out;
}

async function readAll(body: Readable, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += buf.length;
    if (size > limit) {
      body.destroy();
      throw new PayloadTooLargeError(what, limit);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, size);
}

/**
 * Reads at most `limit` bytes of a body and discards the rest (for error bodies).
 * @param body - the body
 * @param limit - bytes to keep
 * @returns the prefix
 * @internal
 */
export async function readPrefix(body: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      chunks.push(buf.subarray(0, limit - size));
      size += Math.min(buf.length, limit - size);
      if (size >= limit) break;
    }
  } catch {
    // A broken error body still yields what arrived; the status is what matters.
  } finally {
    body.destroy();
  }
  return Buffer.concat(chunks, size);
}

/**
 * What a response is built from (by the terminal dispatcher, or by a middleware or test that
 * answers without the network through {@link createResponse}).
 * @public
 */
export interface ResponseInit {
  /** HTTP status code. */
  readonly status: number;
  /** Response headers as undici gives them (lower-case names; repeated headers as arrays). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The URL that answered (after redirects). */
  readonly url: URL;
  /** The body stream; read at most once through the response's readers. */
  readonly body: Readable;
  /** Names the response in size errors, e.g. `GET host/path response body`. */
  readonly what: string;
}

/**
 * Builds a {@link TransportResponse} with size-limited readers.
 * @param init - status, headers, URL and body
 * @returns the response
 * @public
 */
export function createResponse(init: ResponseInit): TransportResponse {
  const { body, what } = init;
  return {
    status: init.status,
    headers: init.headers,
    url: init.url,
    body,
    header(name) {
      const v = init.headers[name.toLowerCase()];
      return Array.isArray(v) ? v.join(', ') : v;
    },
    async bytes(limit = DEFAULT_BODY_LIMIT) {
      return new Uint8Array(await readAll(body, limit, what));
    },
    async text(limit = DEFAULT_BODY_LIMIT) {
      return (await readAll(body, limit, what)).toString('utf8');
    },
    async json<T = unknown>(limit = DEFAULT_BODY_LIMIT): Promise<T> {
      const text = (await readAll(body, limit, what)).toString('utf8');
      try {
        return JSON.parse(text) as T;
      } catch (err) {
        throw new RegistryError(`${what} is not valid JSON`, { status: init.status, cause: err });
      }
    },
    async dump() {
      if (body.destroyed || body.readableEnded) return;
      // Small leftovers are drained so the socket can be reused; large ones are cut off.
      await readPrefix(body, 256 * 1024);
    },
  };
}
