// Private CAs and client certificates the way Docker and Podman keep them (certs.d/HOST[:PORT]/
// ca.crt, client.cert, client.key), against a real HTTPS server on 127.0.0.1 that requires a
// client certificate, with a PKI made by openssl per run; and HTTPS first for loopback hosts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ConfigError, NetworkError } from '@llmdevops/docker-hub-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issue, makeCa, type Issued } from '../../../tooling/registry/pki.js';
import { createTransport, defaultCertsRoots, type Transport } from '../src/index.js';

let work: string;
let serverCa: Issued;
let clientCa: Issued;
let client: Issued;
let mtls: Server;
let mtlsHost: string;
let plain: HttpServer;
let plainHost: string;
let plainRequests = 0;
let plainHandshakes = 0;
let mtlsRequests: string[] = [];
const transports: Transport[] = [];

function keyBody(pem: string): string {
  return pem.split('\n').filter((l) => l !== '' && !l.startsWith('-----')).join('');
}

/** A certs root with a HOST folder holding the given files. */
function certsRoot(files: Readonly<Record<string, string>>, host = mtlsHost): string {
  const root = mkdtempSync(join(work, 'root-'));
  const dir = join(root, host);
  mkdirSync(dir);
  for (const [name, source] of Object.entries(files)) copyFileSync(source, join(dir, name));
  return root;
}

function transport(options: Parameters<typeof createTransport>[0]): Transport {
  const t = createTransport({ maxRetries: 0, ...options });
  transports.push(t);
  return t;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'certs-dir-'));
  serverCa = makeCa(join(work, 'pki'), 'server-ca');
  clientCa = makeCa(join(work, 'pki'), 'client-ca');
  const server = issue(serverCa, join(work, 'pki'), 'registry', 'server');
  client = issue(clientCa, join(work, 'pki'), 'client', 'client');
  mtls = createServer({ key: server.key, cert: server.cert, ca: [clientCa.cert], requestCert: true, rejectUnauthorized: true }, (req, res) => {
    mtlsRequests.push(req.url ?? '');
    res.writeHead(200, { 'content-length': '6' });
    res.end('secure');
  });
  await new Promise<void>((resolve) => mtls.listen(0, '127.0.0.1', resolve));
  mtlsHost = `127.0.0.1:${(mtls.address() as AddressInfo).port}`;
  plain = createHttpServer((_req, res) => {
    plainRequests += 1;
    res.end('plain');
  });
  // Counts TLS ClientHellos (first byte 0x16) reaching the plain server: the HTTPS probes.
  plain.on('connection', (socket: Socket) => {
    socket.once('data', (chunk: Buffer) => {
      if (chunk[0] === 0x16) plainHandshakes += 1;
    });
  });
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  plainHost = `127.0.0.1:${(plain.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await Promise.all(transports.map((t) => t.close()));
  mtls.closeAllConnections();
  plain.closeAllConnections();
  await new Promise<void>((resolve) => mtls.close(() => { resolve(); }));
  await new Promise<void>((resolve) => plain.close(() => { resolve(); }));
  rmSync(work, { recursive: true, force: true });
});

const get = (t: Transport, url: string, context = {}) => t.request({ method: 'GET', url: new URL(url), headers: {}, context });

describe('certs.d folders', () => {
  it('defaultCertsRoots lists $DOCKER_CONFIG/certs.d, the containers folders and /etc/docker/certs.d in that order', () => {
    expect(defaultCertsRoots({ HOME: '/home/u', DOCKER_CONFIG: '/cfg' })).toEqual([
      '/cfg/certs.d', '/home/u/.config/containers/certs.d', '/etc/containers/certs.d', '/etc/docker/certs.d',
    ]);
    expect(defaultCertsRoots({ HOME: '/home/u' })[0]).toBe('/home/u/.docker/certs.d');
  });

  it('trusts ca.crt and presents client.cert + client.key from the first root holding the host folder', async () => {
    const empty = mkdtempSync(join(work, 'empty-'));
    const root = certsRoot({ 'ca.crt': serverCa.certFile, 'client.cert': client.certFile, 'client.key': client.keyFile });
    const t = transport({ certsRoots: [empty, root] });
    const res = await get(t, `https://${mtlsHost}/v2/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('secure');
  });

  it('a folder with the CA but no client certificate: the error names the missing client certificate and where it goes', async () => {
    const root = certsRoot({ 'ca.crt': serverCa.certFile });
    const t = transport({ certsRoots: [root] });
    const err = await get(t, `https://${mtlsHost}/v2/`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    const message = (err as Error).message;
    expect(message).toContain(mtlsHost);
    expect(message).toContain('asked for a client certificate');
    expect(message).toContain(`put client.cert and client.key in ${join(root, mtlsHost)}`);
  });

  it('a wrong CA: the error says unknown authority and where ca.crt goes, without retrying', async () => {
    const root = certsRoot({ 'ca.crt': clientCa.certFile, 'client.cert': client.certFile, 'client.key': client.keyFile });
    // Not retried: the clock refuses to wait.
    const t = transport({ certsRoots: [root], maxRetries: 3, clock: { now: () => 0, sleep: () => Promise.reject(new Error('must not wait')) } });
    const err = await get(t, `https://${mtlsHost}/v2/`).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(new RegExp(`certificate signed by unknown authority.*add it as ca\\.crt in ${join(root, mtlsHost).replace(/[.]/g, '\\.')}`));
  });

  it('a key without its certificate, or one that does not match, fails with ConfigError naming the file and never the key', async () => {
    const other = issue(clientCa, join(work, 'pki'), 'other', 'client');
    const lonely = certsRoot({ 'ca.crt': serverCa.certFile, 'client.key': client.keyFile });
    const mismatch = certsRoot({ 'ca.crt': serverCa.certFile, 'client.cert': client.certFile, 'client.key': other.keyFile });
    for (const [root, expected] of [[lonely, 'without its certificate'], [mismatch, 'does not belong to the client certificate']] as const) {
      const err = await get(transport({ certsRoots: [root] }), `https://${mtlsHost}/v2/`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toContain(join(root, mtlsHost, 'client.key'));
      expect((err as Error).message).toContain(expected);
      for (const shown of [(err as Error).message, inspect(err, { depth: 10 }), JSON.stringify(err)]) {
        expect(shown).not.toContain(keyBody(client.key));
        expect(shown).not.toContain(keyBody(other.key));
      }
    }
  });
});

