import { DockerHubClient, DockerHubConfig } from '@llmdevops/docker-hub-services';

/**
 * Configuration from environment variables. `fromEnv()` reads `process.env`; a test passes its
 * own map. Numbers arrive as strings and are validated like any other source; the token becomes a
 * `Secret` at once.
 * @param env - the environment
 * @returns a few resolved values, as a program would see them
 */
export async function configFromEnv(env: NodeJS.ProcessEnv): Promise<{
  timeoutSeconds: number;
  maxRetries: number;
  chunkSizeMb: number;
  registryUrl: string | undefined;
  printedToken: string;
}> {
  const config = DockerHubConfig.fromEnv(env);
  // `new DockerHubClient()` without arguments does the same with process.env.
  const client = new DockerHubClient(config);
  try {
    return {
      timeoutSeconds: client.config.resilience.timeoutSeconds,
      maxRetries: client.config.resilience.maxRetries,
      chunkSizeMb: client.config.upload.chunkSizeMb,
      registryUrl: client.config.registryUrl,
      printedToken: String(client.config.auth.accessToken), // a Secret prints as [REDACTED]
    };
  } finally {
    await client.close();
  }
}
