import { ArchiveInvalidError } from './archive-error.js';

/** Size of a tar block. @internal */
export const BLOCK = 512;

/** Largest size the 11-digit octal field of a ustar header holds (8 GiB - 1). */
const MAX_OCTAL_SIZE = 0o77777777777;

/** Kinds of tar entry the archive code knows. @internal */
export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink';

/** One entry to write. @internal */
export interface TarHeaderInit {
  readonly name: string;
  readonly type: TarEntryType;
  readonly size: number;
  readonly linkname?: string;
  /** Permission bits (default 0644 for files, 0755 for directories). */
  readonly mode?: number;
}

/** A header block as read, before pax and GNU long names are applied. @internal */
export interface RawHeader {
  readonly name: string;
  readonly linkname: string;
  readonly size: number;
  /** The type flag character (`0`, `5`, `x`, ...; NUL reads as `0`). */
  readonly flag: string;
}

const TYPE_FLAGS: Readonly<Record<TarEntryType, string>> = { file: '0', directory: '5', symlink: '2', hardlink: '1' };

function writeString(block: Buffer, text: string, offset: number, length: number): void {
  block.write(text, offset, length, 'utf8');
}

function writeOctal(block: Buffer, value: number, offset: number, length: number): void {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length, 'ascii');
}

/** Splits a name into ustar's prefix and name fields, or undefined when it does not fit. */
function splitName(name: string): { prefix: string; name: string } | undefined {
  if (Buffer.byteLength(name) !== name.length) return undefined; // non-ASCII: pax
  if (name.length <= 100) return { prefix: '', name };
  for (let i = name.indexOf('/'); i !== -1; i = name.indexOf('/', i + 1)) {
    // An empty prefix reads back as none, so a split at a leading '/' would lose it.
    if (i > 0 && i <= 155 && name.length - i - 1 <= 100 && name.length - i - 1 > 0) return { prefix: name.slice(0, i), name: name.slice(i + 1) };
  }
  return undefined;
}

function headerBlock(init: { name: string; prefix: string; flag: string; size: number; mode: number; linkname: string }): Buffer {
  const block = Buffer.alloc(BLOCK);
  writeString(block, init.name, 0, 100);
  writeOctal(block, init.mode, 100, 8);
  writeOctal(block, 0, 108, 8); // uid
  writeOctal(block, 0, 116, 8); // gid
  writeOctal(block, init.size, 124, 12);
  writeOctal(block, 0, 136, 12); // mtime: 0, so the same image gives the same archive
  block.fill(0x20, 148, 156); // checksum counted as spaces
  writeString(block, init.flag, 156, 1);
  writeString(block, init.linkname, 157, 100);
  block.write('ustar\x0000', 257, 8, 'ascii');
  writeString(block, init.prefix, 345, 155);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return block;
}

/** One pax record, `"<len> <key>=<value>\n"`, whose length counts its own digits. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLength = Buffer.byteLength(body);
  let length = bodyLength + 1;
  while (String(length).length + bodyLength !== length) length = String(length).length + bodyLength;
  return `${length}${body}`;
}

/**
 * Encodes the header blocks of one entry: a ustar header, preceded by a pax header when the name
 * or link target does not fit ustar's fields or the size is 8 GiB or more.
 * @param init - the entry
 * @returns the blocks to write before the entry's data
 * @internal
 */
export function encodeHeader(init: TarHeaderInit): Buffer[] {
  const name = init.type === 'directory' && !init.name.endsWith('/') ? `${init.name}/` : init.name;
  const linkname = init.linkname ?? '';
  const split = splitName(name);
  const linkFits = Buffer.byteLength(linkname) === linkname.length && linkname.length <= 100;
  const records = [
    ...(split === undefined ? [paxRecord('path', name)] : []),
    ...(linkFits ? [] : [paxRecord('linkpath', linkname)]),
    ...(init.size > MAX_OCTAL_SIZE ? [paxRecord('size', String(init.size))] : []),
  ];
  const mode = init.mode ?? (init.type === 'directory' ? 0o755 : 0o644);
  const main = headerBlock({
    name: split?.name ?? name.slice(0, 100).replace(/[^\x20-\x7e]/g, '_'),
    prefix: split?.prefix ?? '',
    flag: TYPE_FLAGS[init.type],
    size: init.size > MAX_OCTAL_SIZE ? 0 : init.size,
    mode,
    linkname: linkFits ? linkname : '',
  });
  if (records.length === 0) return [main];
  const pax = Buffer.from(records.join(''), 'utf8');
  const paxHeader = headerBlock({ name: 'PaxHeaders.0/entry', prefix: '', flag: 'x', size: pax.length, mode: 0o644, linkname: '' });
  return [paxHeader, pax, Buffer.alloc(padding(pax.length)), main];
}

