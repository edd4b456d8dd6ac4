import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { AbortedError, ConfigError, Secret } from '@llmdevops/docker-hub-core';
import { credentialKey, isDockerHub, normalizeRegistryHost } from './registry-host.js';
import { type RegistryCredential } from './types.js';

/** Where to find Docker's `config.json`. @public */
export interface DockerConfigLocation {
  /** Directory holding `config.json` (default `$DOCKER_CONFIG`, else `~/.docker`). */
  readonly configDir?: string;
  /** Environment to read `DOCKER_CONFIG` from (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
}

/** The parts of Docker's `config.json` this package reads. @public */
export interface DockerConfigFile {
  /** Absolute path of the file. */
  readonly path: string;
  /** Whether the file exists. */
  readonly exists: boolean;
  /** The whole parsed document (other keys are preserved when writing). */
  readonly raw: Record<string, unknown>;
  /** `auths` entries by key. */
  readonly auths: Readonly<Record<string, DockerAuthEntry>>;
  /** `credHelpers`: helper suffix by registry key. */
  readonly credHelpers: Readonly<Record<string, string>>;
  /** `credsStore`: default helper suffix. */
  readonly credsStore: string | undefined;
}

/** One `auths` entry (values are as in the file; wrap before use). @public */
export interface DockerAuthEntry {
  /** base64 of `user:password`. */
  readonly auth?: string;
  /** Username (older files). */
  readonly username?: string;
  /** Password (older files). */
  readonly password?: string;
  /** An identity (refresh) token. */
  readonly identitytoken?: string;
  /** A bearer token sent as is. */
  readonly registrytoken?: string;
}

/**
 * The path of Docker's `config.json`: `<configDir>/config.json`, `$DOCKER_CONFIG/config.json` or
 * `~/.docker/config.json`.
 * @param location - explicit directory and environment
 * @returns the absolute path
 * @public
 */
export function dockerConfigPath(location: DockerConfigLocation = {}): string {
  const env = location.env ?? process.env;
  const dir =
    location.configDir ??
    (env['DOCKER_CONFIG'] !== undefined && env['DOCKER_CONFIG'] !== ''
      ? env['DOCKER_CONFIG']
      : join(homedir(), '.docker'));
  return join(dir, 'config.json');
}

function bad(path: string, message: string): ConfigError {
  return new ConfigError([{ path, message }]);
}

function stringRecord(path: string, field: string, value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw bad(path, `"${field}" must be an object`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw bad(path, `"${field}.${k}" must be a string`);
    out[k] = v;
  }
  return out;
}

function authEntries(path: string, value: unknown): Record<string, DockerAuthEntry> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw bad(path, '"auths" must be an object');
  const out: Record<string, DockerAuthEntry> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      throw bad(path, `"auths.${k}" must be an object`);
    const entry: Record<string, string> = {};
    for (const f of ['auth', 'username', 'password', 'identitytoken', 'registrytoken'] as const) {
      const fv = (v as Record<string, unknown>)[f];
      if (fv === undefined || fv === null || fv === '') continue;
      if (typeof fv !== 'string') throw bad(path, `"auths.${k}.${f}" must be a string`);
      entry[f] = fv;
    }
    out[k] = entry;
  }
  return out;
}

/**
 * A whole file as UTF-8 through `node:fs`'s callback API, which a program has loaded anyway:
 * reading the configuration is on the path of every authenticated command, and a program that
 * only reads it need not load `node:fs/promises` (several ms of start-up).
 */
function readText(path: string, signal: AbortSignal | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    readFile(
      path,
      { encoding: 'utf8', ...(signal === undefined ? {} : { signal }) },
      (err, text) => {
        if (err === null) resolve(text);
        else reject(err);
      },
    );
  });
}

/**
 * Reads and validates Docker's `config.json`. A missing file reads as empty.
 * @param location - explicit directory and environment
 * @param signal - cancels the read
 * @returns the parsed file
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} naming the file when it is not JSON or has wrongly typed fields
 * @throws {@link @llmdevops/docker-hub-core!AbortedError | AbortedError} when the signal aborts
 * @public
 */
