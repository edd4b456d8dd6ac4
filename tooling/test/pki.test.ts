// The throwaway PKI of the TLS tests (tooling/registry/pki.ts): `openssl verify` accepts the leaves
// a CA issues and refuses them against another CA; server certificates carry the loopback names
// and serverAuth, client certificates clientAuth; a TLS server asking for client certificates
// accepts the CA's client and refuses a stranger's. A missing openssl is named.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { connect, createServer, type Server, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issue, makeCa, type Issued } from '../registry/pki.js';
import { usePrivateTmpdir, withPath, type PrivateTmp } from './helpers.js';

const run = promisify(execFile);

let tmp: PrivateTmp;
let ca: Issued;
let other: Issued;
let server: Issued;
let client: Issued;
let stranger: Issued;
beforeAll(() => {
  tmp = usePrivateTmpdir();
  ca = makeCa(join(tmp.dir, 'ca'), 'test-ca');
  other = makeCa(join(tmp.dir, 'other'), 'other-ca');
  server = issue(ca, join(tmp.dir, 'leaves'), 'server', 'server');
  client = issue(ca, join(tmp.dir, 'leaves'), 'client', 'client');
  stranger = issue(other, join(tmp.dir, 'other'), 'stranger', 'client');
});
afterAll(() => {
  tmp.restore();
});

async function verify(caFile: string, purpose: string, leafFile: string): Promise<string> {
  try {
    const { stdout } = await run('openssl', [
      'verify',
      '-CAfile',
      caFile,
      '-purpose',
      purpose,
      leafFile,
    ]);
    return stdout.trim();
  } catch (err) {
    const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
    return `failed: ${stdout}${stderr}`;
  }
}

describe('makeCa and issue', () => {
  it('writes PEM files, and a CA that is a CA named as asked', () => {
    expect(existsSync(ca.certFile) && existsSync(ca.keyFile)).toBe(true);
    expect(ca.cert).toContain('-----BEGIN CERTIFICATE-----');
    expect(ca.key).toContain('PRIVATE KEY-----');
    const x509 = new X509Certificate(ca.cert);
    expect(x509.ca).toBe(true);
    expect(x509.subject).toBe('CN=test-ca');
    expect(x509.verify(x509.publicKey)).toBe(true);
  });

  it('issues leaves that openssl verify accepts for their purpose against their CA only', async () => {
    expect(await verify(ca.certFile, 'sslserver', server.certFile)).toBe(`${server.certFile}: OK`);
    expect(await verify(ca.certFile, 'sslclient', client.certFile)).toBe(`${client.certFile}: OK`);
    expect(await verify(other.certFile, 'sslserver', server.certFile)).toMatch(
      /^failed: .*unable to get local issuer certificate/s,
    );
    // Each leaf is for its own side only.
    expect(await verify(ca.certFile, 'sslclient', server.certFile)).toMatch(
      /^failed: .*unsuitable certificate purpose/s,
    );
    expect(await verify(ca.certFile, 'sslserver', client.certFile)).toMatch(
      /^failed: .*unsuitable certificate purpose/s,
    );
  });

  it('names the server certificate for 127.0.0.1 and localhost, issued by its CA', () => {
    const x509 = new X509Certificate(server.cert);
    expect(x509.subjectAltName).toBe('IP Address:127.0.0.1, DNS:localhost');
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x509.checkIssued(new X509Certificate(ca.cert))).toBe(true);
    expect(x509.ca).toBe(false);
  });
});

describe('mutual TLS with the issued certificates', () => {
  let tlsServer: Server;
  let port: number;
  const refusals: string[] = [];
  const accepted: string[] = [];
  beforeAll(async () => {
    tlsServer = createServer(
      {
        cert: server.cert,
        key: server.key,
        ca: ca.cert,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (socket) => {
        const name = String(socket.getPeerCertificate().subject.CN);
        accepted.push(name);
        socket.end(`hello ${name}\n`);
      },
    );
    tlsServer.on('tlsClientError', (err) => refusals.push(err.message));
    await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
    port = (tlsServer.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => tlsServer.close(resolve));
  });

  /** What the server said to a client (its greeting, or nothing when it refused it). */
  const talk = (leaf: Issued | undefined): Promise<string> =>
    new Promise((resolve) => {
      const socket: TLSSocket = connect({
        host: '127.0.0.1',
        port,
        ca: ca.cert,
        ...(leaf === undefined ? {} : { cert: leaf.cert, key: leaf.key }),
      });
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => (text += d));
      socket.on('close', () => {
        resolve(text);
      });
      socket.on('error', () => undefined);
    });

  it("accepts the CA's client certificate and verifies the server as 127.0.0.1", async () => {
    expect(await talk(client)).toBe('hello client\n');
    expect(refusals).toEqual([]);
  });

  it('refuses a client without a certificate and one from another CA', async () => {
    expect(await talk(undefined)).toBe('');
    expect(await talk(stranger)).toBe('');
    expect(refusals).toHaveLength(2);
    expect(refusals[0]).toMatch(/peer did not return a certificate/);
    // Node's server checks the chain after the handshake and drops the connection (no alert).
    expect(accepted).toEqual(['client']);
  });
});

describe('pki failures', () => {
  it('names openssl when it is missing', async () => {
    await withPath([], {}, () => {
      expect(() => makeCa(join(tmp.dir, 'none'), 'x')).toThrow(
        'openssl is not installed: run `apt-get install -y openssl`',
      );
      return Promise.resolve();
    });
  });

  it("passes on openssl's own failure (a CA whose key is gone)", () => {
    const broken: Issued = { ...ca, keyFile: join(tmp.dir, 'missing-key.pem') };
    expect(() => issue(broken, join(tmp.dir, 'broken'), 'leaf', 'server')).toThrow(
      /Command failed: openssl x509/,
    );
  });
});
