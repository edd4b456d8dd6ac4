import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type BlobStore, type ByteRange } from './blob-store.js';
import { newHash, parseDigest } from './hashing.js';

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

async function writeAtomic(dir: string, path: string, bytes: Uint8Array | string): Promise<void> {
  const tmp = join(dir, 'tmp', randomUUID());
  await writeFile(tmp, bytes);
  await rename(tmp, path);
}

/**
 * A {@link BlobStore} in a directory: blobs content-addressed under `blobs/<alg>/<hex>`, upload
 * sessions under `uploads/`, metadata in `meta.json`. Every final file is written to `tmp/` first
 * and renamed into place, so a crash never leaves a partial blob; bytes are streamed, never
 * buffered whole. A new store over the same directory serves what an earlier one stored.
 * @param root - the directory (created when missing)
 * @returns the store
 * @public
 */
export async function createDirectoryStore(root: string): Promise<BlobStore> {
  await Promise.all(
    ['blobs', 'uploads', 'tmp'].map((d) => mkdir(join(root, d), { recursive: true })),
  );
  const blobPath = (digest: string): string => {
    const p = parseDigest(digest);
    if (p === undefined) throw new Error(`not a digest: ${digest}`);
    return join(root, 'blobs', p.algorithm, p.hex);
  };
  const uploadPath = (id: string): string => {
    if (!/^[A-Za-z0-9-]+$/.test(id)) throw new Error(`not an upload id: ${id}`);
    return join(root, 'uploads', id);
  };
  return {
    stat: (digest) => sizeOf(blobPath(digest)),
    async *read(digest: string, range?: ByteRange) {
      const opts = range === undefined ? {} : { start: range.start, end: range.end };
      for await (const chunk of createReadStream(blobPath(digest), opts)) yield chunk as Buffer;
    },
    async readAll(digest) {
      return readFile(blobPath(digest));
    },
    async putVerified(digest, bytes) {
      const path = blobPath(digest);
      await mkdir(join(path, '..'), { recursive: true });
      await writeAtomic(root, path, bytes);
    },
    async delete(digest) {
      const path = blobPath(digest);
      const existed = (await sizeOf(path)) !== undefined;
      await rm(path, { force: true });
      return existed;
    },
    async createUpload(id) {
      await writeFile(uploadPath(id), new Uint8Array(0));
    },
    async uploadState(id) {
      const size = await sizeOf(uploadPath(id));
      return size === undefined ? undefined : { size };
    },
    async append(id, body, signal) {
      const path = uploadPath(id);
      if ((await sizeOf(path)) === undefined) throw new Error(`upload ${id} is not open`);
      const out = createWriteStream(path, { flags: 'a' });
      await pipeline(Readable.from(body), out, signal === undefined ? {} : { signal });
      return { size: (await sizeOf(path)) ?? 0 };
    },
    async commit(id, expected) {
      const path = uploadPath(id);
      const hash = newHash(parseDigest(expected)?.algorithm ?? 'sha256');
      let size = 0;
      for await (const chunk of createReadStream(path)) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).byteLength;
      }
      const digest = `${parseDigest(expected)?.algorithm ?? 'sha256'}:${hash.digest('hex')}`;
      if (digest === expected) {
        const target = blobPath(digest);
        await mkdir(join(target, '..'), { recursive: true });
        await rename(path, target);
      }
      return { digest, size };
    },
    async cancel(id) {
      const path = uploadPath(id);
      const existed = (await sizeOf(path)) !== undefined;
      await rm(path, { force: true });
      return existed;
    },
    saveMeta: (json) => writeAtomic(root, join(root, 'meta.json'), json),
    async loadMeta() {
      try {
        return await readFile(join(root, 'meta.json'), 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}
