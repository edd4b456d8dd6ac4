import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChunkReader, openSource } from './blob-source.js';
import { offsetFromRange, withDigestParam } from './upload-session.js';

describe('ChunkReader', () => {
  it('regroups any chunking into pieces of exactly the asked size, losing and adding nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 50 }), { maxLength: 20 }), fc.integer({ min: 1, max: 40 }), async (parts, size) => {
        const reader = new ChunkReader(openSource(() => (async function* () { yield* parts; })()));
        const pieces: Buffer[] = [];
        for (;;) {
          const piece = await reader.read(size);
          if (piece.length === 0) break;
          pieces.push(piece);
        }
        const all = Buffer.concat(parts.map((p) => Buffer.from(p)));
        expect(Buffer.concat(pieces).equals(all)).toBe(true);
        pieces.slice(0, -1).forEach((p) => { expect(p.length).toBe(size); });
        expect(pieces.length).toBe(Math.ceil(all.length / size));
      }),
    );
  });
});

describe('upload session helpers', () => {
  it('reads Range as the number of bytes held, resolving 0-0 with the known offset', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 40 }), fc.boolean(), (end, unit) => {
        expect(offsetFromRange(`${unit ? 'bytes=' : ''}0-${end}`, 0)).toBe(end + 1);
      }),
    );
    expect(offsetFromRange('0-0', 0)).toBe(0);
    expect(offsetFromRange('0-0', 1)).toBe(1);
    expect(offsetFromRange('0-0', 5)).toBe(1);
    expect(offsetFromRange('5-9', 0)).toBeUndefined();
    expect(offsetFromRange(undefined, 3)).toBeUndefined();
  });

  it('appends digest= keeping the upload URL query byte for byte', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9%+=_-]{0,40}$/), (state) => {
        const base = new URL(`http://r.test/v2/a/blobs/uploads/u?_state=${state}`);
        const put = withDigestParam(base, 'sha256:abc');
        expect(put.href).toBe(`${base.href}&digest=sha256%3Aabc`);
      }),
    );
    expect(withDigestParam(new URL('http://r.test/u'), 'sha256:abc').href).toBe('http://r.test/u?digest=sha256%3Aabc');
  });
});
