import { MediaType, type OciManifest } from '@llmdevops/docker-hub-core';
import { DockerHubClient } from '@llmdevops/docker-hub-services';
import { createSimulator } from '@llmdevops/docker-hub-simulation';

/**
 * Pushes a one-layer image to an in-process simulator and reads it back. The client's requests
 * go through the simulator's undici `Dispatcher`: no sockets, no ports, nothing to clean up but
 * the simulator itself.
 * @returns the pushed manifest's digest, the tags and the digest read back
 */
export async function pushAndReadBack(): Promise<{ pushed: string; tags: string[]; read: string }> {
  const sim = createSimulator(); // the `oci` profile, no auth, memory storage
  // `127.0.0.1:5000` is never dialled: every request is answered by `sim.dispatcher`. A loopback
  // host keeps the client on plain HTTP.
  const client = new DockerHubClient({ dispatcher: sim.dispatcher });
  try {
    const repo = '127.0.0.1:5000/team/app';
    const config = new TextEncoder().encode('{"architecture":"amd64","os":"linux"}');
    const layer = new TextEncoder().encode('hello from a layer');
    const configDigest = await client.blobs.upload(repo, config);
    const layerDigest = await client.blobs.upload(repo, layer);
    const manifest: OciManifest = {
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: configDigest, size: config.length },
      layers: [{ mediaType: MediaType.OciLayerGzip, digest: layerDigest, size: layer.length }],
    };
    const pushed = await client.manifests.put(`${repo}:v1`, manifest);
    const tags = await client.tags.list(repo);
    const { digest: read } = await client.manifests.get(`${repo}:v1`);
    return { pushed, tags, read };
  } finally {
    await client.close();
    await sim.close();
  }
}
