import { Transform, type TransformCallback } from 'node:stream';

/** A size option that is not a byte count; the caller turns it into a usage error. @internal */
export class ByteSizeError extends Error {
  override readonly name = 'ByteSizeError';
}

const UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/**
 * Parses a byte count: plain bytes (`1048576`) or a whole number with a unit, decimal (`kB`,
 * `MB`, `GB`, `TB`) or binary (`KiB`, `MiB`, `GiB`, `TiB`), case-insensitive (`4GiB`, `512 MiB`).
 * @param option - the option name, for messages (e.g. `--max-size`)
 * @param text - the value given
 * @returns the count in bytes
 * @throws ByteSizeError when malformed or beyond `Number.MAX_SAFE_INTEGER`
 * @internal
 */
export function parseByteSize(option: string, text: string): number {
  const match = /^(\d{1,16})\s*([a-z]{1,3})?$/i.exec(text.trim());
  const unit = UNITS[(match?.[2] ?? 'b').toLowerCase()];
  if (match === null || unit === undefined)
    throw new ByteSizeError(
      `${option} must be a byte count such as 1048576, 512MiB or 4GiB, got '${text}'`,
    );
  const bytes = Number(match[1]) * unit;
  if (!Number.isSafeInteger(bytes)) throw new ByteSizeError(`${option} is too large: '${text}'`);
  return bytes;
}

/**
 * A pass-through stream that fails once more than `limit` bytes went through; the chunk that
 * crosses the limit is not passed on.
 * @param limit - the most bytes allowed
 * @param tooLarge - builds the error
 * @returns the transform
 * @internal
 */
export function byteLimit(limit: number, tooLarge: () => Error): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      seen += chunk.byteLength;
      if (seen > limit) callback(tooLarge());
      else callback(null, chunk);
    },
  });
}
