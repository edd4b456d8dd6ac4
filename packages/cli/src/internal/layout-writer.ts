import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GeneratedImage } from './demo-image.js';

/**
 * Writes a generated image as an OCI image layout (`oci-layout`, `index.json` naming the image
 * with `org.opencontainers.image.ref.name`, `blobs/sha256/...`), the form `dhub push` and
 * `skopeo copy oci:DIR:NAME` read.
 * @param dir - the layout directory (created)
 * @param image - the image
 * @param refName - the name in `index.json`, e.g. `1.0`
 * @returns when written
 * @internal
 */
export async function writeImageLayout(
  dir: string,
  image: GeneratedImage,
  refName: string,
): Promise<void> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const b of [...image.blobs, ...image.manifests, image.index]) {
    await writeFile(join(dir, 'blobs', 'sha256', b.digest.slice('sha256:'.length)), b.bytes);
  }
  await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      {
        mediaType: image.index.mediaType,
        digest: image.index.digest,
        size: image.index.bytes.byteLength,
        annotations: { 'org.opencontainers.image.ref.name': refName },
      },
    ],
  };
  await writeFile(join(dir, 'index.json'), JSON.stringify(index));
}
