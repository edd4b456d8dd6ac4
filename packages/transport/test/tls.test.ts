// TLS policy against a real HTTPS server on 127.0.0.1 with a throwaway self-signed certificate
// (made with openssl at test time): validation is always on, a custom CA can be added, and an
// HTTPS-to-HTTP redirect is refused.
import { createServer, type Server } from 'node:https';
import { type AddressInfo } from 'node:net';
import { NetworkError, RedirectError } from '@llmdevops/docker-hub-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTransport, type Transport } from '../src/index.js';
import { selfSignedCert } from './self-signed.js';
import { startScriptedServer, type ScriptedServer } from './scripted-server.js';

let cert: string;
let server: Server;
let origin: string;
let plain: ScriptedServer;
let nextLocation = '/';
const transports: Transport[] = [];

beforeAll(async () => {
  const made = selfSignedCert();
  cert = made.cert;
  server = createServer({ key: made.key, cert }, (req, res) => {
    if (req.url === '/redirect') {
      res.writeHead(302, { location: nextLocation, 'content-length': '0' });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-length': '6' });
    res.end('secure');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  plain = await startScriptedServer();
});

afterAll(async () => {
  await Promise.all(transports.map((t) => t.close()));
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  await plain.close();
});

describe('TLS policy', () => {
  it('rejects an untrusted certificate without retrying', async () => {
    const t = createTransport({ maxRetries: 3, clock: { now: () => 0, sleep: () => Promise.reject(new Error('must not wait')) } });
    transports.push(t);
    const err = await t.request({ method: 'GET', url: new URL('/v2/', origin), headers: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect(err).toMatchObject({ code: 'NETWORK' });
    expect((err as Error).message).toMatch(/CERT|SIGNED/);
  });

  it('trusts a custom CA added to the system roots', async () => {
    const t = createTransport({ ca: cert });
    transports.push(t);
    const res = await t.request({ method: 'GET', url: new URL('/v2/', origin), headers: {} });
    expect(await res.text()).toBe('secure');
  });

  it('refuses an HTTPS to HTTP redirect, even to loopback', async () => {
    const t = createTransport({ ca: cert });
    transports.push(t);
    nextLocation = `${plain.url}/blob`;
    const err = await t.request({ method: 'GET', url: new URL('/redirect', origin), headers: { authorization: 'Bearer x' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RedirectError);
    expect(plain.requests).toHaveLength(0);
  });
});

describe('TLS failures say what failed', () => {
  it('a registry that requires a client certificate is named as such, not as "other side closed"', async () => {
    const { key, cert } = selfSignedCert();
    const server = createServer({ key, cert, requestCert: true, rejectUnauthorized: true, ca: [cert] }, (_req, res) => {
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const t = createTransport({ maxRetries: 0, ca: cert });
    transports.push(t);
    const url = new URL(`https://127.0.0.1:${(server.address() as AddressInfo).port}/v2/`);
    const err = await t.request({ method: 'GET', url, headers: {} }).catch((e: unknown) => e);
    server.close();
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).message).toContain('asked for a client certificate');
    expect((err as NetworkError).message).toContain(url.host);
  });

  it('an untrusted certificate is named with what to do about it', async () => {
    const { key, cert } = selfSignedCert();
    const server = createServer({ key, cert }, (_req, res) => {
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const t = createTransport({ maxRetries: 0 });
    transports.push(t);
    const err = await t.request({ method: 'GET', url: new URL(`https://127.0.0.1:${(server.address() as AddressInfo).port}/v2/`), headers: {} }).catch((e: unknown) => e);
    server.close();
    expect((err as NetworkError).message).toMatch(/certificate signed by unknown authority .*\(DEPTH_ZERO_SELF_SIGNED_CERT\): trust the registry's CA/);
  });
});
