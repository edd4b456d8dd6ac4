import { describe, expect, it } from 'vitest';
import { LimitExceededError, SizeMismatchError, ValidationError } from '@llmdevops/docker-hub-core';
import { ArchiveInvalidError } from './archive-error.js';
import { BLOCK, decodeHeader, encodeHeader, parsePax } from './tar-format.js';
import { readTar, resolveEntry, type TarEntry } from './tar-reader.js';
import { tarChunks, writeChunks, type TarSourceEntry } from './tar-writer.js';
import { PassThrough } from 'node:stream';

async function archive(entries: readonly TarSourceEntry[]): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of tarChunks(entries)) parts.push(c);
  return Buffer.concat(parts);
}

const file = (name: string, text = name): TarSourceEntry => ({ name, type: 'file', size: Buffer.byteLength(text), open: () => [Buffer.from(text)] });

async function entriesOf(bytes: Buffer): Promise<Map<string, TarEntry>> {
  const map = new Map<string, TarEntry>();
  await readTar([bytes], {}, (e) => {
    map.set(e.name, e);
    return undefined;
  });
  return map;
}

async function failure(bytes: Buffer, limits = {}): Promise<unknown> {
  return readTar([bytes], limits, () => undefined).then(() => undefined, (e: unknown) => e);
}

describe('tar format', () => {
  it('puts long names in the ustar prefix when they split, else in a pax header', () => {
    const split = encodeHeader({ name: `${'d'.repeat(120)}/file`, type: 'file', size: 0 });
    expect(split).toHaveLength(1);
    expect(decodeHeader(split[0] ?? Buffer.alloc(0)).name).toBe(`${'d'.repeat(120)}/file`);
    const pax = encodeHeader({ name: 'x'.repeat(300), type: 'file', size: 0 });
    expect(pax).toHaveLength(4);
    expect(parsePax(pax[1] ?? Buffer.alloc(0)).get('path')).toBe('x'.repeat(300));
  });

  it('writes sizes of 8 GiB and more as pax records the reader honours', async () => {
    const size = 10 * 2 ** 30;
    const blocks = encodeHeader({ name: 'big', type: 'file', size });
    expect(parsePax(blocks[1] ?? Buffer.alloc(0)).get('size')).toBe(String(size));
    // The header promises 10 GiB; the data is missing, so the reader reports exactly that.
    const err = await failure(Buffer.concat(blocks));
    expect(err).toMatchObject({ problem: 'truncated' });
    expect((err as Error).message).toContain(`${size} of ${size} bytes missing`);
  });

  it('reads GNU base-256 sizes and refuses a bad checksum', () => {
    const [block] = encodeHeader({ name: 'f', type: 'file', size: 0 });
    if (block === undefined) throw new Error('no block');
    block.fill(0, 124, 136);
    block[124] = 0x80;
    block[135] = 0x07;
    block.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of block) sum += b;
    block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
    expect(decodeHeader(block).size).toBe(7);
    block[0] = 0x41;
    expect(() => decodeHeader(block)).toThrow(ArchiveInvalidError);
  });

  it('refuses a malformed pax record', () => {
    expect(() => parsePax(Buffer.from('99 path=x\n'))).toThrow(ArchiveInvalidError);
    expect(() => parsePax(Buffer.from('9 =value\n'))).toThrow(ArchiveInvalidError);
  });
});

describe('tar reader checks', () => {
  it('follows links that stay inside, to the file they name', async () => {
    const bytes = await archive([
      { name: 'a', type: 'directory', size: 0 },
      file('a/layer.tar', 'layer bytes'),
      { name: 'b', type: 'directory', size: 0 },
      { name: 'b/layer.tar', type: 'symlink', size: 0, linkname: '../a/layer.tar' },
      { name: 'c', type: 'hardlink', size: 0, linkname: 'b/layer.tar' },
    ]);
    const entries = await entriesOf(bytes);
    expect(resolveEntry(entries, 'b/layer.tar', 'layer').name).toBe('a/layer.tar');
    expect(resolveEntry(entries, 'c', 'layer').name).toBe('a/layer.tar');
    expect(() => resolveEntry(entries, 'd', 'layer')).toThrow(expect.objectContaining({ problem: 'missing' }) as Error);
  });

  it('refuses a hard link to no earlier entry, and a chain of links that loops', async () => {
    expect(await failure(await archive([{ name: 'h', type: 'hardlink', size: 0, linkname: 'later' }, file('later')]))).toMatchObject({ problem: 'link-target' });
    const loop = await entriesOf(await archive([
      { name: 'x', type: 'symlink', size: 0, linkname: 'y' },
      { name: 'y', type: 'symlink', size: 0, linkname: 'x' },
    ]));
    expect(() => resolveEntry(loop, 'x', 'config')).toThrow(expect.objectContaining({ problem: 'link-target' }) as Error);
  });

  it('refuses an archive without its end-of-archive block, and data after it is not read', async () => {
    const bytes = await archive([file('one')]);
    expect(await failure(bytes.subarray(0, bytes.length - 1024))).toMatchObject({ problem: 'truncated' });
    const trailing = Buffer.concat([bytes, Buffer.from('garbage after the end')]);
    expect((await entriesOf(trailing)).has('one')).toBe(true);
  });

  it('counts entries and bytes against the caps before reading on', async () => {
    const bytes = await archive([file('a'), file('b'), file('c')]);
    expect(await failure(bytes, { maxEntries: 2 })).toBeInstanceOf(LimitExceededError);
    expect(await failure(bytes, { maxSize: 3 * BLOCK })).toMatchObject({ limit: 'maxSize' });
    expect(await failure(bytes, { maxSize: 0 })).toBeInstanceOf(ValidationError);
  });

  it('accepts the root directory entry ./ and refuses an empty file name', async () => {
    const ok = await archive([{ name: './', type: 'directory', size: 0 }, file('./x')]);
    expect([...(await entriesOf(ok)).keys()]).toEqual(['x']);
    expect(await failure(await archive([file('./')]))).toMatchObject({ problem: 'bad-name' });
  });
});

describe('tar writer', () => {
  it('refuses data longer or shorter than the header says', async () => {
    await expect(archive([{ name: 'f', type: 'file', size: 2, open: () => [Buffer.from('abc')] }])).rejects.toBeInstanceOf(SizeMismatchError);
    await expect(archive([{ name: 'f', type: 'file', size: 4, open: () => [Buffer.from('abc')] }])).rejects.toBeInstanceOf(SizeMismatchError);
  });

  it('fails instead of waiting forever when the output is closed while it pushes back', async () => {
    const out = new PassThrough({ highWaterMark: 16 });
    const writing = writeChunks(tarChunks([file('a', 'x'.repeat(4000))]), out, {});
    setImmediate(() => out.destroy());
    await expect(writing).rejects.toThrow("the archive output was closed before the archive was complete");
  });

  it('writes to a stream, waiting for it, and leaves it open when asked', async () => {
    const out = new PassThrough({ highWaterMark: 16 });
    const got: Buffer[] = [];
    out.on('data', (c: Buffer) => got.push(c));
    const bytes = await writeChunks(tarChunks([file('a', 'x'.repeat(2000))]), out, { end: false });
    expect(bytes).toBe(Buffer.concat(got).length);
    expect(out.writableEnded).toBe(false);
    expect((await entriesOf(Buffer.concat(got))).get('a')?.size).toBe(2000);
  });
});