describe('tls settings per host', () => {
  it('takes CA, client certificate and key as PEM text or file paths', async () => {
    const asText = transport({ tls: { [mtlsHost]: { ca: serverCa.cert, cert: client.cert, key: client.key } } });
    expect((await get(asText, `https://${mtlsHost}/v2/`)).status).toBe(200);
    const asFiles = transport({ tls: { [mtlsHost.toUpperCase()]: { ca: [serverCa.certFile], cert: client.certFile, key: client.keyFile } } });
    expect((await get(asFiles, `https://${mtlsHost}/v2/`)).status).toBe(200);
  });

  it('certDir holds the files directly (as skopeo --cert-dir)', async () => {
    const dir = mkdtempSync(join(work, 'cert-dir-'));
    copyFileSync(serverCa.certFile, join(dir, 'ca.crt'));
    copyFileSync(client.certFile, join(dir, 'client.cert'));
    copyFileSync(client.keyFile, join(dir, 'client.key'));
    const t = transport({ tls: { [mtlsHost]: { certDir: dir } } });
    expect((await get(t, `https://${mtlsHost}/v2/`)).status).toBe(200);
  });

  it('keeps NODE_EXTRA_CA_CERTS trusted when a host has CAs of its own', async () => {
    const extra = join(work, 'extra-ca.pem');
    writeFileSync(extra, serverCa.cert);
    // The host's own CA is not the one that signed the server: only NODE_EXTRA_CA_CERTS can make this work.
    const t = transport({ env: { NODE_EXTRA_CA_CERTS: extra }, tls: { [mtlsHost]: { ca: clientCa.cert, cert: client.cert, key: client.key } } });
    expect((await get(t, `https://${mtlsHost}/v2/`)).status).toBe(200);
  });

  it('the client key is not shown by inspecting the transport or its failures', async () => {
    const t = transport({ tls: { [mtlsHost]: { cert: client.cert, key: client.key } } });
    const err = await get(t, `https://${mtlsHost}/v2/`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    for (const shown of [inspect(t, { depth: 6 }), inspect(err, { depth: 10 }), (err as Error).message]) expect(shown).not.toContain(keyBody(client.key));
  });
});

describe('HTTPS first for loopback hosts', () => {
  it('a loopback port that speaks TLS is used over HTTPS, probed once', async () => {
    mtlsRequests = [];
    const t = transport({ tls: { [mtlsHost]: { ca: serverCa.cert, cert: client.cert, key: client.key } } });
    // A host with TLS settings is HTTPS only: no probe.
    const res = await get(t, `http://${mtlsHost}/v2/a`, { httpsFirst: true });
    expect(res.url.protocol).toBe('https:');
    expect(mtlsRequests).toEqual(['/v2/a']);
    const roots = transport({ ca: serverCa.cert });
    mtlsRequests = [];
    // Without a client certificate the registry refuses, but the port speaks TLS: HTTPS it is.
    const err = await get(roots, `http://${mtlsHost}/v2/b`, { httpsFirst: true }).catch((e: unknown) => e);
    expect((err as Error).message).toContain(`https://${mtlsHost}/v2/b`);
    expect((err as Error).message).toContain('asked for a client certificate');
  });

  it('a loopback port answering in plain text stays on HTTP, and the answer is remembered', async () => {
    const t = transport({});
    plainRequests = 0;
    plainHandshakes = 0;
    const first = await get(t, `http://${plainHost}/v2/`, { httpsFirst: true });
    expect(first.url.protocol).toBe('http:');
    expect(await first.text()).toBe('plain');
    expect(plainHandshakes).toBe(1);
    const second = await get(t, `http://${plainHost}/v2/`, { httpsFirst: true });
    expect(await second.text()).toBe('plain');
    expect(plainRequests).toBe(2);
    // No second probe.
    expect(plainHandshakes).toBe(1);
  });

  it('a port nobody listens on says nothing: the request keeps its plain URL and fails as refused', async () => {
    const t = transport({});
    const err = await get(t, 'http://127.0.0.1:1/v2/', { httpsFirst: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).message).toContain('http://127.0.0.1:1/v2/');
    expect((err as NetworkError).causeCode).toBe('ECONNREFUSED');
  });

  it('requests not marked httpsFirst keep the URL they were given', async () => {
    const t = transport({ tls: { [plainHost]: { ca: serverCa.cert } } });
    const res = await get(t, `http://${plainHost}/v2/`);
    expect(res.url.protocol).toBe('http:');
    expect(await res.text()).toBe('plain');
  });
});
