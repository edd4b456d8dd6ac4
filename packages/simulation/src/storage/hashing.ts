import { createHash, type Hash } from 'node:crypto';
import { Digest } from '@llmdevops/docker-hub-core';

/** A digest string split into its parts. @internal */
export interface ParsedDigest {
  readonly algorithm: string;
  readonly hex: string;
}

/**
 * Parses `algorithm:hex` with core's {@link Digest} grammar (sha256 and sha512 only).
 * @param value - the digest string
 * @returns the parts, or `undefined` when malformed
 * @internal
 */
export function parseDigest(value: string): ParsedDigest | undefined {
  const d = Digest.tryParse(value);
  return d === undefined ? undefined : { algorithm: d.algorithm, hex: d.encoded };
}

/**
 * Starts an incremental hash for a digest algorithm.
 * @param algorithm - `sha256` or `sha512`
 * @returns a node:crypto Hash
 * @internal
 */
export function newHash(algorithm: string): Hash {
  return createHash(algorithm === 'sha512' ? 'sha512' : 'sha256');
}

/**
 * Digest of bytes in memory.
 * @param bytes - the content
 * @param algorithm - defaults to sha256
 * @returns `algorithm:hex`
 * @internal
 */
export function digestOf(bytes: Uint8Array, algorithm = 'sha256'): string {
  return `${algorithm}:${newHash(algorithm).update(bytes).digest('hex')}`;
}
