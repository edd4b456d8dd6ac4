// Test images: random (incompressible) layers in an OCI image layout.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { sha } from './measure.mjs';
import { MiB, OCI_CONFIG, OCI_LAYER, OCI_MANIFEST } from './params.mjs';

/**
 * `size` random bytes gzipped at level 0 (stored, so no time goes to compressing) into `file`, as
 * registries hold layers: the digest and size of the gzip stream and the digest of the raw bytes
 * (the config's `diff_id`).
 */
export async function gzipRandomFile(file, size) {
  const raw = createHash('sha256');
  const gz = createHash('sha256');
  let written = 0;
  async function* random() {
    for (let left = size; left > 0; left -= 4 * MiB) {
      const b = randomBytes(Math.min(left, 4 * MiB));
      raw.update(b);
      yield b;
    }
  }
  async function* count(source) {
    for await (const c of source) {
      gz.update(c);
      written += c.length;
      yield c;
    }
  }
  await pipeline(random, createGzip({ level: 0 }), count, createWriteStream(file));
  return { digest: `sha256:${gz.digest('hex')}`, size: written, diffId: `sha256:${raw.digest('hex')}` };
}

/** Writes `size` random bytes to `file` and returns its digest. */
export async function randomFile(file, size) {
  const h = createHash('sha256');
  const ws = createWriteStream(file);
  for (let left = size; left > 0;) {
    const n = Math.min(left, 4 * MiB);
    const b = randomBytes(n);
    h.update(b);
    if (!ws.write(b)) await new Promise((r) => ws.once('drain', r));
    left -= n;
  }
  await new Promise((r, j) => ws.end((e) => (e ? j(e) : r())));
  return `sha256:${h.digest('hex')}`;
}

/** An image manifest (OCI) for a config blob and layer descriptors. */
export function imageManifest(configDigest, configSize, layers) {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: configDigest, size: configSize },
      layers,
    }),
  );
}

async function writeLayers(blobs, dir, layerSizes) {
  const layers = [];
  for (const [i, size] of layerSizes.entries()) {
    const tmp = join(dir, `layer-${i}`);
    const digest = await randomFile(tmp, size);
    await rm(join(blobs, digest.slice(7)), { force: true });
    await rename(tmp, join(blobs, digest.slice(7)));
    layers.push({ mediaType: OCI_LAYER, digest, size });
  }
  return layers;
}

async function writeIndex(dir, manifestDigest, manifestSize) {
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: OCI_MANIFEST,
          digest: manifestDigest,
          size: manifestSize,
          annotations: { 'org.opencontainers.image.ref.name': 'latest' },
        },
      ],
    }),
  );
}

/** An OCI image layout with the given layer sizes (random bytes, uncompressed tar media type). */
export async function makeLayout(dir, layerSizes) {
  const blobs = join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const layers = await writeLayers(blobs, dir, layerSizes);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
      config: {},
    }),
  );
  const cd = sha(config);
  await writeFile(join(blobs, cd.slice(7)), config);
  const manifest = imageManifest(cd, config.length, layers);
  const md = sha(manifest);
  await writeFile(join(blobs, md.slice(7)), manifest);
  await writeIndex(dir, md, manifest.length);
  return { layers, manifestDigest: md, total: layerSizes.reduce((a, b) => a + b, 0) };
}

/** Path of a blob in an OCI layout. */
export const blobPath = (layout, digest) => join(layout, 'blobs', 'sha256', digest.slice(7));
