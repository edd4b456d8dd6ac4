import { readFileSync } from 'node:fs';
import type { RegistryCredential } from '@llmdevops/docker-hub-auth';
import { ConfigError, Secret } from '@llmdevops/docker-hub-core';
import type { ResolvedDockerHubConfig } from '../config/schema.js';

/**
 * Reads an accounts file: one `NAME:TOKEN` per line (an access token or password), `#` comments
 * and blank lines ignored. Errors name the file and line, never a token.
 * @param path - the file (`DOCKER_HUB_ACCOUNTS_FILE`)
 * @returns the accounts in file order
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} for an unreadable file or a malformed line
 * @internal
 */
export function readAccountsFile(path: string): { readonly username: string; readonly accessToken: Secret }[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError([{ path: 'DOCKER_HUB_ACCOUNTS_FILE', message: `cannot read ${path} (${code})` }]);
  }
  const out: { username: string; accessToken: Secret }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    const username = colon > 0 ? line.slice(0, colon).trim() : '';
    const token = colon > 0 ? line.slice(colon + 1).trim() : '';
    if (username === '' || token === '') {
      throw new ConfigError([{ path: 'DOCKER_HUB_ACCOUNTS_FILE', message: `${path} line ${String(i + 1)}: expected NAME:TOKEN` }]);
    }
    out.push({ username, accessToken: Secret.from(token) });
  });
  return out;
}

/**
 * The credential pool of a configuration: `accounts` and the accounts of `accountsFile`, by name.
 * @param config - the client configuration
 * @returns account name to credential (empty without a pool)
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} when the accounts file cannot be read
 * @internal
 */
export function accountPool(config: ResolvedDockerHubConfig): ReadonlyMap<string, RegistryCredential> {
  const all = [...config.accounts, ...(config.accountsFile === undefined ? [] : readAccountsFile(config.accountsFile))];
  const pool = new Map<string, RegistryCredential>();
  for (const a of all) pool.set(a.username, { kind: 'basic', username: a.username, password: a.accessToken, source: 'explicit' });
  return pool;
}
