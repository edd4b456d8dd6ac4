import { isDockerHub, normalizeRegistryHost } from '@llmdevops/docker-hub-auth';
import { type DockerHubConfig } from '@llmdevops/docker-hub-services';
import { isLoopbackHost } from '@llmdevops/docker-hub-transport';

/** Docker Hub's registry when the configuration does not redirect it. */
const HUB_REGISTRY = 'https://registry-1.docker.io';

/** Where `dhub login`/`logout` go for a registry argument. @internal */
export interface LoginTarget {
  /** Base URL of the registry (`/v2/` is checked there). */
  readonly url: URL;
  /** What credentials are stored under (`docker.io` for Docker Hub, else `host[:port]`). */
  readonly registry: string;
}

/**
 * Resolves a `dhub login` registry argument as `docker login` does: none (or a Docker Hub host)
 * means Docker Hub, whose registry the configuration may redirect (`DOCKER_REGISTRY_URL`); other
 * hosts are reached over HTTPS, or plain HTTP for loopback and insecure hosts.
 * @param argument - `host[:port]`, a URL, or undefined
 * @param config - the library configuration
 * @returns the URL to verify against and the key to store under
 * @internal
 */
export function loginTarget(argument: string | undefined, config: DockerHubConfig): LoginTarget {
  if (argument === undefined || isDockerHub(argument)) {
    return { url: new URL(config.registryUrl ?? HUB_REGISTRY), registry: 'docker.io' };
  }
  const host = normalizeRegistryHost(argument);
  if (/^https?:\/\//i.test(argument)) return { url: new URL(argument), registry: host };
  const hostname = new URL(`http://${host}`).hostname;
  const plain = isLoopbackHost(hostname) || config.insecureRegistries.includes(host);
  return { url: new URL(`${plain ? 'http' : 'https'}://${host}`), registry: host };
}
