import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DockerHubClient } from '@llmdevops/docker-hub-services';
import { createSimulator } from '@llmdevops/docker-hub-simulation';
import { createNodeMiddleware, createWebhooks } from '@llmdevops/docker-hub-webhooks';

/**
 * End to end: a push by tag to the simulator fires Docker Hub's push webhook, signed with
 * `X-Hub-Signature-256`, at a receiver built with `@llmdevops/docker-hub-webhooks`.
 * @returns the `repository:tag` pairs the receiver accepted and the delivery statuses
 */
export async function pushFiresWebhook(): Promise<{ received: string[]; statuses: number[] }> {
  const received: string[] = [];
  const webhooks = createWebhooks({
    signature: { secrets: 'hook-secret' },
    ack: 'after-listeners',
  });
  webhooks.on('push', (event) => {
    received.push(`${event.repository}:${event.tag ?? ''}`);
  });
  const receiver = createServer(createNodeMiddleware(webhooks, { path: '/hooks/docker' }));
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  const { port } = receiver.address() as AddressInfo;

  const sim = createSimulator({
    webhooks: [
      {
        repository: 'team/app',
        url: `http://127.0.0.1:${port}/hooks/docker`,
        secret: 'hook-secret',
      },
    ],
  });
  const client = new DockerHubClient({ dispatcher: sim.dispatcher });
  try {
    const repo = '127.0.0.1:5000/team/app';
    const config = await client.blobs.upload(repo, new TextEncoder().encode('{}'));
    await client.manifests.put(`${repo}:v1`, {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 2 },
      layers: [],
    });
    await sim.webhooksIdle(); // deliveries are asynchronous; wait for them
    return { received, statuses: sim.webhookDeliveries.map((d) => d.status) };
  } finally {
    await client.close();
    await sim.close();
    receiver.close();
  }
}
