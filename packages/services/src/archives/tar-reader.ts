import { LimitExceededError, ValidationError } from '@llmdevops/docker-hub-core';
import { ArchiveInvalidError } from './archive-error.js';
import { EntryChecker } from './entry-checks.js';
import { BLOCK, decodeHeader, isZeroBlock, padding, parsePax, type TarEntryType } from './tar-format.js';

/** Default cap on the bytes of an archive: 64 GiB. @public */
export const DEFAULT_MAX_ARCHIVE_BYTES = 64 * 2 ** 30;

/** Default cap on the entries of an archive. @public */
export const DEFAULT_MAX_ARCHIVE_ENTRIES = 100_000;

/** Largest pax or GNU long-name header read into memory. */
const MAX_META_BYTES = 1024 * 1024;

/** Symbolic links followed in a row before a chain is refused. */
const MAX_LINK_HOPS = 16;

/** Caps of an archive read. @public */
export interface ArchiveLimits {
  /** Most bytes the archive may have, headers included (default 64 GiB). */
  readonly maxSize?: number;
  /** Most entries the archive may have (default 100,000). */
  readonly maxEntries?: number;
}

/** One entry of a checked archive, names normalised (no `./`, no trailing `/`). @internal */
export interface TarEntry {
  readonly name: string;
  readonly type: TarEntryType;
  readonly size: number;
  /** Offset of the entry's data in the archive. */
  readonly offset: number;
  /** For links: the target, as an archive path (symbolic links resolved against their directory). */
  readonly target?: string;
}

/** Receives an entry's data, chunk by chunk, in order. @internal */
export interface DataSink {
  write(chunk: Buffer): void;
  /** Called after the entry's last byte. */
  end?(): void;
}

/** Called for each checked entry; may return a sink for its data (else the data is skipped). @internal */
export type EntryVisitor = (entry: TarEntry) => DataSink | undefined;

function toAsync(source: Iterable<Uint8Array>): AsyncIterable<Uint8Array> {
  const it = source[Symbol.iterator]();
  return { [Symbol.asyncIterator]: () => ({ next: () => Promise.resolve(it.next()), return: () => Promise.resolve({ done: true as const, value: undefined }) }) };
}

/** Pulls exact byte counts from a chunked source, tracking the position. */
class ByteSource {
  readonly #source: AsyncIterator<Uint8Array>;
  #buffer: Buffer = Buffer.alloc(0);
  #ended = false;
  position = 0;

  constructor(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>) {
    this.#source = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : toAsync(source)[Symbol.asyncIterator]();
  }

