import type { X509Certificate } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, Secret } from '@llmdevops/docker-hub-core';

/**
 * TLS settings of one registry host: a certificates directory laid out as Docker's and Podman's
 * `certs.d/HOST[:PORT]/` (`*.crt` CA certificates, `client.cert` + `client.key` client
 * certificate), and/or the same pieces given directly. `ca`, `cert` and `key` are PEM text or
 * the path of a file holding it; the key is a secret.
 * @public
 */
export interface RegistryTlsOptions {
  /** A directory holding the files directly (`ca.crt`, `client.cert`, `client.key`), as skopeo's `--cert-dir`. */
  readonly certDir?: string | undefined;
  /** CA certificates (PEM or file paths) trusted for this host, added to the system roots. */
  readonly ca?: string | readonly string[] | undefined;
  /** The client certificate (PEM or file path) presented for mutual TLS. */
  readonly cert?: string | undefined;
  /** The client certificate's private key (PEM or file path); a secret, never logged. */
  readonly key?: string | Secret | undefined;
}

/**
 * The certificate directories Docker and Podman read, in the order the toolkit looks into them:
 * `$DOCKER_CONFIG/certs.d` (default `~/.docker/certs.d`), `~/.config/containers/certs.d`,
 * `/etc/containers/certs.d`, `/etc/docker/certs.d`. A host's files live in `ROOT/HOST[:PORT]/`.
 * @param env - the environment (`DOCKER_CONFIG`, `HOME`)
 * @returns the roots, first match wins
 * @public
 */
export function defaultCertsRoots(env: NodeJS.ProcessEnv = process.env): readonly string[] {
  const home = env['HOME'] ?? homedir();
  const dockerConfig = env['DOCKER_CONFIG'] !== undefined && env['DOCKER_CONFIG'] !== '' ? env['DOCKER_CONFIG'] : join(home, '.docker');
  return [join(dockerConfig, 'certs.d'), join(home, '.config', 'containers', 'certs.d'), '/etc/containers/certs.d', '/etc/docker/certs.d'];
}

/** What the transport uses for one host's TLS connections. @internal */
export interface HostTlsSettings {
  /** The host (`name[:port]`). */
  readonly host: string;
  /** Extra trusted CAs (PEM) for this host. */
  readonly ca: readonly string[];
  /** The client certificate (PEM), when one is presented. */
  readonly cert?: string | undefined;
  /** The client key, kept as a secret. */
  readonly key?: Secret | undefined;
  /** The certificates directory the files came from, if any. */
  readonly dir?: string | undefined;
  /** Where the client certificate came from (a file path or `configuration`). */
  readonly certFrom?: string | undefined;
  /** Whether anything was configured or found for this host (then it is reached over HTTPS only). */
  readonly configured: boolean;
}

const PEM = /^\s*-----BEGIN /;

function readText(path: string, host: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([{ path, message: `cannot read the ${what} for ${host} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})` }], { subject: 'TLS settings' });
  }
}

