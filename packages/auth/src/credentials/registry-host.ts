/** The key Docker's `config.json` and credential helpers use for Docker Hub. @public */
export const DOCKER_HUB_CONFIG_KEY = 'https://index.docker.io/v1/';

const HUB_HOSTS = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com',
]);

/**
 * Reduces a registry given as host, host:port, origin or URL to lower-case `host[:port]`.
 * @param registry - e.g. `https://index.docker.io/v1/`, `localhost:5000`, `http://127.0.0.1:5000`
 * @returns `host[:port]` (default ports dropped)
 * @public
 */
export function normalizeRegistryHost(registry: string): string {
  const trimmed = registry.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  try {
    return new URL(withScheme).host.toLowerCase();
  } catch {
    return trimmed
      .toLowerCase()
      .replace(/^[a-z]+:\/\//, '')
      .replace(/\/.*$/, '');
  }
}

/**
 * Whether a registry is Docker Hub (`docker.io`, `index.docker.io`, `registry-1.docker.io`).
 * @param registry - host, host:port or URL
 * @returns true for Docker Hub
 * @public
 */
export function isDockerHub(registry: string): boolean {
  return HUB_HOSTS.has(normalizeRegistryHost(registry));
}

/**
 * The key under which Docker stores credentials for a registry: `https://index.docker.io/v1/`
 * for Docker Hub, `host[:port]` for others.
 * @param registry - host, host:port or URL
 * @returns the config key
 * @public
 */
export function credentialKey(registry: string): string {
  return isDockerHub(registry) ? DOCKER_HUB_CONFIG_KEY : normalizeRegistryHost(registry);
}
