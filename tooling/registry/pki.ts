// A throwaway PKI for TLS tests, made with openssl at test time (no key material is checked in):
// certificate authorities, a server certificate for 127.0.0.1 / localhost, and client
// certificates for mutual TLS. Test-only tooling.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A certificate and its key, as PEM text and as the files holding them. */
export interface Issued {
  readonly cert: string;
  readonly key: string;
  readonly certFile: string;
  readonly keyFile: string;
}

function openssl(args: readonly string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('openssl is not installed: run `apt-get install -y openssl`');
    throw err;
  }
}

function read(certFile: string, keyFile: string): Issued {
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile };
}

/**
 * Makes a self-signed CA (P-256, one day).
 * @param dir - where its files go (created)
 * @param name - file name stem and common name
 * @returns the CA
 */
export function makeCa(dir: string, name: string): Issued {
  mkdirSync(dir, { recursive: true });
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}-key.pem`);
  openssl([
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout', keyFile, '-out', certFile,
  ], dir);
  return read(certFile, keyFile);
}

/**
 * Issues a certificate signed by a CA: a server certificate (SANs `IP:127.0.0.1`,
 * `DNS:localhost`) or a client certificate (`clientAuth`).
 * @param ca - the issuing CA
 * @param dir - where its files go (created)
 * @param name - file name stem and common name
 * @param kind - `server` or `client`
 * @returns the certificate and key
 */
export function issue(ca: Issued, dir: string, name: string, kind: 'server' | 'client'): Issued {
  mkdirSync(dir, { recursive: true });
  const keyFile = join(dir, `${name}-key.pem`);
  const csr = join(dir, `${name}.csr`);
  const certFile = join(dir, `${name}.pem`);
  const ext = join(dir, `${name}.ext`);
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${name}`, '-keyout', keyFile, '-out', csr], dir);
  const extensions = kind === 'server'
    ? 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n'
    : 'extendedKeyUsage=clientAuth\n';
  writeFileSync(ext, extensions);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-CAcreateserial', '-days', '1', '-extfile', ext, '-out', certFile], dir);
  return read(certFile, keyFile);
}
