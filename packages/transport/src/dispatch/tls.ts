import { readFileSync } from 'node:fs';
import type * as Tls from 'node:tls';
import type { ConnectionOptions } from 'node:tls';
import type { HostTlsSettings } from './certs-dir.js';

/**
 * `node:tls`, loaded when first needed: a transport that only ever speaks plain HTTP (a loopback
 * registry) never loads it, which saves a program like `dhub` several ms of start-up.
 * @returns the module
 * @internal
 */
export function nodeTls(): typeof Tls {
  return process.getBuiltinModule('node:tls');
}

/** Trust and protocol settings shared by every connection the transport opens. @internal */
export interface TlsSettings {
  /** Extra trusted CA certificates (PEM), added to Node's root store, never replacing it. */
  readonly ca?: string | readonly string[] | undefined;
  /** The host's own CAs and client certificate (certs directory or configuration). */
  readonly host?: HostTlsSettings | undefined;
  /** Where `NODE_EXTRA_CA_CERTS` is read from (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv | undefined;
}

const extraCaFiles = new Map<string, string | undefined>();

/**
 * The certificates of `NODE_EXTRA_CA_CERTS`: Node adds them to its default store, but a
 * connection given its own `ca` list replaces that store, so they are added back here.
 */
function nodeExtraCa(env: NodeJS.ProcessEnv): string | undefined {
  const file = env['NODE_EXTRA_CA_CERTS'];
  if (file === undefined || file === '') return undefined;
  if (!extraCaFiles.has(file)) {
    let text: string | undefined;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // Node already warned about an unreadable file at start-up.
      text = undefined;
    }
    extraCaFiles.set(file, text);
  }
  return extraCaFiles.get(file);
}

/** The TLS options the transport sets on connections. @internal */
export type TlsConnectOptions = Pick<ConnectionOptions, 'minVersion' | 'rejectUnauthorized' | 'ca' | 'cert' | 'key'>;

/**
 * The TLS options of a connection the default agent makes: TLS 1.2 minimum, certificate
 * validation always on, extra CAs (the transport's and the host's) added to the system roots and
 * `NODE_EXTRA_CA_CERTS`, and the host's client certificate when it has one.
 * @param settings - extra CAs and the host's settings
 * @returns options for `tls.connect` / undici's `connect`
 * @internal
 */
export function tlsConnectOptions(settings: TlsSettings): TlsConnectOptions {
  const extra = settings.ca === undefined ? [] : typeof settings.ca === 'string' ? [settings.ca] : [...settings.ca];
  extra.push(...(settings.host?.ca ?? []));
  const nodeExtra = extra.length > 0 ? nodeExtraCa(settings.env ?? process.env) : undefined;
  const host = settings.host;
  return {
    minVersion: 'TLSv1.2',
    rejectUnauthorized: true,
    ...(extra.length > 0 ? { ca: [...nodeTls().rootCertificates, ...(nodeExtra === undefined ? [] : [nodeExtra]), ...extra] } : {}),
    ...(host?.cert === undefined || host.key === undefined ? {} : { cert: host.cert, key: host.key.reveal() }),
  };
}
