import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AbortedError, LimitExceededError, ValidationError } from '@llmdevops/docker-hub-core';
import { ArchiveInvalidError } from './archive-error.js';
import { readTar, resolveEntry, type ArchiveLimits, type DataSink, type TarEntry } from './tar-reader.js';

/** What the scan learnt about a file entry's data. */
interface FileFacts {
  /** `sha256:<hex>` of the data. */
  readonly digest: string;
  /** Whether the data starts with the gzip magic bytes. */
  readonly gzip: boolean;
}

/** A file of the archive, with its data's digest. @internal */
export interface ArchiveFile extends TarEntry, FileFacts {}

/**
 * A source of archive bytes: a file path (read in place), or bytes or a stream (read once and
 * spooled to a private file).
 * @public
 */
export type ArchiveSource = string | Uint8Array | NodeJS.ReadableStream | AsyncIterable<Uint8Array>;

/** A checked archive on disk: every entry, each file's digest, and a way to read any file again. @internal */
export class ArchiveCatalog {
  readonly #path: string;
  readonly #entries: ReadonlyMap<string, TarEntry>;
  readonly #facts: ReadonlyMap<string, FileFacts>;

  constructor(path: string, entries: ReadonlyMap<string, TarEntry>, facts: ReadonlyMap<string, FileFacts>) {
    this.#path = path;
    this.#entries = entries;
    this.#facts = facts;
  }

  /**
   * Whether the archive has an entry of that name.
   * @param name - archive path
   * @returns true when present
   */
  has(name: string): boolean {
    return this.#entries.has(name);
  }

  /**
   * The file at `name`, links followed.
   * @param name - archive path (a leading `./` is ignored)
   * @param what - what it is, for messages
   * @returns the file and its digest
   * @throws {@link ArchiveInvalidError} (`missing`, `link-target`)
   */
  file(name: string, what: string): ArchiveFile {
    const entry = resolveEntry(this.#entries, name.replace(/^(\.\/)+/, ''), what);
    const facts = this.#facts.get(entry.name) ?? { digest: '', gzip: false };
    return { ...entry, ...facts };
  }

  /**
   * Opens a file's data.
   * @param file - the file
   * @returns a stream of exactly its bytes
   */
  open(file: ArchiveFile): Readable {
    return file.size === 0
      ? Readable.from([])
      : createReadStream(this.#path, { start: file.offset, end: file.offset + file.size - 1 });
  }

  /**
   * Reads a small file into memory.
   * @param file - the file
   * @param max - the most bytes accepted
   * @param limit - the cap's name, for the error
   * @returns its bytes
   * @throws {@link @llmdevops/docker-hub-core!LimitExceededError | LimitExceededError} when it is larger than `max`
   */
  async read(file: ArchiveFile, max: number, limit: string): Promise<Buffer> {
    if (file.size > max) throw new LimitExceededError(limit, max, `bytes of ${file.name} in the archive`);
    const parts: Buffer[] = [];
    for await (const chunk of this.open(file)) parts.push(chunk as Buffer);
    return Buffer.concat(parts);
  }

  /**
   * The digest of a gzip file's decompressed data (a layer's diff id).
   * @param file - the file
   * @returns `sha256:<hex>`
   */
  async gunzipDigest(file: ArchiveFile): Promise<string> {
    const hash = createHash('sha256');
    try {
      await pipeline(this.open(file), process.getBuiltinModule('node:zlib').createGunzip(), async (chunks: AsyncIterable<Buffer>) => {
        for await (const chunk of chunks) hash.update(chunk);
      });
    } catch (err) {
      throw new ArchiveInvalidError('corrupt', `${file.name} is not valid gzip (${err instanceof Error ? err.message : String(err)})`, file.name);
    }
    return `sha256:${hash.digest('hex')}`;
  }
}

/** Hashes an entry's data and notes its first two bytes. */
function factsSink(name: string, facts: Map<string, FileFacts>): DataSink {
  const hash = createHash('sha256');
  const head: number[] = [];
  return {
    write(chunk) {
      for (let i = 0; head.length < 2 && i < chunk.length; i++) head.push(chunk[i] ?? 0);
      hash.update(chunk);
    },
    end() {
      facts.set(name, { digest: `sha256:${hash.digest('hex')}`, gzip: head[0] === 0x1f && head[1] === 0x8b });
    },
  };
}

/** Copies a stream to a private file while handing its chunks on (one pass for spool and scan). */
async function* teeToFile(source: NodeJS.ReadableStream | AsyncIterable<Uint8Array> | Iterable<Uint8Array>, path: string, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
  const file = createWriteStream(path, { flags: 'wx', mode: 0o600 });
  try {
    for await (const chunk of source as AsyncIterable<Uint8Array | string> | Iterable<Uint8Array>) {
      if (signal?.aborted === true) throw new AbortedError('archive read', signal.reason);
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (!file.write(bytes)) await once(file, 'drain');
      yield bytes;
    }
  } finally {
    file.end();
    await once(file, 'close');
  }
}

async function* checkSignal(source: AsyncIterable<Uint8Array>, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    if (signal?.aborted === true) throw new AbortedError('archive read', signal.reason);
    yield chunk;
  }
}

/** A path source must be a regular file: say so plainly instead of failing inside the read. */
async function checkFile(path: string): Promise<void> {
  const info = await stat(path).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ValidationError('INVALID_ARGUMENT', `archive ${path} does not exist`, path);
    throw err;
  });
  if (!info.isFile()) throw new ValidationError('INVALID_ARGUMENT', `archive ${path} is not a file`, path);
}

/**
 * Reads and checks a whole archive once (see `readTar`), hashing every file. A stream is copied
 * to `spoolDir/archive.tar` on the way (a file path is read where it is), so later steps can
 * read any file again without holding it in memory.
 * @param source - a path or a stream
 * @param spoolDir - a private directory for the copy of a stream
 * @param options - caps and the signal
 * @returns the catalog
 * @internal
 */
export async function scanArchive(source: ArchiveSource, spoolDir: string, options: ArchiveLimits & { readonly signal?: AbortSignal | undefined }): Promise<ArchiveCatalog> {
  const path = typeof source === 'string' ? source : join(spoolDir, 'archive.tar');
  if (typeof source === 'string') await checkFile(source);
  const bytes = typeof source === 'string'
    ? checkSignal(createReadStream(path) as AsyncIterable<Uint8Array>, options.signal)
    : teeToFile(source instanceof Uint8Array ? [source] : source, path, options.signal);
  const entries = new Map<string, TarEntry>();
  const facts = new Map<string, FileFacts>();
  await readTar(bytes, options, (entry) => {
    entries.set(entry.name, entry);
    return entry.type === 'file' ? factsSink(entry.name, facts) : undefined;
  });
  return new ArchiveCatalog(path, entries, facts);
}
