// Seeds a repository for repository-copy tests: tags that share base layers.
import { createHash, randomBytes } from 'node:crypto';
import type { DockerHubClient } from '@llmdevops/docker-hub-services';

const sha = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/**
 * Pushes `tags` into `repo`, each an OCI index over `archs`, sharing one base layer per
 * architecture across tags (each tag has its own config and layer per architecture).
 * @param seeder - a client with push rights
 * @param repo - e.g. `127.0.0.1:5000/src/app`
 * @param tags - tag names
 * @param archs - architectures
 * @returns `repo:tag` to index digest
 */
export async function seedRepository(seeder: DockerHubClient, repo: string, tags: readonly string[], archs: readonly string[]): Promise<Map<string, string>> {
  const digests = new Map<string, string>();
  const base = new Map<string, { digest: string; size: number }>();
  for (const arch of archs) {
    const bytes = randomBytes(32 * 1024);
    base.set(arch, { digest: await seeder.blobs.upload(`${repo}:x`, bytes), size: bytes.length });
  }
  for (const tag of tags) {
    const entries = [];
    for (const arch of archs) {
      const layer = randomBytes(512);
      const config = Buffer.from(JSON.stringify({ architecture: arch, os: 'linux', tag, rootfs: { type: 'layers', diff_ids: [] } }));
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: await seeder.blobs.upload(`${repo}:x`, config), size: config.length },
          layers: [
            { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...base.get(arch) },
            { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: await seeder.blobs.upload(`${repo}:x`, layer), size: layer.length },
          ],
        }),
      );
      await seeder.manifests.put(`${repo}@${sha(manifest)}`, manifest);
      entries.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(manifest), size: manifest.length, platform: { os: 'linux', architecture: arch } });
    }
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: entries }));
    await seeder.manifests.put(`${repo}:${tag}`, index);
    digests.set(`${repo}:${tag}`, sha(index));
  }
  return digests;
}
