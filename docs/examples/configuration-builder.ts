import { DockerHubClient, DockerHubConfig } from '@llmdevops/docker-hub-services';
import { createSimulator } from '@llmdevops/docker-hub-simulation';

/**
 * The same settings through the fluent builder and as a plain object (camelCase keys; the
 * object form also takes an undici `dispatcher`, here a simulator's, and `insecureRegistries`).
 * @returns both configurations' values, and whether the plain-object client finds an image
 */
export async function builderAndObject(): Promise<{
  fromBuilder: { maxRetries: number; uploads: number; failureThreshold: number };
  fromObject: { maxRetries: number; uploads: number; failureThreshold: number };
  exists: boolean;
}> {
  const built = DockerHubConfig.builder()
    .credentials('alice', 'dckr_pat_example', 'accessToken')
    .maxRetries(5)
    .concurrency({ uploads: 2, downloads: 4 })
    .circuitBreaker({ failureThreshold: 3 })
    .build();

  const sim = createSimulator();
  const client = new DockerHubClient({
    resilience: { maxRetries: 5, circuitBreaker: { failureThreshold: 3 } },
    upload: { maxConcurrentUploads: 2, maxConcurrentDownloads: 4 },
    dispatcher: sim.dispatcher,
  });
  try {
    const exists = await client.manifests.exists('127.0.0.1:5000/team/app:v1'); // a HEAD, answered by the simulator
    const view = (c: typeof built) => ({
      maxRetries: c.resilience.maxRetries,
      uploads: c.upload.maxConcurrentUploads,
      failureThreshold: c.resilience.circuitBreaker.failureThreshold,
    });
    return { fromBuilder: view(built), fromObject: view(client.config), exists };
  } finally {
    await client.close();
    await sim.close();
  }
}
