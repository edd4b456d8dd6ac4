// Seeds a repository with tags whose images share base layers: per platform one base layer shared
// by every tag, plus one layer of the tag's own; each tag is an OCI index over the platforms.
import { createHash, randomBytes } from 'node:crypto';
import type { DockerHubClient } from '../src/index.js';

const sha = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** What a seeded tag is made of. */
export interface SeededTag {
  readonly tag: string;
  /** The index digest. */
  readonly digest: string;
  /** Digests of its image manifests, by platform architecture. */
  readonly images: Readonly<Record<string, string>>;
  /** Its own (not shared) layer and config digests. */
  readonly own: readonly string[];
}

/** A seeded repository. */
export interface SeededRepository {
  readonly tags: readonly SeededTag[];
  /** Base layer digest per architecture (shared by every tag). */
  readonly base: Readonly<Record<string, string>>;
  /** Every distinct blob digest. */
  readonly blobs: readonly string[];
}

/**
 * Pushes `tags` into `repo`, each an index over `archs`, sharing one base layer per architecture.
 * @param client - a client with push rights
 * @param repo - e.g. `127.0.0.1:5000/src/app`
 * @param tags - tag names
 * @param archs - architectures (default amd64 and arm64)
 * @param baseBytes - size of each base layer
 * @returns what was pushed
 */
export async function seedRepository(
  client: DockerHubClient,
  repo: string,
  tags: readonly string[],
  archs: readonly string[] = ['amd64', 'arm64'],
  baseBytes = 64 * 1024,
): Promise<SeededRepository> {
  const base: Record<string, { digest: string; size: number }> = {};
  const blobs = new Set<string>();
  for (const arch of archs) {
    const bytes = randomBytes(baseBytes);
    base[arch] = { digest: await client.blobs.upload(`${repo}:x`, bytes), size: bytes.length };
    blobs.add(sha(bytes));
  }
  const seeded: SeededTag[] = [];
  for (const tag of tags) {
    const images: Record<string, string> = {};
    const own: string[] = [];
    const entries = [];
    for (const arch of archs) {
      const layer = randomBytes(1024);
      const layerDigest = await client.blobs.upload(`${repo}:x`, layer);
      const config = Buffer.from(JSON.stringify({ architecture: arch, os: 'linux', tag, rootfs: { type: 'layers', diff_ids: [] } }));
      const configDigest = await client.blobs.upload(`${repo}:x`, config);
      own.push(layerDigest, configDigest);
      blobs.add(layerDigest);
      blobs.add(configDigest);
      const b = base[arch];
      if (b === undefined) throw new Error('no base');
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
          layers: [
            { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...b },
            { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layerDigest, size: layer.length },
          ],
        }),
      );
      const digest = sha(manifest);
      await client.manifests.put(`${repo}@${digest}`, manifest);
      images[arch] = digest;
      entries.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: manifest.length, platform: { os: 'linux', architecture: arch } });
    }
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: entries }));
    await client.manifests.put(`${repo}:${tag}`, index);
    seeded.push({ tag, digest: sha(index), images, own });
  }
  return { tags: seeded, base: Object.fromEntries(Object.entries(base).map(([k, v]) => [k, v.digest])), blobs: [...blobs] };
}
