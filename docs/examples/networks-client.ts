import { DockerHubClient, type MirrorEvent } from '@llmdevops/docker-hub-services';

/** Where the endpoints are: an internal registry on a private CA with mutual TLS, and a mirror. */
export interface NetworkSettings {
  /** `host:port` of the internal registry. */
  readonly internal: string;
  /** The CA that signed its certificate, the client certificate and its key (PEM files). */
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** The registry serving `docker.io` references, and a pull mirror in front of it. */
  readonly upstream: string;
  readonly mirror: string;
}

/**
 * Reads an image from the internal registry (private CA, client certificate) and pulls a
 * `docker.io` image through a mirror, reporting which endpoint served each manifest and blob.
 * @param s - the endpoints and certificate files
 * @param dir - where the `docker.io` image is pulled to
 * @returns the internal image's digest, the pulled digest, and the mirror events
 */
export async function corporateClient(s: NetworkSettings, dir: string): Promise<{ internal: string; pulled: string; served: MirrorEvent[] }> {
  const client = new DockerHubClient({
    registryUrl: s.upstream,
    // Pulls of docker.io references try the mirror first, then the upstream.
    mirrors: { 'docker.io': [s.mirror] },
    // Files (or PEM text); the key is kept as a Secret. A certs.d/HOST:PORT folder works too.
    tls: { [s.internal]: { ca: s.caFile, cert: s.certFile, key: s.keyFile } },
    proxy: false,
  });
  const served: MirrorEvent[] = [];
  client.events.on('mirror', (e) => served.push(e));
  try {
    const internal = await client.manifests.get(`${s.internal}/team/app:v1`);
    const pulled = await client.images.pull('team/app:v1', dir);
    return { internal: internal.digest, pulled: pulled.digest, served };
  } finally {
    await client.close();
  }
}
