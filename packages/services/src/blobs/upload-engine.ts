import {
  AbortedError,
  DigestMismatchError,
  RateLimitError,
  RegistryError,
  createHasher,
  digestEquals,
  isDockerHubError,
  type Hasher,
  type ImageReference,
} from '@llmdevops/docker-hub-core';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay, errorFromResponse, type TransportResponse } from '@llmdevops/docker-hub-transport';
import type { ClientContext } from '../client/context.js';
import { ChunkReader, isRestartable, openSource, type BlobSource } from './blob-source.js';
import { offsetFromRange, withDigestParam, type UploadProgress, type UploadSession } from './upload-session.js';

/**
 * How an upload sends its bytes: `chunked` PATCHes `chunkSize` bytes at a time (each held in
 * memory so a failed chunk can be sent again); `stream` sends everything in one streamed PATCH,
 * as docker and skopeo do, and after a failure asks the registry for its offset and reopens the
 * source there (so it needs a source that can be opened again to recover).
 * @public
 */
export type UploadStrategy = 'chunked' | 'stream';

/** Options of a chunked or streamed upload. @internal */
export interface EngineOptions {
  readonly chunkSize: number;
  /** Default `chunked`. */
  readonly strategy?: UploadStrategy | undefined;
  readonly digest?: string | undefined;
  readonly size?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly resume?: UploadSession | undefined;
  /** An upload URL already opened (a mount that answered 202). */
  readonly location?: URL | undefined;
  readonly onProgress?: ((p: UploadProgress) => void) | undefined;
  readonly onSession?: ((s: UploadSession) => void) | undefined;
}

interface Cursor {
  location: URL;
  offset: number;
}

const RESUMABLE_STATUS = new Set([408, 416, 429, 500, 502, 503, 504]);

function resumable(err: unknown): boolean {
  if (!isDockerHubError(err)) return false;
  if (err.code === 'NETWORK' || err.code === 'TIMEOUT' || err.code === 'TOOMANYREQUESTS') return true;
  const status = (err as { status?: unknown }).status;
  return typeof status === 'number' && RESUMABLE_STATUS.has(status);
}

/** Bytes hashed per read while skipping what the registry already holds (streamed resume). */
const SKIP_PIECE = 4 * 1024 * 1024;
/** Bytes between progress reports of a streamed upload. */
const PROGRESS_STEP = 4 * 1024 * 1024;
/** Bytes a streamed upload body buffers ahead of the socket. */
const STREAM_BUFFER = 1024 * 1024;

/** Most a failed chunk waits before the offset is asked for (a longer `Retry-After` is cut short). */
const MAX_PAUSE_MS = 30_000;

/** Waits before resuming: until a 429's reset time, else a jittered backoff (100 ms doubling, 5 s cap). */
async function pause(err: unknown, attempt: number, signal: AbortSignal | undefined): Promise<void> {
  const resetAt = err instanceof RateLimitError ? err.resetAt : undefined;
  const ms = resetAt !== undefined ? resetAt.getTime() - Date.now() : backoffDelay(attempt + 1, { baseMs: 100, capMs: 5_000 });
  if (ms <= 0) return;
  try {
    await sleep(Math.min(ms, MAX_PAUSE_MS), undefined, signal === undefined ? {} : { signal });
  } catch {
    throw new AbortedError('chunked upload', signal?.reason);
  }
}

function locationOf(res: TransportResponse, base: URL): URL {
  const header = res.header('location');
  if (header === undefined) throw new RegistryError(`upload answered ${res.status} without a Location`, { status: res.status });
  return new URL(header, base);
}

/**
 * Chunked blob uploads with resume (POST, PATCH..., PUT): after a failed chunk the registry is
 * asked for the upload's offset (`GET <location>`) and the upload continues from there; a lost
 * upload session restarts once when the source can be read again.
 * @internal
 */
export class UploadEngine {
  readonly #ctx: ClientContext;

  constructor(ctx: ClientContext) {
    this.#ctx = ctx;
  }

