import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AbortedError, Digest, DigestMismatchError, ImageReference, createVerifyingTransform, digestEquals, isDockerHubError } from '@llmdevops/docker-hub-core';
import { errorFromResponse } from '@llmdevops/docker-hub-transport';
import type { ClientContext } from '../client/context.js';
import { refAttributes } from '../client/telemetry.js';
import { toReference, withSignal, type CallOptions, type ReferenceInput } from '../client/ref.js';
import { ChunkReader, isRestartable, openSource, type BlobSource } from './blob-source.js';
import { UploadEngine, type UploadStrategy } from './upload-engine.js';
import type { UploadProgress, UploadSession } from './upload-session.js';

const MIB = 1024 * 1024;

/** Options of {@link BlobsService.get}. @public */
export interface GetBlobOptions extends CallOptions {
  /** The expected size (from the descriptor), checked too. */
  readonly size?: number;
}

/** Options of {@link BlobsService.upload} and {@link BlobsService.uploadChunked}. @public */
export interface UploadOptions extends CallOptions {
  /** The blob's digest when known: an existing blob is not uploaded again, and the bytes are checked. */
  readonly digest?: string;
  /** The blob's size when known (progress, monolithic/chunked choice). */
  readonly size?: number;
  /** Bytes per PATCH (default `DOCKER_CHUNK_SIZE_MB`); raised to the registry's `OCI-Chunk-Min-Length`. */
  readonly chunkSize?: number;
  /**
   * How `upload` sends content larger than one chunk (`uploadChunked` always sends chunks).
   * `auto` (default): one streamed PATCH when the source can be opened again (a buffer or a
   * function), which is several times faster than many small PATCHes and still resumes from the
   * registry's offset after a failure; chunks of `chunkSize` for a one-shot stream, so a failed
   * chunk can be sent again from memory. `chunked` or `stream` force one way.
   */
  readonly strategy?: 'auto' | UploadStrategy;
  /** Called after each accepted chunk. */
  readonly onProgress?: (progress: UploadProgress) => void;
  /** Called after each accepted chunk with a session that can be saved and resumed. */
  readonly onSession?: (session: UploadSession) => void;
  /** Continue a saved session; the source must produce the same bytes from the start. */
  readonly resume?: UploadSession;
}

/** How {@link BlobsService.mount} made the blob available. @public */
export type MountResult = 'exists' | 'mounted' | 'uploaded';

/**
 * Blobs: existence, verified streaming download with resume, monolithic and chunked uploads with
 * resume, cross-repository mounts (seed F-16..F-21).
 * @public
 */
export class BlobsService {
  readonly #ctx: ClientContext;
  readonly #engine: UploadEngine;

  /** @param ctx - the client context */
  constructor(ctx: ClientContext) {
    this.#ctx = ctx;
    this.#engine = new UploadEngine(ctx);
  }

