import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REF_NAME_ANNOTATION, blobPath, findLayoutEntry, readLayoutIndex, type LayoutIndex } from './oci-layout.js';

const dir = mkdtempSync(join(tmpdir(), 'svc-layout-'));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });
const d = (c: string): string => `sha256:${c.repeat(64)}`;
const entry = (digest: string, name?: string): LayoutIndex['manifests'][number] => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest,
  size: 1,
  ...(name === undefined ? {} : { annotations: { [REF_NAME_ANNOTATION]: name } }),
});

describe('OCI layout helpers', () => {
  it('maps digests to blob paths and refuses malformed digests (no path escapes)', () => {
    expect(blobPath('/l', d('a'))).toBe(`/l/blobs/sha256/${'a'.repeat(64)}`);
    expect(() => blobPath('/l', 'sha256:../../etc/passwd')).toThrow(expect.objectContaining({ code: 'INVALID_DIGEST' }));
  });

  it('reads index.json, reporting a missing file as undefined and a bad one as an error', async () => {
    expect(await readLayoutIndex(join(dir, 'none'))).toBeUndefined();
    writeFileSync(join(dir, 'index.json'), '{"schemaVersion":1}');
    await expect(readLayoutIndex(dir)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [entry(d('a'), 'v1')] }));
    expect((await readLayoutIndex(dir))?.manifests).toHaveLength(1);
  });

  it('finds an image by name, or the only one, and lists names when none matches', () => {
    const index: LayoutIndex = { schemaVersion: 2, manifests: [entry(d('a'), 'v1'), entry(d('b'), 'v2')] };
    expect(findLayoutEntry(index, 'v2', dir).digest).toBe(d('b'));
    expect(() => findLayoutEntry(index, 'v3', dir)).toThrow(/available: v1, v2/);
    expect(() => findLayoutEntry(index, undefined, dir)).toThrow(/available/);
    expect(findLayoutEntry({ schemaVersion: 2, manifests: [entry(d('c'))] }, 'latest', dir).digest).toBe(d('c'));
    expect(() => findLayoutEntry({ schemaVersion: 2, manifests: [entry(d('c'), 'x')] }, 'latest', dir)).toThrow(/available: x/);
  });
});
