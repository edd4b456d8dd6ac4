/**
 * Where an unfinished chunked upload stands. Save it (it is plain JSON) and pass it back as
 * `resume` with the same source, even from another process, to continue from `offset`.
 * @public
 */
export interface UploadSession {
  /** The newest upload URL the registry gave (absolute; carries distribution's `_state`). */
  readonly location: string;
  /** Bytes the registry has accepted. */
  readonly offset: number;
  /** The digest of the whole blob, when the caller knew it. */
  readonly digestSoFar?: string;
}

/** Progress of an upload. @public */
export interface UploadProgress {
  /** Bytes the registry has accepted so far. */
  readonly bytesSent: number;
  /** The blob size when known. */
  readonly totalBytes: number | undefined;
}

/**
 * Parses an upload status `Range` (`0-<end>`, inclusive, with or without `bytes=`).
 * distribution answers `0-0` both for 0 and for 1 byte, so `0-0` is read as the caller's own
 * offset when that is 0 or 1.
 * @param header - the `Range` header
 * @param known - the offset the caller believes
 * @returns the number of bytes the registry holds, or undefined when unparsable
 * @internal
 */
export function offsetFromRange(header: string | undefined, known: number): number | undefined {
  const m = /^(?:bytes=)?0-(\d+)$/.exec(header?.trim() ?? '');
  if (m?.[1] === undefined) return undefined;
  const end = Number(m[1]);
  if (end === 0) return known <= 1 ? known : 1;
  return end + 1;
}

/**
 * Appends `digest=` to an upload URL, keeping its query (distribution's `_state`) byte for byte.
 * @param location - the upload URL
 * @param digest - the blob digest
 * @returns the URL to `PUT`
 * @internal
 */
export function withDigestParam(location: URL, digest: string): URL {
  const sep = location.search === '' ? '?' : '&';
  return new URL(`${location.href}${sep}digest=${encodeURIComponent(digest)}`);
}