export async function readDockerConfig(
  location: DockerConfigLocation = {},
  signal?: AbortSignal,
): Promise<DockerConfigFile> {
  const path = dockerConfigPath(location);
  let text: string;
  try {
    text = await readText(path, signal);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      return { path, exists: false, raw: {}, auths: {}, credHelpers: {}, credsStore: undefined };
    if ((err as Error).name === 'AbortError')
      throw new AbortedError(`read ${path}`, signal?.reason);
    throw bad(path, `cannot read file (${code ?? 'error'})`);
  }
  let raw: unknown;
  try {
    raw = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    // The parser's message may quote file content (a secret), so it is not passed on.
    throw bad(path, 'file is not valid JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw bad(path, 'file must hold a JSON object');
  const doc = raw as Record<string, unknown>;
  const credsStore = doc['credsStore'];
  if (credsStore !== undefined && typeof credsStore !== 'string')
    throw bad(path, '"credsStore" must be a string');
  return {
    path,
    exists: true,
    raw: doc,
    auths: authEntries(path, doc['auths']),
    credHelpers: stringRecord(path, 'credHelpers', doc['credHelpers']),
    credsStore: credsStore === '' ? undefined : credsStore,
  };
}

/**
 * Finds the key of a registry in a key→value map of `config.json` (`auths` or `credHelpers`):
 * the exact credential key first, then any key naming the same host (with or without scheme and
 * path); for Docker Hub any of its aliases.
 * @param keys - the map's keys
 * @param registry - host, host:port or URL
 * @returns the matching key, or undefined
 * @public
 */
export function findConfigKey(keys: Iterable<string>, registry: string): string | undefined {
  const wanted = credentialKey(registry);
  const all = [...keys];
  if (all.includes(wanted)) return wanted;
  const hub = isDockerHub(registry);
  const host = normalizeRegistryHost(registry);
  return all.find((k) => (hub ? isDockerHub(k) : normalizeRegistryHost(k) === host));
}

/**
 * The credential an `auths` entry holds: `identitytoken` (a refresh token), `registrytoken`,
 * base64 `auth` (`user:password`) or `username`/`password`.
 * @param entry - the entry
 * @param path - the file, for error messages
 * @param key - the entry's key, for error messages
 * @returns the credential, or undefined when the entry is empty
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} when `auth` is not base64 of `user:password`
 * @public
 */
export function credentialFromAuthEntry(
  entry: DockerAuthEntry,
  path: string,
  key: string,
): RegistryCredential | undefined {
  let username = entry.username;
  let password = entry.password;
  if (entry.auth !== undefined) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0 || !/^[A-Za-z0-9+/=\s]+$/.test(entry.auth))
      throw bad(path, `"auths.${key}.auth" is not base64 of "user:password"`);
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  if (entry.identitytoken !== undefined) {
    return {
      kind: 'identity-token',
      username: username === '' ? undefined : username,
      token: new Secret(entry.identitytoken),
      source: 'docker-config',
    };
  }
  if (entry.registrytoken !== undefined)
    return {
      kind: 'registry-token',
      token: new Secret(entry.registrytoken),
      source: 'docker-config',
    };
  if (username !== undefined && username !== '' && password !== undefined && password !== '') {
    return { kind: 'basic', username, password: new Secret(password), source: 'docker-config' };
  }
  return undefined;
}

/**
 * Writes `config.json` atomically: a temporary file (mode 0600) in the same directory, then a
 * rename, so readers see the old or the new file, never half of one.
 * @param path - the file
 * @param doc - the whole document
 * @param signal - cancels the write (the temporary file is removed)
 * @public
 */
export async function writeDockerConfigAtomic(
  path: string,
  doc: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(
        `${JSON.stringify(doc, null, '\t')}\n`,
        signal === undefined ? {} : { signal },
      );
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
