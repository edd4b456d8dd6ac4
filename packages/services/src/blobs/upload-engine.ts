import {
  AbortedError,
  DigestMismatchError,
  RegistryError,
  createHasher,
  digestEquals,
  isDockerHubError,
  type Hasher,
  type ImageReference,
} from '@llmdevops/docker-hub-core';
import { Readable } from 'node:stream';
import { errorFromResponse, type TransportResponse } from '@llmdevops/docker-hub-transport';
import type { ClientContext } from '../client/context.js';
import { ChunkReader, isRestartable, openSource, type BlobSource } from './blob-source.js';
import { offsetFromRange, withDigestParam, type UploadProgress, type UploadSession } from './upload-session.js';

/**
 * How an upload sends its bytes: `chunked` PATCHes `chunkSize` bytes at a time (each held in
 * memory so a failed chunk can be sent again); `stream` sends everything in one streamed PATCH,
 * as docker and skopeo do, and after a failure continues from the registry's offset in chunks
 * (reopening the source there, so it needs a source that can be opened again to recover).
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
  /** Bytes the registry holds. */
  offset: number;
}

/** Ends an upload's retries at once with the failure that made it impossible to continue. */
class GiveUp extends Error {
  constructor(readonly failure: unknown) {
    super('the upload cannot continue');
  }
}

/** One upload in progress: where it goes, where it stands, and its source. */
interface Job {
  readonly ref: ImageReference;
  readonly cursor: Cursor;
  readonly src: SourceState;
  readonly o: EngineOptions;
  readonly chunkSize: number;
}

const ROUTE = '/v2/{name}/blobs/uploads/{uuid}';
/** Bytes hashed per read while skipping what the registry already holds. */
const SKIP_PIECE = 4 * 1024 * 1024;
/** Bytes between progress reports of a streamed upload. */
const PROGRESS_STEP = 4 * 1024 * 1024;
/** Bytes a streamed upload body buffers ahead of the socket. */
const STREAM_BUFFER = 1024 * 1024;

function locationOf(res: TransportResponse, base: URL): URL {
  const header = res.header('location');
  if (header === undefined) throw new RegistryError(`upload answered ${res.status} without a Location`, { status: res.status });
  return new URL(header, base);
}

/** distribution cancels a session whose state no longer matches (a PATCH cut half way). */
function sessionGone(err: unknown): boolean {
  return isDockerHubError(err) && (err.code === 'BLOB_UPLOAD_UNKNOWN' || err.code === 'BLOB_UPLOAD_INVALID');
}

/**
 * The source as the upload reads it: every byte read is hashed once, and the bytes read but not
 * yet accepted by the registry (`held`, from `heldAt`) stay in memory so they can be sent again.
 * When the registry's offset falls outside what is held, a source that can be opened again is
 * reopened there (hashing what it skips).
 */
class SourceState {
  readonly #source: BlobSource;
  reader: ChunkReader;
  hasher: Hasher = createHasher();
  /** Bytes read from the source (and hashed). */
  read = 0;
  held: Buffer = Buffer.alloc(0);
  heldAt = 0;

  constructor(source: BlobSource) {
    this.#source = source;
    this.reader = new ChunkReader(openSource(source));
  }

