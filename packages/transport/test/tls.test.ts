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