  /**
   * Opens an upload session (`POST /v2/<name>/blobs/uploads/`).
   * @param ref - the repository
   * @param signal - cancels
   * @returns the upload URL and the registry's minimum chunk size
   */
  async start(ref: ImageReference, signal: AbortSignal | undefined): Promise<{ location: URL; minChunk: number }> {
    const res = await this.#ctx.expect(
      // Safe to repeat after a 5xx/429/reset: at worst an unused session is left to expire.
      { method: 'POST', ref, path: 'blobs/uploads/', headers: { 'content-length': '0' }, signal, operation: 'blobs.uploads', idempotent: true },
      [202],
      `POST blob upload ${ref.name}`,
    );
    await res.dump();
    const min = Number(res.header('oci-chunk-min-length') ?? '0');
    return { location: locationOf(res, res.url), minChunk: Number.isSafeInteger(min) && min > 0 ? min : 0 };
  }

  /**
   * Asks the registry where an upload stands (`GET <location>`, 204 with `Range`).
   * @param ref - the repository
   * @param location - the upload URL
   * @param known - the offset the caller believes (for `Range: 0-0`)
   * @param signal - cancels
   * @returns the newest location and the offset
   * @throws {@link NotFoundError} (`BLOB_UPLOAD_UNKNOWN`/`BLOB_UPLOAD_INVALID`) when the session is gone
   */
  async status(ref: ImageReference, location: URL, known: number, signal: AbortSignal | undefined): Promise<Cursor> {
    const res = await this.#ctx.expect({ method: 'GET', ref, path: location, signal, operation: 'blobs.uploads', actions: ['pull', 'push'] }, [204, 200], `GET upload status ${ref.name}`);
    await res.dump();
    const offset = offsetFromRange(res.header('range'), known) ?? known;
    return { location: res.header('location') === undefined ? location : locationOf(res, res.url), offset };
  }

  /**
   * Uploads a source in chunks and commits it.
   * @param ref - the repository
   * @param source - the bytes
   * @param o - chunk size, expected digest, resume session, callbacks
   * @returns the blob digest
   */
  async upload(ref: ImageReference, source: BlobSource, o: EngineOptions): Promise<string> {
    try {
      return await this.#attempt(ref, source, o);
    } catch (err) {
      // distribution cancels a session whose state no longer matches (a chunk half written):
      // start over once when the bytes can be read again.
      if (isDockerHubError(err) && (err.code === 'BLOB_UPLOAD_UNKNOWN' || err.code === 'BLOB_UPLOAD_INVALID') && isRestartable(source) && o.location === undefined) {
        return this.#attempt(ref, source, { ...o, resume: undefined });
      }
      throw err;
    }
  }

  async #attempt(ref: ImageReference, source: BlobSource, o: EngineOptions): Promise<string> {
    if (o.strategy === 'stream') return this.#streamed(ref, source, o);
    const cursor = await this.#open(ref, o);
    const chunkSize = Math.max(1, o.chunkSize, cursor.minChunk);
    const reader = new ChunkReader(openSource(source));
    const hasher = createHasher();
    try {
      await this.#skip(reader, hasher, cursor.offset, chunkSize);
      for (;;) {
        if (o.signal?.aborted === true) throw new AbortedError(`upload to ${ref.name}`, o.signal.reason);
        const chunk = await reader.read(chunkSize);
        if (chunk.length === 0) break;
        hasher.update(chunk);
        await this.#sendChunk(ref, cursor, chunk, o.signal);
        o.onProgress?.({ bytesSent: cursor.offset, totalBytes: o.size });
        o.onSession?.({ location: cursor.location.href, offset: cursor.offset, ...(o.digest === undefined ? {} : { digestSoFar: o.digest }) });
      }
    } finally {
      await reader.close();
    }
    return this.#finish(ref, cursor.location, hasher, o);
  }

  /** Checks the bytes sent against the expected digest (cancelling on a mismatch) and commits. */
  async #finish(ref: ImageReference, location: URL, hasher: Hasher, o: EngineOptions): Promise<string> {
    const digest = hasher.digest().toString();
    if (o.digest !== undefined && !digestEquals(o.digest, digest)) {
      await this.cancel(ref, location);
      throw new DigestMismatchError(o.digest, digest, `blob uploaded to ${ref.name}`);
    }
    await this.commit(ref, location, digest, { signal: o.signal });
    return digest;
  }

  /**
   * Sends the whole source in one streamed PATCH (hashing as it flows), then commits. After a
   * resumable failure it asks the registry how many bytes it holds and, when the source can be
   * opened again, reopens it, hashes the part already sent and streams the rest from there.
   */
  async #streamed(ref: ImageReference, source: BlobSource, o: EngineOptions): Promise<string> {
    const cursor = await this.#open(ref, o);
    const attempts = this.#ctx.config.resilience.maxRetries + 2;
    const aborted = (): boolean => o.signal?.aborted === true;
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (aborted()) throw new AbortedError(`upload to ${ref.name}`, o.signal?.reason);
      const reader = new ChunkReader(openSource(source));
      const hasher = createHasher();
      let sent: boolean;
      try {
        await this.#skip(reader, hasher, cursor.offset, SKIP_PIECE);
        sent = await this.#sendRest(ref, cursor, { reader, hasher }, o);
      } catch (err) {
        if (!resumable(err) || aborted() || !isRestartable(source)) throw err;
        lastError = err;
        sent = false;
      } finally {
        await reader.close();
      }
      if (sent) return this.#finish(ref, cursor.location, hasher, o);
      await pause(lastError, attempt, o.signal);
      const at = await this.status(ref, cursor.location, cursor.offset, o.signal);
      cursor.location = at.location;
      cursor.offset = at.offset;
    }
    throw lastError;
  }

  /** One PATCH whose body is the rest of the reader; true when the registry accepted all of it. */
  async #sendRest(ref: ImageReference, cursor: Cursor, from: { readonly reader: ChunkReader; readonly hasher: Hasher }, o: EngineOptions): Promise<boolean> {
    const { reader, hasher } = from;
    const start = cursor.offset;
    const length = o.size === undefined ? undefined : o.size - start;
    let flowed = start;
    let reported = start;
    const onProgress = o.onProgress;
    // A failing source (e.g. the GET feeding a cross-registry mount) aborts the request; its own
    // error, not the transport's view of the broken request, is what the caller must see.
    const source: { error?: unknown } = {};
    const chunks = async function* (): AsyncGenerator<Buffer> {
      try {
        for await (const chunk of reader.rest()) {
          hasher.update(chunk);
          flowed += chunk.length;
          if (onProgress !== undefined && flowed - reported >= PROGRESS_STEP) {
            reported = flowed;
            onProgress({ bytesSent: flowed, totalBytes: o.size });
          }
          yield chunk;
        }
      } catch (err) {
        source.error = err;
        throw err;
      }
    };
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
    if (length !== undefined) {
      headers['content-length'] = String(length);
      if (length > 0) headers['content-range'] = `${start}-${start + length - 1}`;
    }
    let res: TransportResponse;
    try {
      res = await this.#ctx.send({
        method: 'PATCH', ref, path: cursor.location, signal: o.signal, operation: 'blobs.uploads', idempotent: false, headers,
        body: { stream: () => Readable.from(chunks(), { objectMode: false, highWaterMark: STREAM_BUFFER }), replayable: false, ...(length === undefined ? {} : { length }) },
      });
    } catch (err) {
      throw 'error' in source ? source.error : err;
    }
    if ('error' in source) {
      // Some servers answer (e.g. 400/500) to a body that broke off instead of dropping it.
      await res.dump();
      throw source.error;
    }
    if (res.status !== 202 && res.status !== 204) throw await errorFromResponse(res, `PATCH blob upload ${ref.name}`);
    await res.dump();
    cursor.location = locationOf(res, res.url);
    cursor.offset = offsetFromRange(res.header('range'), flowed) ?? flowed;
    onProgress?.({ bytesSent: cursor.offset, totalBytes: o.size });
    o.onSession?.({ location: cursor.location.href, offset: cursor.offset, ...(o.digest === undefined ? {} : { digestSoFar: o.digest }) });
    return cursor.offset === flowed;
  }

  async #open(ref: ImageReference, o: EngineOptions): Promise<Cursor & { minChunk: number }> {
    if (o.location !== undefined) return { location: o.location, offset: 0, minChunk: 0 };
    if (o.resume !== undefined) {
      const at = await this.status(ref, new URL(o.resume.location), o.resume.offset, o.signal);
      return { ...at, minChunk: 0 };
    }
    const started = await this.start(ref, o.signal);
    return { location: started.location, offset: 0, minChunk: started.minChunk };
  }

  /** Reads (and hashes) the bytes the registry already holds. */
  async #skip(reader: ChunkReader, hasher: Hasher, bytes: number, chunkSize: number): Promise<void> {
    let left = bytes;
    while (left > 0) {
      const piece = await reader.read(Math.min(left, chunkSize));
      if (piece.length === 0) throw new RegistryError(`the source ended before the ${bytes} bytes the upload session already holds`, {});
      hasher.update(piece);
      left -= piece.length;
    }
  }

  /** PATCHes one chunk; on a failure asks for the offset and sends what is missing. */
  async #sendChunk(ref: ImageReference, cursor: Cursor, chunk: Buffer, signal: AbortSignal | undefined): Promise<void> {
    const start = cursor.offset;
    const end = start + chunk.length;
    const attempts = this.#ctx.config.resilience.maxRetries + 2;
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      const body = chunk.subarray(cursor.offset - start);
      try {
        const res = await this.#ctx.send({
          method: 'PATCH', ref, path: cursor.location, signal, operation: 'blobs.uploads', idempotent: false,
          headers: { 'content-type': 'application/octet-stream', 'content-range': `${cursor.offset}-${end - 1}`, 'content-length': String(body.length) },
          body,
        });
        if (res.status === 202 || res.status === 204) {
          await res.dump();
          cursor.location = locationOf(res, res.url);
          cursor.offset = end;
          return;
        }
        throw await errorFromResponse(res, `PATCH blob upload ${ref.name}`);
      } catch (err) {
        if (!resumable(err) || signal?.aborted === true) throw err;
        lastError = err;
        await pause(err, attempt, signal);
      }
      const at = await this.status(ref, cursor.location, cursor.offset, signal);
      if (at.offset < start || at.offset > end) {
        throw new RegistryError(`upload ${ref.name}: the registry holds ${at.offset} bytes, outside the chunk ${start}-${end - 1} being sent`, {});
      }
      cursor.location = at.location;
      cursor.offset = at.offset;
      if (cursor.offset === end) return;
    }
    throw lastError;
  }

  /**
   * Commits an upload (`PUT <location>&digest=`) and checks the echoed digest.
   * @param ref - the repository
   * @param location - the upload URL
   * @param digest - the blob digest
   * @param extra - signal, and the whole blob for a monolithic upload
   */
  async commit(ref: ImageReference, location: URL, digest: string, extra: { readonly signal?: AbortSignal | undefined; readonly body?: Uint8Array } = {}): Promise<void> {
    const { signal, body } = extra;
    const res = await this.#ctx.expect(
      {
        method: 'PUT', ref, path: withDigestParam(location, digest), signal, operation: 'blobs.uploads',
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(body?.length ?? 0) },
        ...(body === undefined ? {} : { body }),
      },
      [201, 204],
      `PUT blob ${digest} to ${ref.name}`,
    );
    await res.dump();
    const echoed = res.header('docker-content-digest');
    if (echoed !== undefined && !digestEquals(digest, echoed)) throw new DigestMismatchError(digest, echoed, `blob committed to ${ref.name}`);
  }

  /**
   * Cancels an upload (`DELETE <location>`); failures are ignored (servers expire sessions).
   * @param ref - the repository
   * @param location - the upload URL
   */
  async cancel(ref: ImageReference, location: URL): Promise<void> {
    try {
      const res = await this.#ctx.send({ method: 'DELETE', ref, path: location, operation: 'blobs.uploads', actions: ['pull', 'push'], headers: { 'content-length': '0' } });
      await res.dump();
    } catch {
      // Best effort only.
    }
  }
}