/**
 * Zero bytes that follow `size` bytes of data to reach the next block.
 * @param size - data length
 * @returns padding length
 * @internal
 */
export function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

function readString(block: Buffer, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? length : end).toString('utf8');
}

/** Reads a numeric field: octal text, or GNU base-256 when the high bit is set. */
function readNumber(block: Buffer, offset: number, length: number, what: string): number {
  const field = block.subarray(offset, offset + length);
  const first = field[0] ?? 0;
  if ((first & 0x80) !== 0) {
    if ((first & 0x40) !== 0) throw new ArchiveInvalidError('not-tar', `negative ${what} in a tar header`);
    let value = first & 0x3f;
    for (const byte of field.subarray(1)) value = value * 256 + byte;
    if (!Number.isSafeInteger(value)) throw new ArchiveInvalidError('not-tar', `${what} in a tar header is too large`);
    return value;
  }
  const text = field.toString('ascii').replace(/[\0 ]+$/, '').replace(/^[ ]+/, '');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new ArchiveInvalidError('not-tar', `${what} field of a tar header is not octal`);
  return Number.parseInt(text, 8);
}

/**
 * Whether a block is all zeros (an end-of-archive block).
 * @param block - 512 bytes
 * @returns true when every byte is 0
 * @internal
 */
export function isZeroBlock(block: Buffer): boolean {
  for (const byte of block) if (byte !== 0) return false;
  return true;
}

/**
 * Decodes a ustar, GNU or v7 header block, checking its checksum.
 * @param block - 512 bytes (not a zero block)
 * @returns the fields the archive code uses
 * @throws {@link ArchiveInvalidError} (`not-tar`) for a bad checksum or unreadable field
 * @internal
 */
export function decodeHeader(block: Buffer): RawHeader {
  const stored = readNumber(block, 148, 8, 'checksum');
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  if (stored !== unsigned && stored !== signed) throw new ArchiveInvalidError('not-tar', 'a tar header fails its checksum (not a tar archive, or damaged)');
  const ustar = block.toString('ascii', 257, 263) === 'ustar\0';
  const prefix = ustar ? readString(block, 345, 155) : '';
  const name = readString(block, 0, 100);
  const flag = String.fromCharCode(block[156] ?? 0);
  return {
    name: prefix === '' ? name : `${prefix}/${name}`,
    linkname: readString(block, 157, 100),
    size: readNumber(block, 124, 12, 'size'),
    flag: flag === '\0' ? '0' : flag,
  };
}

/**
 * Parses pax extended header records (`"<len> <key>=<value>\n"`).
 * @param data - the pax entry's data
 * @returns the records by key
 * @throws {@link ArchiveInvalidError} (`not-tar`) for a malformed record
 * @internal
 */
export function parsePax(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    if (data[at] === 0) break; // some writers pad with NULs
    const space = data.indexOf(0x20, at);
    const length = space === -1 ? Number.NaN : Number(data.toString('ascii', at, space));
    const end = at + length;
    if (!Number.isSafeInteger(length) || length <= space - at || end > data.length || data[end - 1] !== 0x0a) {
      throw new ArchiveInvalidError('not-tar', 'malformed pax extended header record');
    }
    const record = data.toString('utf8', space + 1, end - 1);
    const eq = record.indexOf('=');
    if (eq <= 0) throw new ArchiveInvalidError('not-tar', 'pax extended header record without a key');
    out.set(record.slice(0, eq), record.slice(eq + 1));
    at = end;
  }
  return out;
}
