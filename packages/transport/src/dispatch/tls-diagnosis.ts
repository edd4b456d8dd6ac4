import type { ConnectionOptions } from 'node:tls';
import { nodeTls, tlsConnectOptions, type TlsSettings } from './tls.js';

/** Certificate verification failures and what to tell the user about each. */
const CERTIFICATE_PROBLEMS: Readonly<Record<string, string>> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate signed by unknown authority',
  UNABLE_TO_GET_ISSUER_CERT: 'certificate signed by unknown authority',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate signed by unknown authority',
  SELF_SIGNED_CERT_IN_CHAIN: 'certificate signed by unknown authority (a self-signed CA)',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'certificate signed by unknown authority (a self-signed certificate)',
  CERT_HAS_EXPIRED: 'the registry certificate has expired',
  CERT_NOT_YET_VALID: 'the registry certificate is not valid yet',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the registry certificate does not name this host',
};

const TRUST_HINT = "trust the registry's CA with the `ca` option or NODE_EXTRA_CA_CERTS";

/** Where the user can act on a TLS failure of one host. @internal */
export interface TlsAdvice {
  /** The host's certs directory (`…/certs.d/HOST[:PORT]` or the `--cert-dir`), where `ca.crt` and `client.cert`/`client.key` go. */
  readonly dir?: string | undefined;
  /** Where the client certificate that was presented came from, if one was. */
  readonly certFrom?: string | undefined;
}

/**
 * An actionable description of a TLS failure by its code, or undefined for other failures.
 * @param code - the error code (`DEPTH_ZERO_SELF_SIGNED_CERT`, ...)
 * @param advice - the host's certs directory and client certificate, for the hint
 * @returns e.g. `certificate signed by unknown authority (…): trust the registry's CA …`
 * @internal
 */
export function describeTlsFailure(code: string | undefined, advice: TlsAdvice = {}): string | undefined {
  if (code === undefined) return undefined;
  const problem = CERTIFICATE_PROBLEMS[code];
  if (problem !== undefined) {
    if (!problem.startsWith('certificate signed')) return `${problem} (${code})`;
    const hint = advice.dir === undefined ? TRUST_HINT : `trust the registry's CA: add it as ca.crt in ${advice.dir}, or set the tls ca option or NODE_EXTRA_CA_CERTS`;
    return `${problem} (${code}): ${hint}`;
  }
  if (/CERTIFICATE_REQUIRED|ALERT_BAD_CERTIFICATE|ALERT_HANDSHAKE_FAILURE|ALERT_UNKNOWN_CA|ALERT_CERTIFICATE_UNKNOWN/.test(code)) {
    if (advice.certFrom !== undefined) return `the registry asked for a client certificate (mutual TLS) and refused the one presented (${advice.certFrom}) (${code})`;
    const where = advice.dir === undefined ? 'set the tls cert and key options' : `put client.cert and client.key in ${advice.dir}`;
    return `the registry asked for a client certificate (mutual TLS) and none was accepted (${code}): ${where}`;
  }
  return undefined;
}

/**
 * Finds out why an HTTPS server closed a connection before answering: opens one TLS connection
 * with the same trust settings and no client certificate, sends a request head, and reports a
 * TLS alert (a registry that requires a client certificate answers the first read with one,
 * which HTTP clients only see as the other side closing).
 * @param url - the URL that failed
 * @param settings - the trust settings the request used
 * @param timeoutMs - how long to wait for the answer
 * @returns the TLS error code (e.g. `ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED`), or undefined
 * @internal
 */
export function probeTlsAlert(url: URL, settings: TlsSettings, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const options: ConnectionOptions = {
      host,
      port: url.port === '' ? 443 : Number(url.port),
      ...tlsConnectOptions(settings),
      ...(/^[\d.:]+$/.test(host) ? {} : { servername: host }),
      ALPNProtocols: ['http/1.1'],
    };
    const socket = nodeTls().connect(options);
    const done = (code: string | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(code);
    };
    const timer = setTimeout(() => {
      done(undefined);
    }, timeoutMs);
    timer.unref();
    socket.once('secureConnect', () => {
      socket.write(`HEAD ${url.pathname || '/'} HTTP/1.1\r\nhost: ${url.host}\r\nconnection: close\r\n\r\n`);
    });
    socket.once('data', () => {
      done(undefined);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      done(err.code);
    });
    socket.once('close', () => {
      done(undefined);
    });
  });
}
