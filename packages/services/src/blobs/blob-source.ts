import { Readable } from 'node:stream';

/**
 * Bytes to upload: a buffer, a stream (used once), or a function that opens the same bytes again
 * (lets an upload restart, and lets a new process resume a saved session).
 * @public
 */
export type BlobSource =
  | Uint8Array
  | NodeJS.ReadableStream
  | AsyncIterable<Uint8Array>
  | (() => NodeJS.ReadableStream | AsyncIterable<Uint8Array>);

/**
 * Whether a source can be read again from the start.
 * @param source - the source
 * @returns true for buffers and factories
 * @internal
 */
export function isRestartable(source: BlobSource): boolean {
  return source instanceof Uint8Array || typeof source === 'function';
}

/**
 * Opens a source for reading.
 * @param source - the source
 * @returns an async iterator of chunks
 * @internal
 */
export function openSource(source: BlobSource): AsyncIterator<Uint8Array> {
  if (source instanceof Uint8Array) return Readable.from([source])[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  const opened = typeof source === 'function' ? source() : source;
  const iterable = Symbol.asyncIterator in opened ? (opened as AsyncIterable<Uint8Array>) : Readable.from(opened as NodeJS.ReadableStream);
  const iterator = iterable[Symbol.asyncIterator]();
  if (!(opened instanceof Readable)) return iterator;
  // A stream may fail before anyone reads it (a GET feeding a streamed upload answers 404 while
  // the upload request is still being authorized): without a listener that 'error' would be
  // uncaught. The error is not lost: the stream keeps it and the iterator throws it on first read.
  opened.on('error', ignoreError);
  return {
    next: () => iterator.next(),
    // An iterator that never started cannot destroy its stream itself; do it here so a source
    // abandoned early (the upload failed first) frees its resources, e.g. the GET's socket.
    return: async (value?: unknown) => {
      opened.destroy();
      return (await iterator.return?.(value)) ?? { done: true, value: undefined };
    },
  };
}

function ignoreError(): void {
  // Reported by the iterator (see openSource).
}

/**
 * Reads a byte stream in pieces of an exact size, holding at most one piece plus one incoming
 * chunk in memory.
 * @internal
 */
export class ChunkReader {
  readonly #source: AsyncIterator<Uint8Array>;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #done = false;

  /** @param source - the chunks to regroup */
  constructor(source: AsyncIterator<Uint8Array>) {
    this.#source = source;
  }

  /**
   * The next `size` bytes (fewer only at the end of the stream).
   * @param size - bytes wanted
   * @returns the bytes, empty at the end
   */
  async read(size: number): Promise<Buffer> {
    while (this.#pendingBytes < size && !this.#done) {
      const next = await this.#source.next();
      if (next.done === true) {
        this.#done = true;
        break;
      }
      const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
      if (chunk.length === 0) continue;
      this.#pending.push(chunk);
      this.#pendingBytes += chunk.length;
    }
    const all = this.#pending.length === 1 ? (this.#pending[0] ?? Buffer.alloc(0)) : Buffer.concat(this.#pending);
    const out = all.subarray(0, size);
    const rest = all.subarray(size);
    this.#pending = rest.length > 0 ? [rest] : [];
    this.#pendingBytes = rest.length;
    return out;
  }

  /**
   * Everything not read yet, chunk by chunk as the source produces it (no regrouping, no copy).
   * @returns the remaining chunks
   */
  async *rest(): AsyncGenerator<Buffer> {
    const pending = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    yield* pending;
    while (!this.#done) {
      const next = await this.#source.next();
      if (next.done === true) {
        this.#done = true;
        return;
      }
      if (next.value.length > 0) yield Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    }
  }

  /** Stops reading the source early (closes streams). */
  async close(): Promise<void> {
    if (!this.#done) await this.#source.return?.();
    this.#done = true;
  }
}