  get #chunkSize(): number {
    return Math.max(1, Math.round(this.#ctx.config.upload.chunkSizeMb * MIB));
  }

  /** Runs a blob operation in its span; the result (digest or mount outcome) becomes an attribute. */
  async #traced<T extends string>(operation: string, input: ReferenceInput, digest: string | undefined, fn: () => Promise<T>): Promise<T> {
    const attributes = { ...refAttributes(toReference(input)), ...(digest === undefined ? {} : { 'docker_hub.digest': digest }) };
    return this.#ctx.telemetry.run(operation, attributes, async (span) => {
      const result = await fn();
      span.setAttribute(operation === 'blobs.mount' ? 'docker_hub.mount_result' : 'docker_hub.digest', result);
      return result;
    });
  }

  /**
   * Whether a repository has a blob (`HEAD`).
   * @param input - the repository
   * @param digest - the blob digest
   * @param options - signal
   * @returns true when present
   * @throws {@link @llmdevops/docker-hub-core!AuthenticationError | AuthenticationError}, {@link @llmdevops/docker-hub-core!ServerError | ServerError}, ... for anything but 200/404
   */
  async exists(input: ReferenceInput, digest: string, options: CallOptions = {}): Promise<boolean> {
    return (await this.size(input, digest, options)) !== undefined;
  }

  /**
   * The size of a blob (`HEAD`), or undefined when the repository does not have it.
   * @param input - the repository
   * @param digest - the blob digest
   * @param options - signal
   * @returns the size in bytes, or undefined
   */
  async size(input: ReferenceInput, digest: string, options: CallOptions = {}): Promise<number | undefined> {
    const ref = toReference(input);
    Digest.parse(digest);
    const res = await this.#ctx.send({ method: 'HEAD', ref, path: `blobs/${digest}`, signal: options.signal, operation: 'blobs' });
    await res.dump();
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw await errorFromResponse(res, `HEAD blob ${digest} in ${ref.name}`);
    return Number(res.header('content-length') ?? '0');
  }

  /**
   * Downloads a blob as a stream that is verified while it flows: it fails with
   * {@link DigestMismatchError} (or {@link @llmdevops/docker-hub-core!SizeMismatchError | SizeMismatchError}) at the end when the bytes are
   * wrong. A connection drop in the middle is continued with `Range`; redirects to another
   * origin never carry `Authorization` (transport).
   * @param input - the repository
   * @param digest - the blob digest
   * @param options - expected size, signal
   * @returns a Node `Readable`; errors (including `NotFoundError` `BLOB_UNKNOWN`) arrive as stream errors
   * @throws {@link @llmdevops/docker-hub-core!InvalidDigestError | InvalidDigestError} for a malformed digest
   * @example
   * ```ts
   * await pipeline(client.blobs.get(ref, digest), createWriteStream('layer.tar.gz'));
   * ```
   */
  get(input: ReferenceInput, digest: string, options: GetBlobOptions = {}): Readable {
    const ref = toReference(input);
    Digest.parse(digest);
    const what = `blob ${digest} from ${ref.name}`;
    // The stream handed out is the verifying transform itself (one stream stage fewer per chunk).
    const out = createVerifyingTransform({ expected: digest, ...(options.size === undefined ? {} : { size: options.size }), what });
    void this.#ctx.telemetry.run('blobs.get', { ...refAttributes(ref), 'docker_hub.digest': digest }, async () => {
      // `resume`: a body cut in the middle is continued with Range under the transport's policy.
      // Through the context: mirrors (if any) and HTTPS first apply as to every registry read.
      const res = await this.#ctx.send({ method: 'GET', ref, path: `blobs/${digest}`, signal: options.signal, operation: 'blobs', actions: ['pull'], resume: true });
      if (res.status !== 200) throw await errorFromResponse(res, `GET ${what}`);
      await pipeline(res.body, out);
    }).catch((err: unknown) => {
      const signal = options.signal;
      const aborted = signal?.aborted === true && !isDockerHubError(err);
      out.destroy(aborted ? new AbortedError(`GET ${what}`, signal.reason) : err instanceof Error ? err : new Error(String(err)));
    });
    return out;
  }

  /**
   * Uploads a blob: monolithic (`POST` + one `PUT`) for content up to the chunk size, chunked
   * otherwise. An existing blob (same digest) is not uploaded again.
   * @param input - the repository
   * @param source - bytes, a stream or a function opening the bytes
   * @param options - digest, size, chunk size, progress, resume, signal
   * @returns the blob digest
   * @throws {@link @llmdevops/docker-hub-core!DigestMismatchError | DigestMismatchError} when `digest` was given and the bytes differ
   */
  async upload(input: ReferenceInput, source: BlobSource, options: UploadOptions = {}): Promise<string> {
    return this.#traced('blobs.upload', input, options.digest, () => this.#upload(input, source, options));
  }

  async #upload(input: ReferenceInput, source: BlobSource, options: UploadOptions): Promise<string> {
    const ref = toReference(input);
    const chunkSize = options.chunkSize ?? this.#chunkSize;
    if (options.resume === undefined && options.digest !== undefined && (await this.exists(ref, options.digest, options))) {
      return options.digest;
    }
    if (options.resume !== undefined) return this.#chunked(ref, source, options);
    if (source instanceof Uint8Array && source.length <= chunkSize) return this.#monolithic(ref, source, options);
    const strategy = options.strategy ?? 'auto';
    const streamed = strategy === 'stream' || (strategy === 'auto' && isRestartable(source));
    // Known to be larger than a chunk: no need to look at the first chunk.
    if (source instanceof Uint8Array || (options.size !== undefined && options.size > chunkSize)) {
      return this.#chunked(ref, source, streamed ? { ...options, strategy: 'stream' } : options);
    }
    // Unknown or small size: read one chunk; if the source ends there, send it in one PUT.
    const reader = new ChunkReader(openSource(source));
    const first = await reader.read(chunkSize + 1);
    if (first.length <= chunkSize) {
      await reader.close();
      return this.#monolithic(ref, first, options);
    }
    if (streamed && isRestartable(source)) {
      // Opened again from the start by the streamed upload.
      await reader.close();
      return this.#chunked(ref, source, { ...options, strategy: 'stream' });
    }
    const rest = (async function* () {
      yield first;
      for (;;) {
        const next = await reader.read(chunkSize);
        if (next.length === 0) return;
        yield next;
      }
    })();
    return this.#chunked(ref, rest, options);
  }

  /**
   * Uploads a blob in chunks (`POST`, `PATCH`..., `PUT`). After a failed chunk the registry is
   * asked for the upload's offset and the upload continues from there; `onSession` reports a
   * session that a new process can pass as `resume` together with the same source.
   * @param input - the repository
   * @param source - bytes, a stream or a function opening the bytes
   * @param options - chunk size, digest, progress, session callbacks, resume, signal
   * @returns the blob digest
   * @throws {@link @llmdevops/docker-hub-core!DigestMismatchError | DigestMismatchError} when `digest` was given and the bytes differ
   */
  async uploadChunked(input: ReferenceInput, source: BlobSource, options: UploadOptions = {}): Promise<string> {
    return this.#traced('blobs.uploadChunked', input, options.digest, () => this.#uploadChunked(input, source, options));
  }

  async #uploadChunked(input: ReferenceInput, source: BlobSource, options: UploadOptions): Promise<string> {
    const ref = toReference(input);
    if (options.resume === undefined && options.digest !== undefined && (await this.exists(ref, options.digest, options))) {
      return options.digest;
    }
    return this.#chunked(ref, source, { ...options, strategy: 'chunked' });
  }

  /**
   * Makes a blob available in `input` by mounting it from another repository of the same
   * registry; when the registry answers 202 (not mounted) the blob is streamed from `fromRepo`
   * into the upload session it opened. A blob already present is left alone.
   * @param input - the target repository
   * @param digest - the blob digest
   * @param fromRepo - the source repository: a name on the same registry (`team/base`), or a reference (any registry; other registries are streamed)
   * @param options - signal
   * @returns `exists`, `mounted` or `uploaded`
   */
  async mount(input: ReferenceInput, digest: string, fromRepo: string | ImageReference, options: CallOptions = {}): Promise<MountResult> {
    return this.#traced('blobs.mount', input, digest, () => this.#mount(input, digest, fromRepo, options));
  }

  async #mount(input: ReferenceInput, digest: string, fromRepo: string | ImageReference, options: CallOptions): Promise<MountResult> {
    const ref = toReference(input);
    // A string names a repository on the same registry; a reference may name another registry.
    const from = typeof fromRepo === 'string' ? ImageReference.from({ registry: ref.registry, repository: fromRepo }) : fromRepo;
    if (await this.exists(ref, digest, options)) return 'exists';
    const source = (): Readable => this.get(from, digest, withSignal(options.signal));
    if (!this.#ctx.sameRegistry(ref, from)) {
      await this.#engine.upload(ref, source, { chunkSize: this.#chunkSize, strategy: 'stream', digest, signal: options.signal });
      return 'uploaded';
    }
    const query = `blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from.repository)}`;
    const res = await this.#ctx.expect(
      // A repeated mount request has the same effect; a repeated 202 only leaves a session to expire.
      { method: 'POST', ref, path: query, headers: { 'content-length': '0' }, signal: options.signal, operation: 'blobs.uploads', idempotent: true },
      [201, 202],
      `mount ${digest} from ${from.repository} into ${ref.name}`,
    );
    await res.dump();
    if (res.status === 201) {
      const echoed = res.header('docker-content-digest');
      if (echoed === undefined || digestEquals(digest, echoed)) return 'mounted';
    }
    const header = res.header('location');
    const location = header === undefined ? undefined : new URL(header, res.url);
    await this.#engine.upload(ref, source, { chunkSize: this.#chunkSize, strategy: 'stream', digest, signal: options.signal, location });
    return 'uploaded';
  }

  async #monolithic(ref: ImageReference, bytes: Uint8Array, options: UploadOptions): Promise<string> {
    const digest = Digest.fromBytes(bytes).toString();
    if (options.digest !== undefined && !digestEquals(options.digest, digest)) {
      throw new DigestMismatchError(options.digest, digest, `blob for ${ref.name}`);
    }
    const { location } = await this.#engine.start(ref, options.signal);
    await this.#engine.commit(ref, location, digest, { signal: options.signal, body: bytes });
    options.onProgress?.({ bytesSent: bytes.length, totalBytes: bytes.length });
    return digest;
  }

  async #chunked(ref: ImageReference, source: BlobSource, options: UploadOptions): Promise<string> {
    return this.#engine.upload(ref, source, {
      chunkSize: options.chunkSize ?? this.#chunkSize,
      strategy: options.strategy === 'stream' ? 'stream' : 'chunked',
      digest: options.digest,
      size: options.size ?? (source instanceof Uint8Array ? source.length : undefined),
      signal: options.signal,
      resume: options.resume,
      onProgress: options.onProgress,
      onSession: options.onSession,
    });
  }
}
