import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createCredentialProvider } from '@llmdevops/docker-hub-auth';
import { DockerHubClient } from '@llmdevops/docker-hub-services';
import { createSimulator } from '@llmdevops/docker-hub-simulation';

const run = promisify(execFile);

/**
 * Serves the simulator on 127.0.0.1 (a free port) with token auth, pushes with our client over
 * real sockets, and lets skopeo, a real registry client, list the tags.
 * @returns the tags skopeo saw
 */
export async function skopeoListsTags(): Promise<string[]> {
  const sim = createSimulator({
    auth: 'token',
    users: [{ name: 'alice', password: 'alice-pw', namespaces: ['alice'] }],
  });
  const { url } = await sim.listen(); // e.g. http://127.0.0.1:39027
  const host = new URL(url).host;
  // Loopback registries are reached over plain HTTP; the credentials are for this registry only.
  const credentials = createCredentialProvider({
    explicit: { [host]: { username: 'alice', password: 'alice-pw' } },
    ignoreDockerConfig: true,
  });
  const client = new DockerHubClient({}, { env: {}, credentials });
  try {
    const config = await client.blobs.upload(`${host}/alice/app`, new TextEncoder().encode('{}'));
    await client.manifests.put(`${host}/alice/app:v1`, {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 2 },
      layers: [],
    });
    const { stdout } = await run('skopeo', [
      'list-tags',
      '--tls-verify=false',
      '--creds',
      'alice:alice-pw',
      `docker://${host}/alice/app`,
    ]);
    return (JSON.parse(stdout) as { Tags: string[] }).Tags;
  } finally {
    await client.close();
    await sim.close(); // also closes the server started by listen()
  }
}
