// Runs the examples of docs/api.md (docs/examples/api-*.ts, copied verbatim into the Markdown;
// packages/core/test/docs-examples.test.ts checks the copies). The client example runs against
// the simulator's in-process dispatcher.
import { fileURLToPath } from 'node:url';
import { DockerHubClient, type DockerHubConfigInput } from '@llmdevops/docker-hub';
import { createSimulator, type Simulator } from '@llmdevops/docker-hub-simulation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

async function example<T>(name: string): Promise<T> {
  return (await import(
    fileURLToPath(new URL(`../../../docs/examples/${name}`, import.meta.url))
  )) as T;
}

describe('docs/examples/api-core.ts', () => {
  it('normalizes, digests, parses platforms and hides the secret', async () => {
    const { coreBasics } = await example<{ coreBasics(): Record<string, string | boolean> }>(
      'api-core.ts',
    );
    const hello = 'sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';
    expect(coreBasics()).toEqual({
      reference: 'docker.io/library/alpine:3.19',
      familiar: 'alpine:3.19',
      registry: 'registry-1.docker.io',
      pinned: `docker.io/library/alpine:3.19@${hello}`,
      digestMatches: true,
      platform: 'linux/arm64/v8',
      token: '[REDACTED]',
    });
  });
});

describe('docs/examples/api-client.ts', () => {
  let sim: Simulator;
  let pushed: string;
  const repo = '127.0.0.1:5000/team/app';
  beforeAll(async () => {
    sim = createSimulator();
    const seeder = new DockerHubClient({ dispatcher: sim.dispatcher }, { env: {} });
    const config = await seeder.blobs.upload(repo, new TextEncoder().encode('{}'));
    pushed = await seeder.manifests.put(`${repo}:v1`, {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 2 },
      layers: [],
    });
    await seeder.close();
  }, 60_000);
  afterAll(async () => {
    await sim.close();
  });

  it('returns the digest and tags, or the error code', async () => {
    const { describeImage } = await example<{
      describeImage(
        config: DockerHubConfigInput | undefined,
        image: string,
      ): Promise<{ digest: string; tags: string[] } | { code: string; retryable: boolean }>;
    }>('api-client.ts');
    const config = { dispatcher: sim.dispatcher, resilience: { maxRetries: 0 } };
    expect(await describeImage(config, `${repo}:v1`)).toEqual({ digest: pushed, tags: ['v1'] });
    expect(await describeImage(config, `${repo}:v2`)).toEqual({
      code: 'MANIFEST_UNKNOWN',
      retryable: false,
    });
  }, 60_000);
});
