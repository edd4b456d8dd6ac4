import { Transform, type TransformCallback } from 'node:stream';
import { DigestMismatchError, SizeMismatchError } from '../errors/integrity-errors.js';
import { ValidationError } from '../errors/validation-errors.js';
import { Digest } from './digest.js';
import { createHasher, type Hasher } from './hasher.js';

/** What verified content must be. @public */
export interface VerifyOptions {
  /** The digest the content must hash to. */
  readonly expected: Digest | string;
  /** The exact size in bytes, when known (checked as bytes arrive). */
  readonly size?: number;
  /** What is verified, for messages (`blob`, `manifest`, ...); default `content`. */
  readonly what?: string;
}

/**
 * Checks bytes against a size and a digest (size first: it is cheap).
 * @param bytes - the content
 * @param expected - the digest it must have
 * @param expectedSize - the size it must have, if known
 * @throws {@link SizeMismatchError} when the size differs
 * @throws {@link DigestMismatchError} when the digest differs
 * @throws {@link InvalidDigestError} when `expected` is not a valid digest
 * @public
 */
export function verifyBytes(
  bytes: Uint8Array,
  expected: Digest | string,
  expectedSize?: number,
): void {
  const want = toDigest(expected);
  if (expectedSize !== undefined) {
    checkSize(expectedSize);
    if (bytes.byteLength !== expectedSize)
      throw new SizeMismatchError(expectedSize, bytes.byteLength);
  }
  const actual = Digest.fromBytes(bytes, want.algorithm);
  if (!actual.equals(want)) throw new DigestMismatchError(want.toString(), actual.toString());
}

/** The checks shared by the Node and web verifying streams. */
class Verifier {
  readonly #hasher: Hasher;
  readonly #want: Digest;
  readonly #size: number | undefined;
  readonly #what: string;

  constructor(options: VerifyOptions) {
    this.#want = toDigest(options.expected);
    if (options.size !== undefined) checkSize(options.size);
    this.#size = options.size;
    this.#what = options.what ?? 'content';
    this.#hasher = createHasher(this.#want.algorithm);
  }

  /** Hashes a chunk, or returns the error when it takes the content past its size. */
  accept(chunk: Uint8Array): Error | undefined {
    const total = this.#hasher.bytes + chunk.byteLength;
    if (this.#size !== undefined && total > this.#size) {
      return new SizeMismatchError(this.#size, total, this.#what);
    }
    this.#hasher.update(chunk);
    return undefined;
  }

  /** The error for the complete content, if any. */
  finish(): Error | undefined {
    const seen = this.#hasher.bytes;
    if (this.#size !== undefined && seen !== this.#size) {
      return new SizeMismatchError(this.#size, seen, this.#what);
    }
    const actual = this.#hasher.digest();
    return actual.equals(this.#want)
      ? undefined
      : new DigestMismatchError(this.#want.toString(), actual.toString(), this.#what);
  }
}

/**
 * A Node `Transform` that passes bytes through unchanged while hashing them. It fails with
 * {@link SizeMismatchError} as soon as more than `size` bytes arrive (the extra chunk is not
 * passed on) or at the end when fewer arrived, and with {@link DigestMismatchError} at the end
 * when the digest differs. Write to a temporary place and move it only after `finish`.
 * @param options - expected digest, optional size and a label for messages
 * @returns the transform
 * @throws {@link InvalidDigestError} when `expected` is not a valid digest
 * @example
 * ```ts
 * await pipeline(body, createVerifyingTransform({ expected: desc.digest, size: desc.size }), file);
 * ```
 * @public
 */
export function createVerifyingTransform(options: VerifyOptions): Transform {
  const verifier = new Verifier(options);
  return new Transform({
    transform(chunk: Buffer | string, _encoding: BufferEncoding, callback: TransformCallback) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      const error = verifier.accept(bytes);
      if (error === undefined) callback(null, bytes);
      else callback(error);
    },
    flush(callback: TransformCallback) {
      callback(verifier.finish());
    },
  });
}

/**
 * The web-streams version of {@link createVerifyingTransform}: a `TransformStream` that passes
 * bytes through unchanged and errors with the same size and digest errors.
 * @param options - expected digest, optional size and a label for messages
 * @returns the transform stream
 * @throws {@link InvalidDigestError} when `expected` is not a valid digest
 * @example
 * ```ts
 * const verified = response.body.pipeThrough(createVerifyingStream({ expected }));
 * ```
 * @public
 */
export function createVerifyingStream(
  options: VerifyOptions,
): TransformStream<Uint8Array, Uint8Array> {
  const verifier = new Verifier(options);
  // Node's global: importing `node:stream/web` would load the web streams wherever core is loaded.
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      const error = verifier.accept(chunk);
      if (error !== undefined) throw error;
      controller.enqueue(chunk);
    },
    flush() {
      const error = verifier.finish();
      if (error !== undefined) throw error;
    },
  });
}

function toDigest(expected: Digest | string): Digest {
  return typeof expected === 'string' ? Digest.parse(expected) : expected;
}

function checkSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new ValidationError(
      'INVALID_ARGUMENT',
      `expected size must be a non-negative integer, got ${size}`,
      String(size),
    );
  }
}
