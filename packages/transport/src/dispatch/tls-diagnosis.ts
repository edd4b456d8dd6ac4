import { connect, type ConnectionOptions } from 'node:tls';
import { tlsConnectOptions, type TlsSettings } from './tls.js';

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

/**
 * An actionable description of a TLS failure by its code, or undefined for other failures.
 * @param code - the error code (`DEPTH_ZERO_SELF_SIGNED_CERT`, ...)
 * @returns e.g. `certificate signed by unknown authority (…): trust the registry's CA …`
 * @internal
 */
export function describeTlsFailure(code: string | undefined): string | undefined {
  if (code === undefined) return undefined;
  const problem = CERTIFICATE_PROBLEMS[code];
  if (problem !== undefined) {
    return problem.startsWith('certificate signed') ? `${problem} (${code}): ${TRUST_HINT}` : `${problem} (${code})`;
  }
  if (/CERTIFICATE_REQUIRED|ALERT_BAD_CERTIFICATE|ALERT_HANDSHAKE_FAILURE/.test(code)) {
    return `the registry asked for a client certificate (mutual TLS) and none was accepted (${code})`;
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
    const socket = connect(options);
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
