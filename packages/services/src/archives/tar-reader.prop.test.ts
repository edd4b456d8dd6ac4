import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { ArchiveInvalidError } from './archive-error.js';
import { readTar, resolveEntry, type TarEntry } from './tar-reader.js';
import { tarChunks, type TarSourceEntry } from './tar-writer.js';

async function archive(entries: readonly TarSourceEntry[]): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of tarChunks(entries)) parts.push(c);
  return Buffer.concat(parts);
}

/** Splits bytes into chunks at the given cut points (any chunking must read the same). */
function chunk(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let at = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(at, p));
    at = p;
  }
  return out;
}

async function read(chunks: Iterable<Uint8Array>): Promise<{ entry: TarEntry; data: Buffer }[]> {
  const out: { entry: TarEntry; data: Buffer }[] = [];
  await readTar(chunks, {}, (entry) => {
    const parts: Buffer[] = [];
    const item = { entry, data: Buffer.alloc(0) };
    out.push(item);
    return { write: (c) => parts.push(Buffer.from(c)), end: () => { item.data = Buffer.concat(parts); } };
  });
  return out;
}

// Path segments: plain, long (forcing ustar prefix or pax), unicode (forcing pax).
const segment = fc.oneof(
  fc.stringMatching(/^[a-z0-9_-]{1,12}$/),
  fc.stringMatching(/^[a-z]{60,130}$/),
  fc.constantFrom('héllo', '日本', 'ß-x'),
).filter((s) => s !== '.' && s !== '..');
const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('/'));
const files = fc.uniqueArray(fc.record({ name: path, data: fc.uint8Array({ maxLength: 1500 }) }), { selector: (f) => f.name, maxLength: 6 })
  // A name may not also be the directory of another (that is a real conflict in a file system).
  .filter((fs) => fs.every((a) => fs.every((b) => !b.name.startsWith(`${a.name}/`))));

describe('tar reader and writer', () => {
  test.prop([files, fc.array(fc.nat(), { maxLength: 8 })])('what the writer writes reads back the same, however it is chunked', async (entries, cuts) => {
    const bytes = await archive(entries.map((f) => ({ name: f.name, type: 'file', size: f.data.length, open: () => [f.data] })));
    expect(bytes.length % 512).toBe(0);
    const back = await read(chunk(bytes, cuts));
    expect(back.map((b) => b.entry.name)).toEqual(entries.map((f) => f.name));
    expect(back.map((b) => b.data)).toEqual(entries.map((f) => Buffer.from(f.data)));
  });

  test.prop([files, fc.nat()])('an archive cut anywhere before its end-of-archive block fails as truncated', async (entries, where) => {
    const bytes = await archive(entries.map((f) => ({ name: f.name, type: 'file', size: f.data.length, open: () => [f.data] })));
    // The first end-of-archive block ends 512 bytes before the end.
    const cut = where % (bytes.length - 512);
    const err = await read([bytes.subarray(0, cut)]).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ArchiveInvalidError);
    expect(err).toMatchObject({ problem: 'truncated' });
  });

  it('keeps the leading slash of a long absolute name (no split at it), so the reader refuses it', async () => {
    const name = `/${'a'.repeat(100)}`;
    const err = await read([await archive([{ name, type: 'file', size: 1, open: () => [Buffer.from('x')] }])]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as ArchiveInvalidError).problem).toBe('absolute-path');
  });

  test.prop([files, path, fc.constantFrom('/', '../', 'a/../../', './../')])('a name leaving the archive is refused wherever it appears', async (entries, name, prefix) => {
    const hostile = { name: `${prefix}${name}`, type: 'file' as const, size: 1, open: () => [Buffer.from('x')] };
    const list: TarSourceEntry[] = entries.map((f) => ({ name: f.name, type: 'file', size: f.data.length, open: () => [f.data] }));
    list.splice(entries.length > 0 ? entries.length - 1 : 0, 0, hostile);
    const err = await read([await archive(list)]).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ArchiveInvalidError);
    expect(['absolute-path', 'parent-path']).toContain((err as ArchiveInvalidError).problem);
  });

  test.prop([fc.array(segment, { minLength: 0, maxLength: 3 }), fc.array(fc.constantFrom('..', '.', 'x', 'y'), { minLength: 1, maxLength: 6 })])(
    'a symbolic link is accepted exactly when its target, resolved from its directory, stays inside',
    async (dir, target) => {
      const link = [...dir, 'link'].join('/');
      const text = target.join('/');
      // Where the link points, by hand: from its directory, each ".." one level up.
      let depth = dir.length;
      let escapes = false;
      for (const s of target) {
        if (s === '..') depth -= 1;
        else if (s !== '.') depth += 1;
        if (depth < 0) escapes = true;
      }
      const bytes = await archive([{ name: link, type: 'symlink', size: 0, linkname: text }]);
      const result = await read([bytes]).then(() => 'accepted', (e: unknown) => (e as ArchiveInvalidError).problem);
      expect(result).toBe(escapes ? 'link-escape' : 'accepted');
    },
  );

  test.prop([files.filter((f) => f.length > 0)])('a link to a file resolves to that file', async (entries) => {
    const first = entries[0];
    if (first === undefined) return;
    const list: TarSourceEntry[] = [
      ...entries.map((f): TarSourceEntry => ({ name: f.name, type: 'file', size: f.data.length, open: () => [f.data] })),
      { name: 'Z.link', type: 'symlink', size: 0, linkname: first.name },
      { name: 'Z.hard', type: 'hardlink', size: 0, linkname: first.name },
    ];
    const map = new Map((await read([await archive(list)])).map((e) => [e.entry.name, e.entry]));
    expect(resolveEntry(map, 'Z.link', 'test').name).toBe(first.name);
    expect(resolveEntry(map, 'Z.hard', 'test').name).toBe(first.name);
  });
});