  get restartable(): boolean {
    return isRestartable(this.#source);
  }

  /**
   * Makes the next bytes to send start at `offset`.
   * @returns false when that is impossible (the bytes are gone and the source cannot be reopened)
   */
  async alignTo(offset: number): Promise<boolean> {
    if (offset >= this.heldAt && offset <= this.read) {
      this.held = this.held.subarray(offset - this.heldAt);
      this.heldAt = offset;
      return true;
    }
    if (offset < this.heldAt) {
      // Bytes already let go of: read the source again from the start.
      if (!this.restartable) return false;
      await this.reader.close();
      this.reader = new ChunkReader(openSource(this.#source));
      this.hasher = createHasher();
      this.read = 0;
    }
    await this.#skip(offset);
    return true;
  }

  /** Reads (and hashes) up to `offset` without holding the bytes: the registry has them. */
  async #skip(offset: number): Promise<void> {
    while (this.read < offset) {
      const piece = await this.reader.read(Math.min(offset - this.read, SKIP_PIECE));
      if (piece.length === 0) throw new RegistryError(`the source ended before the ${offset} bytes the upload session already holds`, {});
      this.hasher.update(piece);
      this.read += piece.length;
    }
    this.held = Buffer.alloc(0);
    this.heldAt = offset;
  }

  /** Reads and holds the next chunk. @returns its length (0 at the end) */
  async readChunk(size: number): Promise<number> {
    const chunk = await this.reader.read(size);
    this.hasher.update(chunk);
    this.held = chunk;
    this.heldAt = this.read;
    this.read += chunk.length;
    return chunk.length;
  }

  /** Everything not read yet, hashed as it flows (nothing is held). */
  async *flow(): AsyncGenerator<Buffer> {
    this.held = Buffer.alloc(0);
    this.heldAt = this.read;
    for await (const chunk of this.reader.rest()) {
      this.hasher.update(chunk);
      this.read += chunk.length;
      this.heldAt = this.read;
      yield chunk;
    }
  }

  close(): Promise<void> {
    return this.reader.close();
  }
}

/**
 * Chunked and streamed blob uploads with resume (POST, PATCH..., PUT). One upload is one step of
 * the transport's retry policy: after a failure the registry is asked where the upload stands
 * (`GET <location>`) and the upload continues from there in chunks; a session the registry
 * dropped is replaced by a new one when the source can be read again. A failure that followed
 * progress (the registry's offset advanced) does not count against `maxRetries`.
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
   * Uploads a source (streamed or in chunks) and commits it.
   * @param ref - the repository
   * @param source - the bytes
   * @param o - chunk size, strategy, expected digest, resume session, callbacks
   * @returns the blob digest
   */
  async upload(ref: ImageReference, source: BlobSource, o: EngineOptions): Promise<string> {
    const src = new SourceState(source);
    try {
      const opened = await this.#open(ref, src, o);
      const cursor: Cursor = { location: opened.location, offset: opened.offset };
      const job: Job = { ref, cursor, src, o, chunkSize: Math.max(1, o.chunkSize, opened.minChunk) };
      let streamFirst = o.strategy === 'stream';
      let failure: unknown;
      await this.#ctx.transport
        .retrying(
        async (run) => {
          try {
            if (run > 1) await this.#resync(job, failure);
            else if (!(await src.alignTo(cursor.offset))) throw new RegistryError(`upload to ${ref.name}: the source cannot be read from ${cursor.offset}`, {});
            if (streamFirst) {
              // One streamed PATCH first; after any failure the rest goes in chunks, so a
              // connection that keeps breaking still moves the upload forward.
              streamFirst = false;
              await this.#sendRest(ref, cursor, src, o);
            }
            await this.#sendChunks(job);
          } catch (err) {
            failure = err;
            throw err;
          }
        },
          { what: `upload to ${ref.name}`, signal: o.signal, progress: () => cursor.offset, operation: 'blobs.uploads', url: cursor.location, route: ROUTE },
        )
        .catch((err: unknown) => {
          throw err instanceof GiveUp ? err.failure : err;
        });
      return await this.#finish(ref, cursor.location, src.hasher, o);
    } finally {
      await src.close();
    }
  }

  /** The session to write to: the one given, the saved one (or a new one if it is gone), or a new one. */
  async #open(ref: ImageReference, src: SourceState, o: EngineOptions): Promise<Cursor & { minChunk: number }> {
    if (o.location !== undefined) return { location: o.location, offset: 0, minChunk: 0 };
    if (o.resume !== undefined) {
      try {
        const at = await this.status(ref, new URL(o.resume.location), o.resume.offset, o.signal);
        return { ...at, minChunk: 0 };
      } catch (err) {
        if (!sessionGone(err) || !src.restartable) throw err;
      }
    }
    const started = await this.start(ref, o.signal);
    return { location: started.location, offset: 0, minChunk: started.minChunk };
  }

