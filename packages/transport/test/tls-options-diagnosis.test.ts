// What the transport sets on TLS connections (`tlsConnectOptions`) and how it explains a TLS
// failure (`describeTlsFailure`, and `probeTlsAlert` against real Node TLS servers on 127.0.0.1
// with a PKI made by openssl per run): the exact options and messages, branch by branch.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, rootCertificates, type Server as TlsServer, type TLSSocket } from 'node:tls';
import { Secret } from '@llmdevops/docker-hub-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issue, makeCa, type Issued } from '../../../tooling/registry/pki.js';
import { describeTlsFailure, probeTlsAlert } from '../src/dispatch/tls-diagnosis.js';
import { tlsConnectOptions } from '../src/dispatch/tls.js';

let work: string;
let ca: Issued;
let server: Issued;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tls-options-'));
  ca = makeCa(join(work, 'pki'), 'ca');
  server = issue(ca, join(work, 'pki'), 'localhost', 'server');
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('tlsConnectOptions', () => {
  it('without extra CAs: TLS 1.2 minimum, validation on, and no ca list (Node keeps its own store)', () => {
    expect(tlsConnectOptions({ env: {} })).toEqual({ minVersion: 'TLSv1.2', rejectUnauthorized: true });
    expect(tlsConnectOptions({ env: {}, host: { host: 'h', ca: [], configured: true } })).toEqual({ minVersion: 'TLSv1.2', rejectUnauthorized: true });
  });

  it('adds a CA given as text, as a list, and the host CAs after the system roots, in that order', () => {
    expect(tlsConnectOptions({ env: {}, ca: 'A' }).ca).toEqual([...rootCertificates, 'A']);
    expect(tlsConnectOptions({ env: {}, ca: ['A', 'B'], host: { host: 'h', ca: ['C'], configured: true } }).ca).toEqual([...rootCertificates, 'A', 'B', 'C']);
    expect(tlsConnectOptions({ env: {}, host: { host: 'h', ca: ['C'], configured: true } }).ca).toEqual([...rootCertificates, 'C']);
  });

  it('keeps NODE_EXTRA_CA_CERTS between the system roots and the extra CAs; an empty or unreadable one adds nothing', () => {
    const file = join(work, 'extra.pem');
    writeFileSync(file, 'EXTRA');
    expect(tlsConnectOptions({ env: { NODE_EXTRA_CA_CERTS: file }, ca: 'A' }).ca).toEqual([...rootCertificates, 'EXTRA', 'A']);
    expect(tlsConnectOptions({ env: { NODE_EXTRA_CA_CERTS: '' }, ca: 'A' }).ca).toEqual([...rootCertificates, 'A']);
    expect(tlsConnectOptions({ env: { NODE_EXTRA_CA_CERTS: join(work, 'missing.pem') }, ca: 'A' }).ca).toEqual([...rootCertificates, 'A']);
    // Not read at all without extra CAs: Node's own store already holds it.
    expect(tlsConnectOptions({ env: { NODE_EXTRA_CA_CERTS: file } }).ca).toBeUndefined();
  });

  it('presents the host client certificate only with its key, and reveals the key only there', () => {
    const key = Secret.from('KEY');
    expect(tlsConnectOptions({ env: {}, host: { host: 'h', ca: [], cert: 'CERT', key, configured: true } })).toEqual({
      minVersion: 'TLSv1.2',
      rejectUnauthorized: true,
      cert: 'CERT',
      key: 'KEY',
    });
    expect(tlsConnectOptions({ env: {}, host: { host: 'h', ca: [], cert: 'CERT', configured: true } })).not.toHaveProperty('cert');
    expect(tlsConnectOptions({ env: {}, host: { host: 'h', ca: [], key, configured: true } })).not.toHaveProperty('key');
  });
});

