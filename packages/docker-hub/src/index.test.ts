import { describe, expect, it } from 'vitest';
import * as toolkit from './index.js';

describe('@llmdevops/docker-hub', () => {
  it('re-exports core, transport, auth, services and webhooks', () => {
    expect(typeof toolkit.ImageReference.parse).toBe('function');
    expect(typeof toolkit.Digest.fromBytes).toBe('function');
    expect(typeof toolkit.createTransport).toBe('function');
    expect(typeof toolkit.createAuthMiddleware).toBe('function');
    expect(typeof toolkit.DockerHubClient).toBe('function');
    expect(typeof toolkit.DockerHubConfig.fromEnv).toBe('function');
    expect(typeof toolkit.createWebhooks).toBe('function');
    expect(toolkit.ImageReference.parse('alpine').toString()).toBe('docker.io/library/alpine:latest');
  });

  it('builds a client from a plain configuration', async () => {
    const client = new toolkit.DockerHubClient({ registryUrl: 'http://127.0.0.1:5000' }, { env: {} });
    expect(client.config.registryUrl).toBe('http://127.0.0.1:5000');
    await client.close();
  });
});
