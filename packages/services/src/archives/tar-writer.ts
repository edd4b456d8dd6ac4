import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { AbortedError, SizeMismatchError } from '@llmdevops/docker-hub-core';
import { encodeHeader, padding, type TarHeaderInit } from './tar-format.js';

/** One entry to write: its header and, for files, a function opening its data. @internal */
export interface TarSourceEntry extends TarHeaderInit {
  /** Opens the data; it must produce exactly `size` bytes. Absent for directories and links. */
  readonly open?: () => AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
}

/**
 * Produces a tar archive (ustar, pax where needed) chunk by chunk: each entry's header, its data
 * as the source yields it, padding, and the two end-of-archive blocks. The data passes through
 * without being copied or buffered.
 * @param entries - the entries, in order
 * @returns the archive's chunks
 * @throws {@link @llmdevops/docker-hub-core!SizeMismatchError | SizeMismatchError} when an entry's data is not `size` bytes
 * @internal
 */
export async function* tarChunks(entries: AsyncIterable<TarSourceEntry> | Iterable<TarSourceEntry>): AsyncGenerator<Uint8Array> {
  for await (const entry of entries) {
    yield* encodeHeader(entry);
    if (entry.open === undefined) continue;
    let written = 0;
    for await (const chunk of entry.open()) {
      written += chunk.byteLength;
      if (written > entry.size) throw new SizeMismatchError(entry.size, written, `archive entry ${entry.name}`);
      yield chunk;
    }
    if (written !== entry.size) throw new SizeMismatchError(entry.size, written, `archive entry ${entry.name}`);
    const pad = padding(entry.size);
    if (pad > 0) yield Buffer.alloc(pad);
  }
  yield Buffer.alloc(1024);
}

/** Waits for `drain`; a stream closed or destroyed meanwhile fails the wait instead of hanging it. */
async function drained(out: Writable, signal: AbortSignal | undefined): Promise<void> {
  const closed = new AbortController();
  const onClose = (): void => {
    closed.abort(new Error('the archive output was closed before the archive was complete'));
  };
  out.once('close', onClose);
  try {
    await once(out, 'drain', { signal: signal === undefined ? closed.signal : AbortSignal.any([signal, closed.signal]) });
  } catch (err) {
    if (closed.signal.aborted && signal?.aborted !== true) throw closed.signal.reason as Error;
    throw err;
  } finally {
    out.off('close', onClose);
  }
}

/**
 * Writes chunks to a writable stream, waiting for `drain` when it pushes back (memory stays at
 * the stream's buffer), and ends it only when asked. A failure leaves the stream open and not
 * ended, so no valid archive end reaches the reader.
 * @param chunks - what to write
 * @param out - where
 * @param options - `end` (default true) and the signal
 * @returns the bytes written
 * @internal
 */
export async function writeChunks(
  chunks: AsyncIterable<Uint8Array>,
  out: Writable,
  options: { readonly end?: boolean; readonly signal?: AbortSignal | undefined },
): Promise<number> {
  let failure: Error | undefined;
  const onError = (err: Error): void => {
    failure ??= err;
  };
  out.on('error', onError);
  let bytes = 0;
  try {
    for await (const chunk of chunks) {
      if (failure !== undefined) throw failure;
      if (options.signal?.aborted === true) throw new AbortedError('archive write', options.signal.reason);
      bytes += chunk.byteLength;
      if (!out.write(chunk)) await drained(out, options.signal);
    }
    if (failure !== undefined) throw failure;
    if (options.end !== false) {
      out.end();
      if (!out.writableFinished) await once(out, 'finish', options.signal === undefined ? {} : { signal: options.signal });
    }
    return bytes;
  } finally {
    out.off('error', onError);
  }
}
