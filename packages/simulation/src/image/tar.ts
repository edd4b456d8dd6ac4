/** One regular file of a layer. @internal */
export interface TarFile {
  /** Relative path with `/` separators. */
  readonly path: string;
  readonly bytes: Uint8Array;
}

const BLOCK = 512;

function writeString(header: Buffer, offset: number, length: number, value: string): void {
  header.write(value, offset, Math.min(length, Buffer.byteLength(value)), 'utf8');
}

function writeOctal(header: Buffer, offset: number, length: number, value: number): void {
  writeString(header, offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
}

/** Splits a path over ustar's `prefix` (155 bytes) and `name` (100 bytes) fields. */
function splitPath(path: string): { prefix: string; name: string } | undefined {
  if (Buffer.byteLength(path) <= 100) return { prefix: '', name: path };
  for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name !== '')
      return { prefix, name };
  }
  return undefined;
}

/**
 * Whether a path fits a ustar header.
 * @param path - the file path
 * @returns true when it fits the name and prefix fields
 * @internal
 */
export function fitsUstar(path: string): boolean {
  return splitPath(path) !== undefined;
}

function header(path: string, size: number, type: '0' | '5'): Buffer {
  const h = Buffer.alloc(BLOCK);
  const split = splitPath(path) ?? { prefix: '', name: path.slice(0, 100) };
  writeString(h, 0, 100, split.name);
  writeOctal(h, 100, 8, type === '5' ? 0o755 : 0o644);
  writeOctal(h, 108, 8, 0); // uid
  writeOctal(h, 116, 8, 0); // gid
  writeOctal(h, 124, 12, size);
  writeOctal(h, 136, 12, 0); // mtime: fixed, so the same files make the same layer
  h.fill(' ', 148, 156); // checksum placeholder
  writeString(h, 156, 1, type);
  writeString(h, 257, 6, 'ustar\0');
  writeString(h, 263, 2, '00');
  writeString(h, 345, 155, split.prefix);
  let sum = 0;
  for (const byte of h) sum += byte;
  writeString(h, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

/**
 * A deterministic POSIX ustar archive: a directory entry for every parent folder, then each file
 * (mode 0644, owner 0:0, mtime 0), in the order given.
 * @param files - the files
 * @returns the archive bytes, two zero blocks at the end
 * @internal
 */
export function writeTar(files: readonly TarFile[]): Buffer {
  const parts: Buffer[] = [];
  const folders = new Set<string>();
  for (const file of files) {
    const segments = file.path.split('/');
    for (let i = 1; i < segments.length; i += 1) {
      const folder = `${segments.slice(0, i).join('/')}/`;
      if (folders.has(folder)) continue;
      folders.add(folder);
      parts.push(header(folder, 0, '5'));
    }
    parts.push(header(file.path, file.bytes.byteLength, '0'));
    parts.push(Buffer.from(file.bytes));
    const pad = (BLOCK - (file.bytes.byteLength % BLOCK)) % BLOCK;
    if (pad > 0) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}
