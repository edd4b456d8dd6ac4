import { createHash } from 'node:crypto';
import { ValidationError } from '../errors/validation-errors.js';
import { Digest, type DigestAlgorithm } from './digest.js';

/** An incremental digest computation over a stream of chunks. @public */
export interface Hasher {
  /** The algorithm in use. */
  readonly algorithm: DigestAlgorithm;
  /** Number of bytes hashed so far. */
  readonly bytes: number;
  /**
   * Adds a chunk.
   * @param chunk - the next bytes
   * @throws {@link ValidationError} (`INVALID_ARGUMENT`) after {@link Hasher.digest} was called
   */
  update(chunk: Uint8Array): void;
  /**
   * Finishes and returns the digest; later calls return the same digest.
   * @returns the digest of every chunk given, in order
   */
  digest(): Digest;
}

/**
 * Creates an incremental hasher: the digest of the chunks equals the digest of their
 * concatenation, whatever the chunking.
 * @param algorithm - `sha256` (default) or `sha512`
 * @returns a new hasher
 * @example
 * ```ts
 * const h = createHasher();
 * for await (const chunk of stream) h.update(chunk);
 * h.digest().toString();
 * ```
 * @public
 */
export function createHasher(algorithm: DigestAlgorithm = 'sha256'): Hasher {
  const hash = createHash(algorithm);
  let bytes = 0;
  let result: Digest | undefined;
  return {
    algorithm,
    get bytes() {
      return bytes;
    },
    update(chunk) {
      if (result !== undefined) {
        throw new ValidationError(
          'INVALID_ARGUMENT',
          'hasher already finished; create a new one',
          '',
        );
      }
      hash.update(chunk);
      bytes += chunk.byteLength;
    },
    digest() {
      result ??= Digest.of(algorithm, hash.digest('hex'));
      return result;
    },
  };
}
