import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectoryStore } from './dir-store.js';
import { digestOf } from './hashing.js';
import { createMemoryStore } from './memory-store.js';
import { type BlobStore } from './blob-store.js';

async function* chunks(parts: Uint8Array[]): AsyncIterable<Uint8Array> {
  for (const p of parts) yield p;
}

describe('blob stores', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sim-prop-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const stores: [string, () => Promise<BlobStore>][] = [
    ['memory', () => Promise.resolve(createMemoryStore())],
    ['directory', () => createDirectoryStore(dir)],
  ];

  it.each(stores)(
    '%s: a chunked upload commits under the one-shot digest for any chunking',
    async (_name, make) => {
      const store = await make();
      let n = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 6 }),
          async (parts) => {
            const id = `u-${String(n++)}`;
            await store.createUpload(id);
            for (const p of parts) await store.append(id, chunks([p]));
            const whole = Buffer.concat(parts);
            const expected = digestOf(whole);
            const result = await store.commit(id, expected);
            expect(result).toEqual({ digest: expected, size: whole.length });
            expect(Buffer.from(await store.readAll(expected)).equals(whole)).toBe(true);
          },
        ),
        { numRuns: 40 },
      );
    },
  );

  it.each(stores)(
    '%s: a single flipped byte is refused and the session stays open',
    async (_name, make) => {
      const store = await make();
      let n = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ minLength: 1, maxLength: 200 }),
          fc.nat(),
          async (bytes, at) => {
            const id = `f-${String(n++)}`;
            const flipped = Buffer.from(bytes);
            const i = at % flipped.length;
            flipped[i] = (flipped[i] ?? 0) ^ 1;
            await store.createUpload(id);
            await store.append(id, chunks([flipped]));
            const res = await store.commit(id, digestOf(bytes));
            expect(res.digest).not.toBe(digestOf(bytes));
            expect(await store.uploadState(id)).toEqual({ size: bytes.length });
            expect(await store.cancel(id)).toBe(true);
          },
        ),
        { numRuns: 40 },
      );
    },
  );

  it.each(stores)('%s: ranges read exactly the requested bytes', async (_name, make) => {
    const store = await make();
    const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
    const d = digestOf(bytes);
    await store.putVerified(d, bytes);
    await fc.assert(
      fc.asyncProperty(fc.nat(999), fc.nat(999), async (a, b) => {
        const range = { start: Math.min(a, b), end: Math.max(a, b) };
        const parts: Uint8Array[] = [];
        for await (const c of store.read(d, range)) parts.push(c);
        expect(Buffer.concat(parts).equals(bytes.subarray(range.start, range.end + 1))).toBe(true);
      }),
      { numRuns: 30 },
    );
    expect(await store.delete(d)).toBe(true);
    expect(await store.stat(d)).toBeUndefined();
    expect(await store.delete(d)).toBe(false);
  });
});
