/**
 * Wraps an async iterable of bytes as a web `ReadableStream` (pull-based, so backpressure holds).
 * @param source - the bytes
 * @returns a stream that ends when the iterable does and errors when it throws
 * @internal
 */
export function toWebStream(source: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const it = source[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await it.next();
      if (next.done === true) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await it.return?.();
    },
  });
}

/**
 * The body of a request as an async iterable (empty when there is none).
 * @param body - a web stream or null
 * @returns the chunks
 * @internal
 */
export async function* iterateBody(
  body: ReadableStream<Uint8Array> | null,
): AsyncIterable<Uint8Array> {
  if (body === null) return;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * Reads a body whole, failing once it passes `limit` bytes (without reading further).
 * @param body - the stream
 * @param limit - the largest accepted size
 * @returns the bytes, or `undefined` when over the limit
 * @internal
 */
export async function readLimited(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
): Promise<Uint8Array | undefined> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of iterateBody(body)) {
    size += chunk.byteLength;
    if (size > limit) {
      await body?.cancel().catch(() => undefined);
      return undefined;
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

/**
 * Reads and discards a body.
 * @param body - the stream or null
 * @returns when done
 * @internal
 */
export async function drain(body: ReadableStream<Uint8Array> | null): Promise<void> {
  const reader = body?.getReader();
  if (reader === undefined) return;
  for (;;) {
    const { done } = await reader.read();
    if (done) return;
  }
}

/**
 * Reads the next chunk from a web stream reader (typed, since the global stream types are loose).
 * @param reader - the reader
 * @returns the chunk, or `undefined` at the end
 * @internal
 */
export async function readChunk(
  reader: ReadableStreamDefaultReader<Uint8Array>,
): Promise<Uint8Array | undefined> {
  const result = (await reader.read()) as { done: boolean; value?: Uint8Array };
  return result.done ? undefined : result.value;
}
