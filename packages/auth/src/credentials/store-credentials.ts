import { type Secret } from '@llmdevops/docker-hub-core';
import { credentialHelperErase, credentialHelperStore } from './credential-helper.js';
import {
  type DockerConfigLocation,
  findConfigKey,
  readDockerConfig,
  writeDockerConfigAtomic,
} from './docker-config.js';
import { credentialKey } from './registry-host.js';

/** Options of {@link storeCredentials} and {@link eraseCredentials}. @public */
export interface StoreCredentialsOptions extends DockerConfigLocation {
  /** Timeout for credential helpers in ms (default 10 000). */
  readonly helperTimeoutMs?: number;
  /** Cancels the operation. */
  readonly signal?: AbortSignal;
}

/** What {@link storeCredentials} saves. @public */
export type StoredCredential =
  | { readonly username: string; readonly password: Secret }
  | { readonly username?: string; readonly identityToken: Secret };

async function helperFor(registry: string, options: StoreCredentialsOptions) {
  const file = await readDockerConfig(options, options.signal);
  const helperKey = findConfigKey(Object.keys(file.credHelpers), registry);
  const helper =
    (helperKey === undefined ? undefined : file.credHelpers[helperKey]) ?? file.credsStore;
  const helperOptions = {
    configFile: file.path,
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.helperTimeoutMs === undefined ? {} : { timeoutMs: options.helperTimeoutMs }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  return { file, helper: helper === '' ? undefined : helper, helperOptions };
}

/** A copy of an `auths` object without the registry's entry. */
function withoutKey(auths: unknown, registry: string): Record<string, unknown> {
  const source =
    typeof auths === 'object' && auths !== null ? (auths as Record<string, unknown>) : {};
  const existing = findConfigKey(Object.keys(source), registry);
  return Object.fromEntries(Object.entries(source).filter(([k]) => k !== existing));
}

/**
 * Saves credentials the way `docker login` does: through the registry's credential helper
 * (`credHelpers`, else `credsStore`) when one is configured, otherwise in `config.json` `auths`
 * (base64 `auth`, or `identitytoken`), written atomically with mode 0600. Other content of the
 * file is kept.
 * @param registry - host, host:port or URL (Docker Hub is stored under `https://index.docker.io/v1/`)
 * @param credential - username with password/PAT, or an identity token
 * @param options - config location, helper timeout, signal
 * @returns where the credential went: `'credential-helper'` or `'docker-config'`
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} naming the file or helper on failure
 * @public
 */
export async function storeCredentials(
  registry: string,
  credential: StoredCredential,
  options: StoreCredentialsOptions = {},
): Promise<'credential-helper' | 'docker-config'> {
  const key = credentialKey(registry);
  const { file, helper, helperOptions } = await helperFor(registry, options);
  if (helper !== undefined) {
    const secret = 'password' in credential ? credential.password : credential.identityToken;
    const username = 'password' in credential ? credential.username : '<token>';
    await credentialHelperStore(helper, key, { username, secret }, helperOptions);
    return 'credential-helper';
  }
  const auths = withoutKey(file.raw['auths'], registry);
  if ('password' in credential) {
    auths[key] = {
      auth: Buffer.from(`${credential.username}:${credential.password.reveal()}`, 'utf8').toString(
        'base64',
      ),
    };
  } else {
    auths[key] = {
      ...(credential.username === undefined
        ? {}
        : { auth: Buffer.from(`${credential.username}:`, 'utf8').toString('base64') }),
      identitytoken: credential.identityToken.reveal(),
    };
  }
  await writeDockerConfigAtomic(file.path, { ...file.raw, auths }, options.signal);
  return 'docker-config';
}

/**
 * Removes stored credentials for a registry (`docker logout`): through the credential helper
 * when one is configured, and from `config.json` `auths` in any case.
 * @param registry - host, host:port or URL
 * @param options - config location, helper timeout, signal
 * @returns true when something was removed from `config.json` or a helper was asked to erase
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} naming the file or helper on failure
 * @public
 */
export async function eraseCredentials(
  registry: string,
  options: StoreCredentialsOptions = {},
): Promise<boolean> {
  const { file, helper, helperOptions } = await helperFor(registry, options);
  let removed = false;
  if (helper !== undefined) {
    await credentialHelperErase(helper, credentialKey(registry), helperOptions);
    removed = true;
  }
  const before = (file.raw['auths'] ?? {}) as Record<string, unknown>;
  const auths = withoutKey(before, registry);
  if (Object.keys(auths).length !== Object.keys(before).length) {
    await writeDockerConfigAtomic(file.path, { ...file.raw, auths }, options.signal);
    removed = true;
  }
  return removed;
}
