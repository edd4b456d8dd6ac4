import { type BlobStore, type ByteRange, type UploadState } from './blob-store.js';
import { digestOf, parseDigest } from './hashing.js';

/**
 * A {@link BlobStore} in memory (the default): fast, gone when the process ends.
 * @returns the store
 * @public
 */
export function createMemoryStore(): BlobStore {
  const blobs = new Map<string, Uint8Array>();
  const uploads = new Map<string, Uint8Array[]>();
  let meta: string | undefined;
  const concat = (parts: Uint8Array[]): Uint8Array => Buffer.concat(parts);
  return {
    stat: (digest) => Promise.resolve(blobs.get(digest)?.byteLength),
    async *read(digest: string, range?: ByteRange) {
      const bytes = blobs.get(digest);
      if (bytes === undefined) throw new Error(`blob ${digest} is not stored`);
      // Yield in 64 KiB pieces so faults that cut a body mid-way behave as over a socket.
      const start = range?.start ?? 0;
      const end = range === undefined ? bytes.byteLength : range.end + 1;
      for (let i = start; i < end; i += 65_536) {
        await Promise.resolve();
        yield bytes.subarray(i, Math.min(end, i + 65_536));
      }
    },
    readAll(digest) {
      const bytes = blobs.get(digest);
      return bytes === undefined
        ? Promise.reject(new Error(`blob ${digest} is not stored`))
        : Promise.resolve(bytes);
    },
    putVerified(digest, bytes) {
      blobs.set(digest, Uint8Array.from(bytes));
      return Promise.resolve();
    },
    delete: (digest) => Promise.resolve(blobs.delete(digest)),
    createUpload(id) {
      uploads.set(id, []);
      return Promise.resolve();
    },
    uploadState(id): Promise<UploadState | undefined> {
      const parts = uploads.get(id);
      return Promise.resolve(
        parts === undefined ? undefined : { size: parts.reduce((n, p) => n + p.byteLength, 0) },
      );
    },
    async append(id, body) {
      const parts = uploads.get(id);
      if (parts === undefined) throw new Error(`upload ${id} is not open`);
      for await (const chunk of body) parts.push(Uint8Array.from(chunk));
      return { size: parts.reduce((n, p) => n + p.byteLength, 0) };
    },
    commit(id, expected) {
      const parts = uploads.get(id);
      if (parts === undefined) return Promise.reject(new Error(`upload ${id} is not open`));
      const bytes = concat(parts);
      const digest = digestOf(bytes, parseDigest(expected)?.algorithm);
      if (digest === expected) {
        blobs.set(digest, bytes);
        uploads.delete(id);
      }
      return Promise.resolve({ digest, size: bytes.byteLength });
    },
    cancel: (id) => Promise.resolve(uploads.delete(id)),
    saveMeta(json) {
      meta = json;
      return Promise.resolve();
    },
    loadMeta: () => Promise.resolve(meta),
  };
}
