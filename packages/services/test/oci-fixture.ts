import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** One blob written into a layout. */
function put(dir: string, bytes: Uint8Array): { digest: string; size: number } {
  const hex = sha(bytes);
  writeFileSync(join(dir, 'blobs', 'sha256', hex), bytes);
  return { digest: `sha256:${hex}`, size: bytes.length };
}

/**
 * Writes an OCI image layout with one image per platform (config + `layers` gzip layers) and,
 * when there are several platforms, an index; named `tag` in `index.json`.
 * @param dir - the layout directory (created)
 * @param tag - `org.opencontainers.image.ref.name`
 * @param platforms - e.g. `['amd64', 'arm64']`
 * @param layerBytes - uncompressed bytes per layer
 * @returns the top manifest's digest
 */
export function writeLayout(dir: string, tag: string, platforms: readonly string[], layerBytes = 20_000): string {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const images = platforms.map((arch) => {
    const raw = [randomBytes(layerBytes), randomBytes(layerBytes / 2)];
    const layers = raw.map((r) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...put(dir, gzipSync(r)) }));
    const config = Buffer.from(JSON.stringify({ architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: raw.map((r) => `sha256:${sha(r)}`) } }));
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...put(dir, config) },
        layers,
      }),
    );
    return { arch, ...put(dir, manifest) };
  });
  let top: { mediaType: string; digest: string; size: number };
  const only = images[0];
  if (images.length === 1 && only !== undefined) {
    top = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: only.digest, size: only.size };
  } else {
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: images.map((i) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: i.digest, size: i.size, platform: { os: 'linux', architecture: i.arch } })),
      }),
    );
    top = { mediaType: 'application/vnd.oci.image.index.v1+json', ...put(dir, index) };
  }
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({ schemaVersion: 2, manifests: [{ ...top, annotations: { 'org.opencontainers.image.ref.name': tag } }] }),
  );
  return top.digest;
}

/**
 * Every blob of a layout: file name to content.
 * @param dir - the layout
 * @returns a map from hex digest to bytes
 */
export function layoutBlobs(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const name of readdirSync(join(dir, 'blobs', 'sha256'))) out.set(name, readFileSync(join(dir, 'blobs', 'sha256', name)));
  return out;
}

/**
 * Every file below a directory (relative paths), to check that nothing was left behind.
 * @param dir - the directory
 * @returns sorted relative paths, or [] when it does not exist
 */
export function listFiles(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
      .sort();
  } catch {
    return [];
  }
}
