import { DockerHubError } from './docker-hub-error.js';

/**
 * Content did not hash to its expected digest (code `DIGEST_MISMATCH`). Nothing unverified is
 * kept. Retryable: a fresh download may succeed when the corruption was in transit.
 * @public
 */
export class DigestMismatchError extends DockerHubError {
  /** The digest the content was supposed to have. */
  readonly expected: string;
  /** The digest the content actually has. */
  readonly actual: string;

  /**
   * @param expected - the expected digest
   * @param actual - the computed digest
   * @param what - what was verified, e.g. `blob` or `manifest`
   */
  constructor(expected: string, actual: string, what = 'content') {
    super('DIGEST_MISMATCH', `${what} digest mismatch: expected ${expected}, got ${actual}`, {
      retryable: true,
    });
    this.expected = expected;
    this.actual = actual;
  }
}

/** Content did not have its expected size (code `SIZE_MISMATCH`). @public */
export class SizeMismatchError extends DockerHubError {
  /** The expected size in bytes. */
  readonly expected: number;
  /** The size seen (so far, when the content was too long). */
  readonly actual: number;

  /**
   * @param expected - the expected size
   * @param actual - the size seen
   * @param what - what was measured
   */
  constructor(expected: number, actual: number, what = 'content') {
    super('SIZE_MISMATCH', `${what} size mismatch: expected ${expected} bytes, got ${actual}`, {
      retryable: true,
    });
    this.expected = expected;
    this.actual = actual;
  }
}