  /**
   * After a failure: asks where the upload stands and lines the source up with it; a session the
   * registry dropped is replaced by a new one when the source can be read from the start again.
   */
  async #resync(job: Job, failure: unknown): Promise<void> {
    const { ref, cursor, src, o } = job;
    if (o.signal?.aborted === true) throw new AbortedError(`upload to ${ref.name}`, o.signal.reason);
    try {
      const at = await this.status(ref, cursor.location, cursor.offset, o.signal);
      cursor.location = at.location;
      cursor.offset = at.offset;
    } catch (err) {
      if (!sessionGone(err)) throw err;
      // A one-shot source cannot be sent again from the start: the caller sees what broke it.
      if (!src.restartable || o.location !== undefined) throw new GiveUp(failure);
      const started = await this.start(ref, o.signal);
      cursor.location = started.location;
      cursor.offset = 0;
    }
    if (cursor.offset > src.read) {
      throw new RegistryError(`upload to ${ref.name}: the registry holds ${cursor.offset} bytes, more than the ${src.read} sent`, {});
    }
    // A one-shot source whose bytes went by in a broken streamed PATCH cannot continue.
    if (!(await src.alignTo(cursor.offset))) throw new GiveUp(failure);
  }

  /** PATCHes the held bytes, then chunk after chunk, until the source ends. */
  async #sendChunks(job: Job): Promise<void> {
    const { ref, cursor, src, o, chunkSize } = job;
    for (;;) {
      if (o.signal?.aborted === true) throw new AbortedError(`upload to ${ref.name}`, o.signal.reason);
      if (src.held.length === 0 && (await src.readChunk(chunkSize)) === 0) return;
      await this.#patch(ref, cursor, src.held, o.signal);
      if (!(await src.alignTo(cursor.offset))) {
        throw new RegistryError(`upload to ${ref.name}: the registry moved back to ${cursor.offset} bytes and the source cannot be read again`, {});
      }
      o.onProgress?.({ bytesSent: cursor.offset, totalBytes: o.size });
      o.onSession?.({ location: cursor.location.href, offset: cursor.offset, ...(o.digest === undefined ? {} : { digestSoFar: o.digest }) });
    }
  }

  /** One PATCH of bytes held in memory, starting at the registry's offset. */
  async #patch(ref: ImageReference, cursor: Cursor, body: Buffer, signal: AbortSignal | undefined): Promise<void> {
    const end = cursor.offset + body.length;
    const res = await this.#ctx.send({
      method: 'PATCH', ref, path: cursor.location, signal, operation: 'blobs.uploads', idempotent: false,
      headers: { 'content-type': 'application/octet-stream', 'content-range': `${cursor.offset}-${end - 1}`, 'content-length': String(body.length) },
      body,
    });
    if (res.status !== 202 && res.status !== 204) throw await errorFromResponse(res, `PATCH blob upload ${ref.name}`);
    await res.dump();
    cursor.location = locationOf(res, res.url);
    cursor.offset = offsetFromRange(res.header('range'), end) ?? end;
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
   * One PATCH whose body is the rest of the source, hashed as it flows. Afterwards the cursor
   * holds the registry's offset; when that is short of what flowed, the chunks that follow
   * continue from it.
   */
  async #sendRest(ref: ImageReference, cursor: Cursor, src: SourceState, o: EngineOptions): Promise<void> {
    const start = cursor.offset;
    const length = o.size === undefined ? undefined : o.size - start;
    let reported = start;
    const onProgress = o.onProgress;
    // A failing source (e.g. the GET feeding a cross-registry mount) aborts the request; its own
    // error, not the transport's view of the broken request, is what the caller must see.
    const source: { error?: unknown } = {};
    const chunks = async function* (): AsyncGenerator<Buffer> {
      const flow = src.flow();
      try {
        for (;;) {
          // Only a failure to read the source is the source's error; a failure thrown in at
          // `yield` (the request body destroyed by a broken connection) is the transport's.
          let next: IteratorResult<Buffer>;
          try {
            next = await flow.next();
          } catch (err) {
            source.error = err;
            throw err;
          }
          if (next.done === true) return;
          if (onProgress !== undefined && src.read - reported >= PROGRESS_STEP) {
            reported = src.read;
            onProgress({ bytesSent: src.read, totalBytes: o.size });
          }
          yield next.value;
        }
      } finally {
        await flow.return(undefined);
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
    cursor.offset = offsetFromRange(res.header('range'), src.read) ?? src.read;
    onProgress?.({ bytesSent: cursor.offset, totalBytes: o.size });
    o.onSession?.({ location: cursor.location.href, offset: cursor.offset, ...(o.digest === undefined ? {} : { digestSoFar: o.digest }) });
    if (!(await src.alignTo(cursor.offset))) {
      throw new RegistryError(`upload to ${ref.name}: the registry took ${cursor.offset} of ${src.read} bytes and the source cannot be read again`, {});
    }
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
