import { createHash, type Hash } from 'node:crypto';

const ALGORITHMS: Readonly<Record<string, { node: string; hexLength: number }>> = {
  sha256: { node: 'sha256', hexLength: 64 },
  sha512: { node: 'sha512', hexLength: 128 },
};

/** A digest string split into its parts. @internal */
export interface ParsedDigest {
  readonly algorithm: string;
  readonly hex: string;
}

/**
 * Parses `algorithm:hex` and checks the algorithm is supported and the hex has the right length.
 * @param value - the digest string
 * @returns the parts, or `undefined` when malformed
 * @internal
 */
export function parseDigest(value: string): ParsedDigest | undefined {
  const m = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-f0-9]+)$/.exec(value);
  if (m?.[1] === undefined || m[2] === undefined) return undefined;
  const algo = ALGORITHMS[m[1]];
  if (algo?.hexLength !== m[2].length) return undefined;
  return { algorithm: m[1], hex: m[2] };
}

/**
 * Starts an incremental hash for a digest algorithm.
 * @param algorithm - `sha256` or `sha512`
 * @returns a node:crypto Hash
 * @internal
 */
export function newHash(algorithm: string): Hash {
  return createHash(ALGORITHMS[algorithm]?.node ?? 'sha256');
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
