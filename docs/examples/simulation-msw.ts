import { createSimulator } from '@llmdevops/docker-hub-simulation';
import { mswHandlers } from '@llmdevops/docker-hub-simulation/msw';
import { setupServer } from 'msw/node';

/** Code under test that uses the global `fetch` (not undici's dispatcher). */
export async function listTags(registry: string, repository: string): Promise<string[]> {
  const res = await fetch(`${registry}/v2/${repository}/tags/list`);
  if (!res.ok) throw new Error(`tags of ${repository}: HTTP ${res.status}`);
  const body = (await res.json()) as { tags: string[] | null };
  return body.tags ?? [];
}

/**
 * msw intercepts the global `fetch`; the simulator's msw handlers answer for one origin.
 * msw does NOT see requests sent through an undici `Dispatcher` (like `DockerHubClient`'s):
 * give those clients `sim.dispatcher` instead.
 * @returns the tags `listTags` saw
 */
export async function tagsThroughMsw(): Promise<string[]> {
  const registry = 'https://registry.example.test';
  const sim = createSimulator();
  const server = setupServer(...mswHandlers(sim, registry));
  server.listen({ onUnhandledRequest: 'error' });
  try {
    // Seed the simulator through the same handler: one monolithic blob upload and a manifest.
    const blob = new TextEncoder().encode('{}');
    const digest = `sha256:${Buffer.from(await crypto.subtle.digest('SHA-256', blob)).toString('hex')}`;
    await fetch(`${registry}/v2/team/app/blobs/uploads/?digest=${digest}`, {
      method: 'POST',
      body: blob,
    });
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest, size: blob.length },
      layers: [],
    });
    for (const tag of ['v1', 'v2']) {
      await fetch(`${registry}/v2/team/app/manifests/${tag}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
        body: manifest,
      });
    }
    return await listTags(registry, 'team/app');
  } finally {
    server.close();
    await sim.close();
  }
}
