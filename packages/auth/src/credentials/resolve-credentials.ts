import { Secret } from '@llmdevops/docker-hub-core';
import { credentialHelperGet } from './credential-helper.js';
import {
  credentialFromAuthEntry,
  type DockerConfigLocation,
  findConfigKey,
  readDockerConfig,
} from './docker-config.js';
import { credentialKey, isDockerHub, normalizeRegistryHost } from './registry-host.js';
import { ANONYMOUS, type CredentialInput, type RegistryCredential, toCredential } from './types.js';

/**
 * Finds the credential for a registry host. Implementations must not throw for "no credential":
 * they return the anonymous credential.
 * @public
 */
export type CredentialProvider = (
  registry: string,
  signal?: AbortSignal,
  hint?: CredentialHint,
) => Promise<RegistryCredential>;

/**
 * What one request asks of a {@link CredentialProvider} beyond the registry: the account a
 * request was assigned (e.g. by a shared pull budget choosing among several accounts). Providers
 * that hold no such account ignore it.
 * @public
 */
export interface CredentialHint {
  /** The account name the request should use. */
  readonly account?: string;
}

/** Options of {@link resolveCredentials} and {@link createCredentialProvider}. @public */
export interface CredentialSourceOptions extends DockerConfigLocation {
  /**
   * Explicit credentials: one for every registry, or a map keyed by registry (host, host:port,
   * URL or `https://index.docker.io/v1/`). These win over everything else.
   */
  readonly explicit?: CredentialInput | Readonly<Record<string, CredentialInput>>;
  /** Skip Docker's `config.json` and credential helpers (default false). */
  readonly ignoreDockerConfig?: boolean;
  /** Timeout for credential helpers in ms (default 10 000). */
  readonly helperTimeoutMs?: number;
}

function isSingleInput(
  value: NonNullable<CredentialSourceOptions['explicit']>,
): value is CredentialInput {
  const record = value as Readonly<Record<string, unknown>>;
  return ['password', 'identityToken', 'registryToken'].some(
    (k) => typeof record[k] === 'string' || record[k] instanceof Secret,
  );
}

function explicitFor(
  registry: string,
  explicit: CredentialSourceOptions['explicit'],
): RegistryCredential | undefined {
  if (explicit === undefined) return undefined;
  if (isSingleInput(explicit)) return toCredential(explicit, 'explicit');
  const key = findConfigKey(Object.keys(explicit), registry);
  const input = key === undefined ? undefined : explicit[key];
  return input === undefined ? undefined : toCredential(input, 'explicit');
}

function fromEnv(registry: string, env: NodeJS.ProcessEnv): RegistryCredential | undefined {
  if (!isDockerHub(registry)) return undefined;
  const username = env['DOCKER_HUB_USERNAME'];
  const secret = env['DOCKER_HUB_ACCESS_TOKEN'] ?? env['DOCKER_HUB_PASSWORD'];
  if (username === undefined || username === '' || secret === undefined || secret === '')
    return undefined;
  return { kind: 'basic', username, password: new Secret(secret), source: 'env' };
}

/**
 * Finds the credential for a registry, in order: explicit configuration; for Docker Hub the
 * environment (`DOCKER_HUB_USERNAME` with `DOCKER_HUB_ACCESS_TOKEN` or `DOCKER_HUB_PASSWORD`);
 * Docker's `config.json` (`credHelpers` for the registry, else `credsStore`, else `auths`);
 * anonymous.
 * @param registry - host, host:port or URL of the registry (Docker Hub by any of its names)
 * @param options - explicit credentials, config location, helper timeout
 * @param signal - cancels file reads and helpers
 * @returns the credential (its `source` says where it came from)
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} naming the file or helper when `config.json` is malformed or a
 * configured helper is missing, fails or times out
 * @public
 */
export async function resolveCredentials(
  registry: string,
  options: CredentialSourceOptions = {},
  signal?: AbortSignal,
): Promise<RegistryCredential> {
  const explicit = explicitFor(registry, options.explicit);
  if (explicit !== undefined) return explicit;
  const env = options.env ?? process.env;
  const fromEnvironment = fromEnv(registry, env);
  if (fromEnvironment !== undefined) return fromEnvironment;
  if (options.ignoreDockerConfig === true) return ANONYMOUS;
  const file = await readDockerConfig(options, signal);
  const helperKey = findConfigKey(Object.keys(file.credHelpers), registry);
  const helper =
    (helperKey === undefined ? undefined : file.credHelpers[helperKey]) ?? file.credsStore;
  if (helper !== undefined && helper !== '') {
    const found = await credentialHelperGet(helper, credentialKey(registry), {
      env,
      configFile: file.path,
      ...(options.helperTimeoutMs === undefined ? {} : { timeoutMs: options.helperTimeoutMs }),
      ...(signal === undefined ? {} : { signal }),
    });
    if (found !== undefined) return found;
  }
  const authKey = findConfigKey(Object.keys(file.auths), registry);
  const entry = authKey === undefined ? undefined : file.auths[authKey];
  if (authKey !== undefined && entry !== undefined) {
    const cred = credentialFromAuthEntry(entry, file.path, authKey);
    if (cred !== undefined) return cred;
  }
  return ANONYMOUS;
}

/**
 * A {@link CredentialProvider} over {@link resolveCredentials} that resolves each registry once
 * and remembers the answer (helpers are not re-run for every request).
 * @param options - explicit credentials, config location, helper timeout
 * @returns the provider; its `dispose()` zeroes every remembered secret
 * @public
 */
export function createCredentialProvider(
  options: CredentialSourceOptions = {},
): CredentialProvider & { dispose(): void } {
  const known = new Map<string, Promise<RegistryCredential>>();
  const settled = new Set<RegistryCredential>();
  let disposed = false;
  const provider = async (registry: string, signal?: AbortSignal): Promise<RegistryCredential> => {
    const host = normalizeRegistryHost(registry);
    const key = isDockerHub(host) ? 'docker.io' : host;
    let found = known.get(key);
    if (found === undefined) {
      found = resolveCredentials(host, options, signal).then((c) => {
        // Resolved after dispose(): zero it at once rather than keep it.
        if (disposed) disposeIfSecret(c);
        else settled.add(c);
        return c;
      });
      known.set(key, found);
      found.catch(() => known.delete(key));
    }
    return found;
  };
  return Object.assign(provider, {
    dispose(): void {
      disposed = true;
      for (const c of settled) disposeIfSecret(c);
      settled.clear();
      known.clear();
    },
  });
}

function disposeIfSecret(c: RegistryCredential): void {
  if (c.source === 'explicit') return; // the caller owns explicit secrets
  if (c.kind === 'basic') c.password.dispose();
  else if (c.kind !== 'anonymous') c.token.dispose();
}
