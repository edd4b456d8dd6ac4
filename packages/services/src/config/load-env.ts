import type { DockerHubConfigInput } from './schema.js';

/** Environment variables of seed section 4.1 and the config field each one sets. */
const ENV_FIELDS: readonly (readonly [string, string])[] = [
  ['DOCKER_HUB_URL', 'hubUrl'],
  ['DOCKER_REGISTRY_URL', 'registryUrl'],
  ['DOCKER_AUTH_URL', 'authUrl'],
  ['DOCKER_TIMEOUT_SECONDS', 'resilience.timeoutSeconds'],
  ['DOCKER_TOTAL_TIMEOUT_SECONDS', 'resilience.totalTimeoutSeconds'],
  ['DOCKER_MAX_RETRIES', 'resilience.maxRetries'],
  ['DOCKER_CHUNK_SIZE_MB', 'upload.chunkSizeMb'],
  ['DOCKER_HUB_USERNAME', 'auth.username'],
  ['DOCKER_HUB_PASSWORD', 'auth.password'],
  ['DOCKER_HUB_ACCESS_TOKEN', 'auth.accessToken'],
  ['DOCKER_HUB_BUDGET_URL', 'budget.url'],
  ['DOCKER_HUB_ACCOUNTS_FILE', 'accountsFile'],
];

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next === 'object' && next !== null) node = next as Record<string, unknown>;
    else {
      const created: Record<string, unknown> = {};
      node[part] = created;
      node = created;
    }
  }
  node[parts[parts.length - 1] ?? path] = value;
}

/**
 * Builds configuration input from environment variables (`DOCKER_HUB_URL`, `DOCKER_REGISTRY_URL`,
 * `DOCKER_AUTH_URL`, `DOCKER_TIMEOUT_SECONDS`, `DOCKER_TOTAL_TIMEOUT_SECONDS`, `DOCKER_CHUNK_SIZE_MB`, `DOCKER_MAX_RETRIES`,
 * `DOCKER_HUB_USERNAME`, `DOCKER_HUB_PASSWORD`, `DOCKER_HUB_ACCESS_TOKEN`, and `DOCKER_REGISTRY_MIRRORS`,
 * a comma list of mirrors for `docker.io`); empty values are unset.
 * @param env - the environment (default `process.env`)
 * @returns the input (not yet validated)
 * @internal
 */
export function inputFromEnv(env: NodeJS.ProcessEnv = process.env): DockerHubConfigInput {
  const input: Record<string, unknown> = {};
  for (const [name, path] of ENV_FIELDS) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') setPath(input, path, value);
  }
  // A registry name holds dots, so this one is not a dotted path.
  const mirrors = env['DOCKER_REGISTRY_MIRRORS'];
  if (mirrors !== undefined && mirrors.trim() !== '') input['mirrors'] = { 'docker.io': mirrors };
  return input;
}

/**
 * Names a config path by its environment variable, for errors about environment input.
 * @param path - camelCase config path
 * @returns the variable name, or the path when no variable sets it
 * @internal
 */
export function envNameOf(path: string): string {
  return ENV_FIELDS.find(([, field]) => field === path)?.[0] ?? path;
}
