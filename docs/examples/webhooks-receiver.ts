import { createServer, type Server } from 'node:http';
import type { Secret } from '@llmdevops/docker-hub-core';
import { createNodeMiddleware, createWebhooks } from '@llmdevops/docker-hub-webhooks';

/**
 * A Docker Hub webhook receiver. Docker Hub cannot sign requests or add headers, so the shared
 * secret goes in the URL you register: `https://hooks.example.com/hooks/docker?token=<secret>`.
 * Deliveries without it get 401; malformed or oversized ones 400 or 413.
 * @param token - the shared secret, e.g. `new Secret(process.env.HOOK_TOKEN ?? '')`
 * @param onPush - called for each accepted push with repository and tag
 * @returns an HTTP server (not listening yet)
 */
export function createPushReceiver(
  token: Secret,
  onPush: (repository: string, tag: string | undefined) => void,
): Server {
  const webhooks = createWebhooks({
    sharedSecret: { secrets: token, from: 'query' },
    ack: 'after-listeners',
  });
  webhooks.on('push', (event) => {
    onPush(event.repository, event.tag);
  });
  webhooks.onError((error) => {
    process.emitWarning(`webhook listener failed: ${error.message}`);
  });
  return createServer(createNodeMiddleware(webhooks, { path: '/hooks/docker' }));
}
