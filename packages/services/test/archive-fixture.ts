// Test images whose layers are real tar files (so `docker load` accepts them), written as OCI
// layouts for client.images.push, and helpers to build tar archives entry by entry.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tarChunks, type TarSourceEntry } from '../src/archives/tar-writer.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/**
 * Collects a tar archive built by the writer under test into one buffer.
 * @param entries - the entries (file data given as buffers)
 * @returns the archive
 */
export async function tarBuffer(entries: readonly (Omit<TarSourceEntry, 'open' | 'size'> & { data?: Uint8Array; size?: number })[]): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  const source = entries.map((e): TarSourceEntry => {
    const data = e.data;
    return {
      ...e,
      size: e.size ?? data?.byteLength ?? 0,
      ...(data === undefined ? {} : { open: () => [data] }),
    };
  });
  for await (const chunk of tarChunks(source)) parts.push(chunk);
  return Buffer.concat(parts);
}

/** A layer: a tar holding one file of pseudo-random bytes (seeded, so tests can repeat it). */
export async function layerTar(path: string, size: number, seed: string): Promise<Buffer> {
  const data = Buffer.alloc(size);
  let block = createHash('sha256').update(seed).digest();
  for (let at = 0; at < size; at += block.length) {
    block.copy(data, at);
    block = createHash('sha256').update(block).digest();
  }
  return tarBuffer([{ name: path, type: 'file', data }]);
}

/** What {@link writeImageLayout} wrote. */
export interface FixtureImage {
  /** The top manifest (index for several platforms). */
  readonly digest: string;
  /** Per platform: manifest digest, config digest and diff ids. */
  readonly images: readonly { arch: string; manifest: string; config: string; diffIds: string[]; layers: string[] }[];
}

function put(dir: string, bytes: Uint8Array): { digest: string; size: number } {
  const hex = sha(bytes);
  writeFileSync(join(dir, 'blobs', 'sha256', hex), bytes);
  return { digest: `sha256:${hex}`, size: bytes.length };
}

/**
 * Writes an OCI layout of a runnable-looking image per platform: two gzip layers that are real
 * tars, a config with `rootfs.diff_ids`, an index when there are several platforms.
 * @param dir - the layout directory (created)
 * @param tag - the ref name
 * @param arches - e.g. `['amd64']`
 * @param layerSize - bytes of the first layer's file (the second has a quarter)
 * @returns the digests
 */
export async function writeImageLayout(dir: string, tag: string, arches: readonly string[], layerSize = 40_000): Promise<FixtureImage> {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const images = [];
  for (const arch of arches) {
    const raw = [await layerTar('data/one.bin', layerSize, `${tag}-${arch}-1`), await layerTar('data/two.bin', layerSize / 4, `${tag}-${arch}-2`)];
    const layers = raw.map((r) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...put(dir, gzipSync(r)) }));
    const diffIds = raw.map((r) => `sha256:${sha(r)}`);
    const config = put(dir, Buffer.from(JSON.stringify({
      architecture: arch, os: 'linux', created: '2026-01-01T00:00:00Z',
      config: { Cmd: ['/data/one.bin'], Env: ['PATH=/usr/bin'] },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: [{ created_by: 'layer one' }, { created_by: 'layer two' }],
    })));
    const manifest = put(dir, Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config }, layers,
    })));
    images.push({ arch, manifest: manifest.digest, manifestSize: manifest.size, config: config.digest, diffIds, layers: layers.map((l) => l.digest) });
  }
  const first = images[0];
  let top = first === undefined ? undefined : { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: first.manifest, size: first.manifestSize };
  if (images.length > 1) {
    top = {
      mediaType: 'application/vnd.oci.image.index.v1+json',
      ...put(dir, Buffer.from(JSON.stringify({
        schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: images.map((i) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: i.manifest, size: i.manifestSize, platform: { os: 'linux', architecture: i.arch } })),
      }))),
    };
  }
  if (top === undefined) throw new Error('no platforms');
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ ...top, annotations: { 'org.opencontainers.image.ref.name': tag } }] }));
  return { digest: top.digest, images };
}
