/** A byte range, both ends inclusive (HTTP `Range: bytes=start-end`). @public */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** What an upload session holds so far. @public */
export interface UploadState {
  /** Bytes received. */
  readonly size: number;
}

/**
 * Content-addressed storage for blob bytes (manifests are stored as blobs too) and for upload
 * sessions. Implementations stream: nothing here requires a whole blob in memory.
 * @public
 */
export interface BlobStore {
  /** Size of a stored blob, or `undefined` when absent. */
  stat(digest: string): Promise<number | undefined>;
  /** Streams a stored blob (or one range of it). */
  read(digest: string, range?: ByteRange): AsyncIterable<Uint8Array>;
  /** Reads a small blob whole (manifests); callers check the size first. */
  readAll(digest: string): Promise<Uint8Array>;
  /** Stores bytes already known to hash to `digest` (manifest bodies). */
  putVerified(digest: string, bytes: Uint8Array): Promise<void>;
  /** Removes a blob; returns whether it existed. */
  delete(digest: string): Promise<boolean>;
  /** Opens an empty upload session. */
  createUpload(id: string): Promise<void>;
  /** State of an upload session, or `undefined` when unknown. */
  uploadState(id: string): Promise<UploadState | undefined>;
  /** Appends a stream of bytes to an upload session; returns the new state. */
  append(id: string, body: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<UploadState>;
  /**
   * Hashes the session's bytes with the algorithm of `expected`; when the digest matches, moves
   * them into the store atomically and ends the session. Returns the computed digest either way
   * (a mismatch leaves the session open, as distribution does).
   */
  commit(id: string, expected: string): Promise<{ digest: string; size: number }>;
  /** Ends a session and drops its bytes; returns whether it existed. */
  cancel(id: string): Promise<boolean>;
  /** Saves the registry's metadata document (tags, links); memory stores keep it in memory. */
  saveMeta(json: string): Promise<void>;
  /** Loads the metadata document saved earlier, if any. */
  loadMeta(): Promise<string | undefined>;
}