describe('describeTlsFailure', () => {
  it('has nothing to say without a code or for a code that is not about TLS', () => {
    expect(describeTlsFailure(undefined)).toBeUndefined();
    expect(describeTlsFailure('ECONNREFUSED', { dir: '/d' })).toBeUndefined();
  });

  it('names a certificate problem that trusting a CA does not fix, without a trust hint', () => {
    expect(describeTlsFailure('CERT_HAS_EXPIRED', { dir: '/d' })).toBe('the registry certificate has expired (CERT_HAS_EXPIRED)');
    expect(describeTlsFailure('ERR_TLS_CERT_ALTNAME_INVALID')).toBe('the registry certificate does not name this host (ERR_TLS_CERT_ALTNAME_INVALID)');
  });

  it('for an unknown authority, says where the CA goes: the certs directory when there is one, else the options', () => {
    expect(describeTlsFailure('DEPTH_ZERO_SELF_SIGNED_CERT')).toBe(
      "certificate signed by unknown authority (a self-signed certificate) (DEPTH_ZERO_SELF_SIGNED_CERT): trust the registry's CA with the `ca` option or NODE_EXTRA_CA_CERTS",
    );
    expect(describeTlsFailure('UNABLE_TO_VERIFY_LEAF_SIGNATURE', { dir: '/etc/docker/certs.d/r:5000' })).toBe(
      "certificate signed by unknown authority (UNABLE_TO_VERIFY_LEAF_SIGNATURE): trust the registry's CA: add it as ca.crt in /etc/docker/certs.d/r:5000, or set the tls ca option or NODE_EXTRA_CA_CERTS",
    );
  });

  it.each([
    'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
    'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
    'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
    'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
    'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  ])('%s is a refused client certificate: which one was presented, else where one goes', (code) => {
    expect(describeTlsFailure(code, { certFrom: '/c/client.cert', dir: '/c' })).toBe(
      `the registry asked for a client certificate (mutual TLS) and refused the one presented (/c/client.cert) (${code})`,
    );
    expect(describeTlsFailure(code, { dir: '/c' })).toBe(
      `the registry asked for a client certificate (mutual TLS) and none was accepted (${code}): put client.cert and client.key in /c`,
    );
    expect(describeTlsFailure(code)).toBe(
      `the registry asked for a client certificate (mutual TLS) and none was accepted (${code}): set the tls cert and key options`,
    );
  });
});

describe('probeTlsAlert against real Node TLS servers', () => {
  const servers: TlsServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => { resolve(); }))));
  });

  /** A TLS server that records the SNI name and the first bytes of each request, then answers. */
  async function tlsServer(options: { requestCert?: boolean; answer?: boolean } = {}): Promise<{ port: number; seen: { servername: string | false | null; head: string }[] }> {
    const seen: { servername: string | false | null; head: string }[] = [];
    const s = createTlsServer(
      { key: server.key, cert: server.cert, ca: [ca.cert], requestCert: options.requestCert ?? false, rejectUnauthorized: options.requestCert ?? false },
      (socket: TLSSocket) => {
        socket.on('error', () => undefined);
        socket.once('data', (chunk: Buffer) => {
          seen.push({ servername: socket.servername, head: chunk.toString('latin1') });
          if (options.answer === false) socket.destroy();
          else socket.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
        });
      },
    );
    servers.push(s);
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    return { port: (s.address() as AddressInfo).port, seen };
  }

  it('a server requiring a client certificate: the TLS alert code', async () => {
    const { port } = await tlsServer({ requestCert: true });
    const code = await probeTlsAlert(new URL(`https://127.0.0.1:${String(port)}/v2/`), { ca: ca.cert, env: {} }, 5_000);
    expect(code).toMatch(/CERTIFICATE_REQUIRED|ALERT/);
  });

  it('a server that answers: no code, after a HEAD of the URL path with its host, without SNI for an IP', async () => {
    const { port, seen } = await tlsServer();
    const url = new URL(`https://127.0.0.1:${String(port)}/v2/x`);
    await expect(probeTlsAlert(url, { ca: ca.cert, env: {} }, 5_000)).resolves.toBeUndefined();
    expect(seen).toEqual([{ servername: false, head: `HEAD /v2/x HTTP/1.1\r\nhost: 127.0.0.1:${String(port)}\r\nconnection: close\r\n\r\n` }]);
  });

  it('a host name is sent as SNI (and checked against the certificate)', async () => {
    const { port, seen } = await tlsServer();
    await expect(probeTlsAlert(new URL(`https://localhost:${String(port)}/`), { ca: ca.cert, env: {} }, 5_000)).resolves.toBeUndefined();
    expect(seen.map((s) => s.servername)).toEqual(['localhost']);
  });

  it('a server that closes after the request: no code', async () => {
    const { port, seen } = await tlsServer({ answer: false });
    await expect(probeTlsAlert(new URL(`https://127.0.0.1:${String(port)}/`), { ca: ca.cert, env: {} }, 5_000)).resolves.toBeUndefined();
    expect(seen).toHaveLength(1);
  });

  it('a certificate the client does not trust: its verification code', async () => {
    const { port } = await tlsServer();
    await expect(probeTlsAlert(new URL(`https://127.0.0.1:${String(port)}/`), { env: {} }, 5_000)).resolves.toMatch(/UNABLE_TO|SELF_SIGNED|CERT/);
  });
});