  async #fill(): Promise<boolean> {
    if (this.#ended) return false;
    const next = await this.#source.next();
    if (next.done === true) {
      this.#ended = true;
      return false;
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    return true;
  }

  /** The next block, or undefined at a clean end of the source. */
  async block(where: string): Promise<Buffer | undefined> {
    while (this.#buffer.length < BLOCK) {
      if (!(await this.#fill())) {
        if (this.#buffer.length === 0) return undefined;
        throw new ArchiveInvalidError('truncated', `the archive ends inside a header block ${where}`);
      }
    }
    const out = this.#buffer.subarray(0, BLOCK);
    this.#buffer = this.#buffer.subarray(BLOCK);
    this.position += BLOCK;
    return out;
  }

  /** Passes the next `size` bytes to `sink` (or drops them). */
  async data(size: number, sink: DataSink | undefined, name: string): Promise<void> {
    let left = size;
    while (left > 0) {
      if (this.#buffer.length === 0 && !(await this.#fill())) {
        throw new ArchiveInvalidError('truncated', `the archive ends inside entry ${name} (${left} of ${size} bytes missing)`, name);
      }
      const piece = this.#buffer.subarray(0, Math.min(left, this.#buffer.length));
      this.#buffer = this.#buffer.subarray(piece.length);
      left -= piece.length;
      this.position += piece.length;
      sink?.write(piece);
    }
  }

  async close(): Promise<void> {
    if (!this.#ended) await this.#source.return?.();
  }
}

const TYPES: Readonly<Record<string, TarEntryType>> = { '0': 'file', '7': 'file', '5': 'directory', '2': 'symlink', '1': 'hardlink' };

/** Extended headers that apply to the next entry. */
interface Pending {
  path?: string;
  linkpath?: string;
  size?: number;
}

function capOf(value: number | undefined, fallback: number, name: string): number {
  const cap = value ?? fallback;
  if (!Number.isSafeInteger(cap) || cap < 1) throw new ValidationError('INVALID_ARGUMENT', `${name} must be a whole number of at least 1, got ${String(cap)}`, String(cap));
  return cap;
}

/** Reads the data of a pax or GNU long-name header into memory (small, capped). */
async function readMeta(src: ByteSource, size: number): Promise<Buffer> {
  if (size > MAX_META_BYTES) throw new LimitExceededError('maxExtendedHeaderBytes', MAX_META_BYTES, 'a pax or GNU long-name header of the archive');
  const parts: Buffer[] = [];
  await src.data(size, { write: (c) => parts.push(Buffer.from(c)) }, 'extended header');
  await src.data(padding(size), undefined, 'extended header');
  return Buffer.concat(parts);
}

/** Applies a metadata entry (pax, GNU long name) to `pending`; returns false for a real entry. */
async function applyMeta(src: ByteSource, flag: string, size: number, pending: Pending): Promise<boolean> {
  if (flag === 'x' || flag === 'g') {
    const records = parsePax(await readMeta(src, size));
    if (flag === 'g') return true; // global defaults: nothing an image archive needs
    const path = records.get('path');
    const linkpath = records.get('linkpath');
    const sizeText = records.get('size');
    if (path !== undefined) pending.path = path;
    if (linkpath !== undefined) pending.linkpath = linkpath;
    if (sizeText !== undefined) {
      if (!/^\d+$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) throw new ArchiveInvalidError('not-tar', `pax size ${sizeText} is not a whole number`);
      pending.size = Number(sizeText);
    }
    return true;
  }
  if (flag === 'L' || flag === 'K') {
    const text = (await readMeta(src, size)).toString('utf8').replace(/\0+$/, '');
    if (flag === 'L') pending.path = text;
    else pending.linkpath = text;
    return true;
  }
  return false;
}

/**
 * Reads a tar archive from a chunked source, checking it as it goes: every entry name is
 * relative without `..`, links stay inside the archive, no name appears twice, only files,
 * directories and links occur, the archive stays within `maxSize` bytes and `maxEntries`
 * entries, and it ends with an end-of-archive block (a cut archive fails). ustar, pax (long
 * names, large sizes) and GNU long names and base-256 sizes are understood. Memory stays at one
 * chunk plus one header, whatever the archive's size.
 * @param source - the archive's bytes (chunks, in order)
 * @param limits - caps
 * @param visit - called for each entry; returns where its data goes
 * @returns the archive's size up to its end-of-archive block
 * @throws {@link ArchiveInvalidError} for an unsafe or malformed archive
 * @throws {@link @llmdevops/docker-hub-core!LimitExceededError | LimitExceededError} (`maxSize`, `maxEntries`, `maxExtendedHeaderBytes`) past a cap, before reading further
 * @internal
 */
export async function readTar(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, limits: ArchiveLimits, visit: EntryVisitor): Promise<number> {
  const maxSize = capOf(limits.maxSize, DEFAULT_MAX_ARCHIVE_BYTES, 'maxSize');
  const checker = new EntryChecker(capOf(limits.maxEntries, DEFAULT_MAX_ARCHIVE_ENTRIES, 'maxEntries'));
  const src = new ByteSource(source);
  const overCap = (): LimitExceededError => new LimitExceededError('maxSize', maxSize, 'bytes of the archive');
  try {
    let pending: Pending = {};
    for (;;) {
      if (src.position + BLOCK > maxSize) throw overCap();
      const block = await src.block(`at byte ${src.position}`);
      if (block === undefined) throw new ArchiveInvalidError('truncated', `the archive ends at byte ${src.position} without its end-of-archive block`);
      if (isZeroBlock(block)) return src.position;
      const raw = decodeHeader(block);
      const size = pending.size ?? raw.size;
      if (src.position + size + padding(size) > maxSize) throw overCap();
      if (await applyMeta(src, raw.flag, size, pending)) continue;
      const name = pending.path ?? raw.name;
      const type = TYPES[raw.flag];
      if (type === undefined) throw new ArchiveInvalidError('entry-type', `entry ${name} has type ${JSON.stringify(raw.flag)}, which an image archive never holds`, name);
      const checked = checker.check(name, type, pending.linkpath ?? raw.linkname);
      pending = {};
      const dataSize = type === 'file' ? size : 0;
      const sink = checked === undefined ? undefined : visit({ ...checked, type, size: dataSize, offset: src.position });
      // Links and directories carry no data, whatever their size field says.
      await src.data(size, type === 'file' ? sink : undefined, checked?.name ?? name);
      sink?.end?.();
      await src.data(padding(size), undefined, checked?.name ?? name);
    }
  } finally {
    await src.close();
  }
}

/**
 * Follows symbolic and hard links from `name` to a file entry.
 * @param entries - the archive's entries by name
 * @param name - where to start
 * @param what - what is looked for, for messages
 * @returns the file entry
 * @throws {@link ArchiveInvalidError} (`missing`, `link-target`) when there is no such file
 * @internal
 */
export function resolveEntry(entries: ReadonlyMap<string, TarEntry>, name: string, what: string): TarEntry {
  let current = name;
  for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
    const entry = entries.get(current);
    if (entry === undefined) {
      throw new ArchiveInvalidError(hop === 0 ? 'missing' : 'link-target', `the archive has no ${current} (${what})`, current);
    }
    if (entry.type === 'file') return entry;
    if (entry.type === 'directory' || entry.target === undefined) {
      throw new ArchiveInvalidError('link-target', `${current} (${what}) is a directory, not a file`, current);
    }
    current = entry.target;
  }
  throw new ArchiveInvalidError('link-target', `${name} (${what}) is a chain of more than ${MAX_LINK_HOPS} links`, name);
}