/** PEM text as given, or the content of the file it names. */
function pemOf(value: string, host: string, what: string): { readonly pem: string; readonly from: string } {
  return PEM.test(value) ? { pem: value, from: 'configuration' } : { pem: readText(value, host, what), from: value };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

interface DirFiles {
  readonly ca: string[];
  readonly cert?: { readonly pem: string; readonly from: string };
  readonly key?: { readonly pem: Secret; readonly from: string };
}

/**
 * Reads a certs directory the way Docker does: every `*.crt` is a CA, every `NAME.cert` a client
 * certificate whose key is `NAME.key` (one pair is used; `client.cert` first).
 */
function readDir(dir: string, host: string): DirFiles {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (err) {
    throw new ConfigError([{ path: dir, message: `cannot read the certificates directory for ${host} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})` }], { subject: 'TLS settings' });
  }
  const ca = names.filter((n) => n.endsWith('.crt')).map((n) => readText(join(dir, n), host, 'CA certificate'));
  const certs = names.filter((n) => n.endsWith('.cert')).sort((a, b) => (a === 'client.cert' ? -1 : b === 'client.cert' ? 1 : 0));
  for (const keyName of names.filter((n) => n.endsWith('.key'))) {
    if (!names.includes(`${keyName.slice(0, -4)}.cert`)) {
      throw new ConfigError([{ path: join(dir, keyName), message: `a client key without its certificate ${keyName.slice(0, -4)}.cert (CA certificates must end in .crt)` }], { subject: 'TLS settings' });
    }
  }
  const certName = certs[0];
  if (certName === undefined) return { ca };
  const keyName = `${certName.slice(0, -5)}.key`;
  if (!names.includes(keyName)) {
    throw new ConfigError([{ path: join(dir, certName), message: `the client certificate's key ${keyName} is missing (CA certificates must end in .crt)` }], { subject: 'TLS settings' });
  }
  const certPath = join(dir, certName);
  const keyPath = join(dir, keyName);
  return { ca, cert: { pem: readText(certPath, host, 'client certificate'), from: certPath }, key: { pem: Secret.from(readText(keyPath, host, 'client key')), from: keyPath } };
}

/** Refuses a client certificate and key that are not PEM or do not belong together; never echoes the key. */
function checkPair(cert: { readonly pem: string; readonly from: string }, key: { readonly pem: Secret; readonly from: string }, host: string): void {
  // node:crypto on first use: most transports never check a client certificate.
  const { X509Certificate: Certificate, createPrivateKey } = process.getBuiltinModule('node:crypto');
  let x509: X509Certificate;
  try {
    x509 = new Certificate(cert.pem);
  } catch {
    throw new ConfigError([{ path: cert.from, message: `the client certificate for ${host} is not a PEM certificate` }], { subject: 'TLS settings' });
  }
  let matches: boolean;
  try {
    matches = x509.checkPrivateKey(createPrivateKey(key.pem.reveal()));
  } catch {
    throw new ConfigError([{ path: key.from, message: `the client key for ${host} is not a PEM private key` }], { subject: 'TLS settings' });
  }
  if (!matches) {
    throw new ConfigError([{ path: key.from, message: `the client key for ${host} does not belong to the client certificate ${cert.from}` }], { subject: 'TLS settings' });
  }
}

/**
 * Per-host TLS settings, worked out once per host and kept for the life of the transport: the
 * configured entry for the host (`certDir`, `ca`, `cert`, `key`), else the first certs directory
 * root holding a `HOST[:PORT]` folder.
 * @internal
 */
export class HostTls {
  readonly #hosts: ReadonlyMap<string, RegistryTlsOptions>;
  readonly #roots: readonly string[];
  readonly #cache = new Map<string, HostTlsSettings>();

  /**
   * @param hosts - entries by `host[:port]` (any case)
   * @param roots - certs directory roots searched for `HOST[:PORT]/` (see {@link defaultCertsRoots})
   */
  constructor(hosts: Readonly<Record<string, RegistryTlsOptions>> = {}, roots: readonly string[] = []) {
    this.#hosts = new Map(Object.entries(hosts).map(([h, o]) => [h.toLowerCase(), o]));
    this.#roots = roots;
  }

  /** Whether no host has settings and no directory is searched (then nothing is ever read). */
  get empty(): boolean {
    return this.#hosts.size === 0 && this.#roots.length === 0;
  }

  /**
   * The settings for a host, read on first use.
   * @param host - `name[:port]` as in `URL.host`
   * @returns the settings (`configured: false` when there is nothing for the host)
   * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} naming the file when one cannot be read, a key has no certificate or does not match it
   */
  settingsFor(host: string): HostTlsSettings {
    const key = host.toLowerCase();
    let settings = this.#cache.get(key);
    if (settings === undefined) {
      settings = this.#load(key);
      if (this.#cache.size >= 256) this.#cache.clear();
      this.#cache.set(key, settings);
    }
    return settings;
  }

  /**
   * Where a host's files are expected: its configured `certDir`, the folder found, or the first
   * root's `HOST[:PORT]` folder.
   * @param host - `name[:port]`
   * @returns the directory path, or undefined without any root
   */
  expectedDir(host: string): string | undefined {
    const key = host.toLowerCase();
    const dir = this.#hosts.get(key)?.certDir ?? this.#found(key);
    if (dir !== undefined) return dir;
    const root = this.#roots[0];
    return root === undefined ? undefined : join(root, key);
  }

  #found(host: string): string | undefined {
    return this.#roots.map((r) => join(r, host)).find(isDirectory);
  }

  #load(host: string): HostTlsSettings {
    const entry = this.#hosts.get(host);
    const dir = entry?.certDir ?? this.#found(host);
    const files: DirFiles = dir === undefined ? { ca: [] } : readDir(dir, host);
    const ca = [...files.ca];
    const extra = entry?.ca === undefined ? [] : typeof entry.ca === 'string' ? [entry.ca] : entry.ca;
    for (const value of extra) ca.push(pemOf(value, host, 'CA certificate').pem);
    let cert = files.cert;
    let clientKey = files.key;
    if (entry?.cert !== undefined) cert = pemOf(entry.cert, host, 'client certificate');
    if (entry?.key !== undefined) {
      const text = entry.key instanceof Secret ? entry.key.reveal() : entry.key;
      clientKey = PEM.test(text) ? { pem: Secret.from(text), from: 'configuration (tls.key)' } : { pem: Secret.from(readText(text, host, 'client key')), from: text };
    }
    if ((cert === undefined) !== (clientKey === undefined)) {
      const path = entry?.cert !== undefined || entry?.key !== undefined ? `tls.${cert === undefined ? 'cert' : 'key'}` : (dir ?? host);
      throw new ConfigError([{ path, message: `a client certificate for ${host} needs both the certificate and its key` }], { subject: 'TLS settings' });
    }
    if (cert !== undefined && clientKey !== undefined) checkPair(cert, clientKey, host);
    return {
      host,
      ca,
      ...(cert === undefined ? {} : { cert: cert.pem, certFrom: cert.from }),
      ...(clientKey === undefined ? {} : { key: clientKey.pem }),
      ...(dir === undefined ? {} : { dir }),
      configured: entry !== undefined || dir !== undefined,
    };
  }
}
