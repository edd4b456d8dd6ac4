import { createHash, timingSafeEqual } from 'node:crypto';
import { InvalidDigestError } from '../errors/validation-errors.js';
import { asText, describeChar, firstDisallowed, notString, quote } from '../validation/describe.js';

/** Digest algorithms this toolkit computes and verifies. @public */
export type DigestAlgorithm = 'sha256' | 'sha512';

/** Length of the hex-encoded value for each supported algorithm. @public */
export const DIGEST_HEX_LENGTH: Readonly<Record<DigestAlgorithm, number>> = {
  sha256: 64,
  sha512: 128,
};

/** The image-spec algorithm grammar: components of `[a-z0-9]` joined by `+`, `.`, `_` or `-`. */
const ALGORITHM_GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*$/;

/** Exactly the digests {@link inspectDigest} accepts (kept in step with `DIGEST_HEX_LENGTH`). */
const VALID_DIGEST = /^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

function isAlgorithm(value: string): value is DigestAlgorithm {
  return Object.hasOwn(DIGEST_HEX_LENGTH, value);
}

/**
 * Says what is wrong with a digest string, or returns its parts when it is valid.
 * @param text - the digest string
 * @returns the parts, or a message naming the problem
 * @internal
 */
export function inspectDigest(
  text: string,
): { algorithm: DigestAlgorithm; encoded: string } | string {
  const type = notString(text, 'digest');
  if (type !== undefined) return type;
  // Valid digests (nearly all of them) take one regular expression; the checks below only run
  // to say what is wrong with an invalid one.
  if (VALID_DIGEST.test(text)) {
    const colon = text.indexOf(':');
    return { algorithm: text.slice(0, colon) as DigestAlgorithm, encoded: text.slice(colon + 1) };
  }
  if (text === '') return 'digest is empty';
  const colon = text.indexOf(':');
  if (colon === -1) {
    return `digest ${quote(text)} has no ':'; expected <algorithm>:<hex>, e.g. sha256:<64 hex characters>`;
  }
  const algorithm = text.slice(0, colon);
  const encoded = text.slice(colon + 1);
  if (!isAlgorithm(algorithm)) {
    return ALGORITHM_GRAMMAR.test(algorithm)
      ? `unsupported digest algorithm ${quote(algorithm)}; supported are sha256 and sha512`
      : `invalid digest algorithm ${quote(algorithm)}; expected sha256 or sha512`;
  }
  const bad = firstDisallowed(encoded, /^[a-f0-9]$/);
  if (bad !== undefined) {
    return `invalid character ${describeChar(bad.char)} at index ${colon + 1 + bad.index} in digest ${quote(text)}; ${algorithm} digests are lower-case hex`;
  }
  // Known algorithm and hex characters but not VALID_DIGEST: the length is what is wrong.
  return `${algorithm} digest must have ${DIGEST_HEX_LENGTH[algorithm]} hex characters, got ${encoded.length}`;
}

/**
 * A content digest (`sha256:<64 hex>` or `sha512:<128 hex>`), validated on construction.
 * Immutable; compare with {@link Digest.equals}, which runs in constant time.
 * @example
 * ```ts
 * const d = Digest.fromBytes(new TextEncoder().encode('{}'));
 * d.toString(); // 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a'
 * Digest.parse('sha256:44136fa3...').equals(d);
 * ```
 * @public
 */
export class Digest {
  /** The algorithm, `sha256` or `sha512`. */
  readonly algorithm: DigestAlgorithm;
  /** The lower-case hex value after the colon. */
  readonly encoded: string;

  private constructor(algorithm: DigestAlgorithm, encoded: string) {
    this.algorithm = algorithm;
    this.encoded = encoded;
  }

  /**
   * Parses and validates a digest string.
   * @param text - e.g. `sha256:` followed by 64 lower-case hex characters
   * @returns the digest
   * @throws {@link InvalidDigestError} naming what is wrong (algorithm, length, character and index)
   */
  static parse(text: string): Digest {
    const result = inspectDigest(text);
    if (typeof result === 'string') throw new InvalidDigestError(result, asText(text));
    return new Digest(result.algorithm, result.encoded);
  }

  /**
   * Like {@link Digest.parse} but returns undefined instead of throwing.
   * @param text - a digest string
   * @returns the digest, or undefined when `text` is not a valid digest
   */
  static tryParse(text: string): Digest | undefined {
    const result = inspectDigest(text);
    return typeof result === 'string' ? undefined : new Digest(result.algorithm, result.encoded);
  }

  /**
   * Computes the digest of some bytes.
   * @param bytes - the exact content
   * @param algorithm - `sha256` (default) or `sha512`
   * @returns the digest of `bytes`
   */
  static fromBytes(bytes: Uint8Array, algorithm: DigestAlgorithm = 'sha256'): Digest {
    return new Digest(algorithm, createHash(algorithm).update(bytes).digest('hex'));
  }

  /**
   * Wraps a hex value computed elsewhere (e.g. by a hasher) after validating it.
   * @param algorithm - the algorithm
   * @param encoded - the lower-case hex value
   * @returns the digest
   * @throws {@link InvalidDigestError} when `encoded` is not valid for `algorithm`
   */
  static of(algorithm: DigestAlgorithm, encoded: string): Digest {
    return Digest.parse(`${algorithm}:${encoded}`);
  }

  /**
   * Constant-time comparison (`crypto.timingSafeEqual` over the hex values).
   * @param other - a digest or digest string (an invalid string is never equal)
   * @returns true when both name the same algorithm and value
   */
  equals(other: Digest | string): boolean {
    const that = typeof other === 'string' ? Digest.tryParse(other) : other;
    if (that?.algorithm !== this.algorithm) return false;
    return timingSafeEqual(
      Buffer.from(this.encoded, 'latin1'),
      Buffer.from(that.encoded, 'latin1'),
    );
  }

  /** @returns `<algorithm>:<hex>` */
  toString(): string {
    return `${this.algorithm}:${this.encoded}`;
  }

  /** @returns the string form, so digests serialize as strings */
  toJSON(): string {
    return this.toString();
  }
}

/**
 * Constant-time equality of two digests given as objects or strings; false when either string is
 * not a valid digest.
 * @param a - a digest or digest string
 * @param b - a digest or digest string
 * @returns true when they name the same content
 * @public
 */
export function digestEquals(a: Digest | string, b: Digest | string): boolean {
  const left = typeof a === 'string' ? Digest.tryParse(a) : a;
  return left?.equals(b) === true;
}
