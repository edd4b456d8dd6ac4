import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DockerHubConfig, type DockerHubConfig as Config } from '@llmdevops/docker-hub-services';

/** A configuration file: snake_case keys under `docker_hub:`, secrets taken from the environment. */
const YAML = `
docker_hub:
  registry_url: '\${REGISTRY_URL:-https://registry-1.docker.io}'
  auth:
    username: '\${DOCKER_HUB_USERNAME}'
    access_token: '\${DOCKER_HUB_ACCESS_TOKEN}'
  resilience:
    timeout_seconds: 20
    circuit_breaker:
      failure_threshold: 3
  upload:
    max_concurrent_uploads: 2
  cache:
    enabled: false
`;

/**
 * Writes the file above into `dir` and loads it with `${VAR}` (required) and `${VAR:-default}`
 * interpolation from `env` (default `process.env`).
 * @param dir - a directory to write `docker-hub.yaml` into
 * @param env - variables for interpolation
 * @returns the resolved configuration
 */
export async function configFromFile(dir: string, env: NodeJS.ProcessEnv): Promise<Config> {
  const path = join(dir, 'docker-hub.yaml');
  await writeFile(path, YAML);
  return DockerHubConfig.fromFile(path, { env });
}
