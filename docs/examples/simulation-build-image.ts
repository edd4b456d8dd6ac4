import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DockerHubClient } from '@llmdevops/docker-hub-services';
import { buildImage, createSimulator, type OciPlatform } from '@llmdevops/docker-hub-simulation';

/**
 * Builds a two-platform test image in one call, writes it as an OCI layout and pushes it.
 * @param dir - where the OCI layout is written
 * @returns the index digest, what the push answered, the platforms and the layout's blob count
 */
export async function buildWriteAndPush(dir: string): Promise<{
  digest: string;
  pushed: string;
  platforms: OciPlatform[];
  blobFiles: number;
}> {
  const image = buildImage({
    platforms: ['linux/amd64', 'linux/arm64/v8'],
    // Real tar+gzip layers: given files, and random ones (reproducible with `seed`).
    layers: [{ files: { 'etc/motd': 'hello\n' } }, { random: { count: 2, size: 4096 } }],
    config: { config: { Env: ['MODE=test'] } }, // rootfs.diff_ids and the platform are filled in
    annotations: { 'org.opencontainers.image.title': 'demo' },
    seed: 'docs',
  });
  await image.writeOciLayout(dir, 'v1'); // skopeo, dhub push and docker load read this
  const sim = createSimulator();
  const client = new DockerHubClient({ dispatcher: sim.dispatcher });
  try {
    // Blobs, then each platform's manifest by digest, then the index by tag.
    const pushed = await image.push(client, '127.0.0.1:5000/team/demo:v1');
    return {
      digest: image.digest,
      pushed,
      platforms: image.manifests.map((m) => m.platform),
      blobFiles: (await readdir(join(dir, 'blobs', 'sha256'))).length,
    };
  } finally {
    await client.close();
    await sim.close();
  }
}
