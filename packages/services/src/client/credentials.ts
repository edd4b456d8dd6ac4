import { ANONYMOUS, createCredentialProvider, disposeCredential, isDockerHub, type CredentialHint, type CredentialProvider, type RegistryCredential } from '@llmdevops/docker-hub-auth';
import type { ResolvedDockerHubConfig } from '../config/schema.js';
import { DOCKER_HUB_REGISTRY_URL } from './context.js';

/**
 * The credential provider of a client: configured Docker Hub credentials for Docker Hub's
 * registry (or the registry `registryUrl` points Docker Hub traffic to); for everything else,
 * the auth package's sources (env, Docker's `config.json` under `DOCKER_CONFIG`, helpers).
 * A redirected Docker Hub registry without its own entry falls back to Docker Hub's entry.
 * @param config - the client configuration
 * @param env - environment (for `DOCKER_CONFIG`)
 * @returns the provider
 * @internal
 */
export function createClientCredentials(
  config: ResolvedDockerHubConfig,
  env: NodeJS.ProcessEnv,
  pool: ReadonlyMap<string, RegistryCredential> = new Map(),
): CredentialProvider & { dispose(): void } {
  const fallback = createCredentialProvider({ env });
  const hubRegistry = new URL(config.registryUrl ?? DOCKER_HUB_REGISTRY_URL).host.toLowerCase();
  const { username, password, accessToken } = config.auth;
  const secret = accessToken ?? password;
  const configured: RegistryCredential | undefined =
    username !== undefined && secret !== undefined ? { kind: 'basic', username, password: secret, source: 'explicit' } : undefined;
  const provider = async (registry: string, signal?: AbortSignal, hint?: CredentialHint): Promise<RegistryCredential> => {
    const host = registry.toLowerCase();
    const hubTraffic = host === hubRegistry || isDockerHub(host);
    // A request the pull budget assigned to one account of the pool.
    const pooled = hint?.account === undefined ? undefined : pool.get(hint.account);
    if (hubTraffic && pooled !== undefined) return pooled;
    if (hubTraffic && configured !== undefined) return configured;
    const found = await fallback(registry, signal);
    if (found !== ANONYMOUS && found.kind !== 'anonymous') return found;
    return hubTraffic && !isDockerHub(host) ? fallback('docker.io', signal) : found;
  };
  return Object.assign(provider, {
    dispose: () => {
      fallback.dispose();
      for (const credential of pool.values()) disposeCredential(credential);
    },
  });
}
