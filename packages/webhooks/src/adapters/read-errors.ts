import { WebhookError } from '@llmdevops/docker-hub-core';

export { bodyTooLarge } from '../handler/preflight.js';

/**
 * The 400 for a body that could not be read to its end (the sender hung up, the stream failed).
 * @param cause - the stream error, if any
 * @returns the error
 * @internal
 */
export function bodyUnreadable(cause?: unknown): WebhookError {
  return new WebhookError('WEBHOOK_INVALID', 'body could not be read to its end', {
    status: 400,
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Joins chunks into one buffer.
 * @param chunks - the chunks
 * @param total - their total length
 * @returns the bytes
 * @internal
 */
export function concatChunks(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
