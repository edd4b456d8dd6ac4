import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Platform, parseManifest } from '@llmdevops/docker-hub-core';
import { describe, expect, it } from 'vitest';
import { generateImage, tarOneFile } from './demo-image.js';
import { writeImageLayout } from './layout-writer.js';

const sha = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('generated demo image', () => {
  it('writes a tar that tar(1) lists and extracts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dhub-tar-'));
    try {
      const file = join(dir, 'a.tar');
      await writeFile(file, tarOneFile('hello.txt', Buffer.from('hi there\n')));
      expect(execFileSync('tar', ['-tvf', file]).toString()).toContain('hello.txt');
      expect(execFileSync('tar', ['-xOf', file, 'hello.txt']).toString()).toBe('hi there\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('builds valid manifests and an index whose digests match their bytes', () => {
    const image = generateImage(
      [Platform.parse('linux/amd64'), Platform.parse('linux/arm64')],
      'x',
    );
    for (const b of [...image.blobs, ...image.manifests, image.index])
      expect(b.digest).toBe(sha(b.bytes));
    const index = parseManifest(image.index.bytes);
    expect(index.kind).toBe('index');
    const manifest = parseManifest(image.manifests[1]?.bytes ?? new Uint8Array());
    expect(manifest.kind).toBe('image');
    const layer = image.blobs[0];
    expect(
      gunzipSync(layer?.bytes ?? new Uint8Array())
        .subarray(0, 9)
        .toString(),
    ).toBe('hello.txt');
    // Deterministic: the same input gives the same digests.
    expect(generateImage([Platform.parse('linux/amd64')], 'x').manifests[0]?.digest).toBe(
      image.manifests[0]?.digest,
    );
  });

  it('writes an OCI layout naming the image', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dhub-layout-'));
    try {
      const image = generateImage([Platform.parse('linux/arm64')], 'y');
      await writeImageLayout(dir, image, 'v9');
      const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as {
        manifests: { digest: string; annotations: Record<string, string> }[];
      };
      expect(index.manifests[0]?.digest).toBe(image.index.digest);
      expect(index.manifests[0]?.annotations['org.opencontainers.image.ref.name']).toBe('v9');
      const stored = await readFile(join(dir, 'blobs', 'sha256', image.index.digest.slice(7)));
      expect(sha(stored)).toBe(image.index.digest);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
