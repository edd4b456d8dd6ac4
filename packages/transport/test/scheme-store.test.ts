// HTTPS first is remembered per host for the process: transports share one bounded store (or an
// injected one), so separate transports probe a TLS-less loopback port once in total (ClientHellos
// counted at a real TCP server); a port that speaks TLS (a real registry with a CA made per run)
// gets HTTPS; and a port restarted with TLS is not kept on plain HTTP.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, ValidationError } from '@llmdevops/docker-hub-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issue, makeCa, type Issued } from '../../../tooling/registry/pki.js';
import { startRealRegistry, type RealRegistry } from '../../../tooling/registry/real-registry.js';
import { createSchemeStore, createTransport, type SchemeStore, type Transport } from '../src/index.js';

const transports: Transport[] = [];
let work: string;
let ca: Issued;
let server: Issued;

function transport(options: Parameters<typeof createTransport>[0] = {}): Transport {
  const t = createTransport({ maxRetries: 0, ...options });
  transports.push(t);
  return t;
}

const get = (t: Transport, url: string) => t.request({ method: 'GET', url: new URL(url), headers: {}, context: { httpsFirst: true } });

/** A plain HTTP server on loopback that counts connections and TLS ClientHellos (first byte 0x16). */
interface Counted {
  readonly server: HttpServer;
  readonly host: string;
  connections: number;
  handshakes: number;
  requests: number;
}

async function countedPlainServer(port = 0): Promise<Counted> {
  const counted = { connections: 0, handshakes: 0, requests: 0 } as Counted;
  const s = createHttpServer((_req, res) => {
    counted.requests += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
  s.on('connection', (socket: Socket) => {
    counted.connections += 1;
    socket.once('data', (chunk: Buffer) => {
      if (chunk[0] === 0x16) counted.handshakes += 1;
    });
  });
  await new Promise<void>((resolve) => s.listen(port, '127.0.0.1', resolve));
  return Object.assign(counted, { server: s, host: `127.0.0.1:${String((s.address() as AddressInfo).port)}` });
}

async function close(s: HttpServer | HttpsServer): Promise<void> {
  s.closeAllConnections();
  await new Promise<void>((resolve) => s.close(() => { resolve(); }));
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'scheme-store-'));
  ca = makeCa(join(work, 'pki'), 'ca');
  server = issue(ca, join(work, 'pki'), 'registry', 'server');
});

afterAll(async () => {
  await Promise.all(transports.map((t) => t.close()));
  rmSync(work, { recursive: true, force: true });
});

describe('createSchemeStore', () => {
  it('keeps at most maxHosts, forgetting the least recently used first', () => {
    const store = createSchemeStore({ maxHosts: 2 });
    store.set('a:1', 'http');
    store.set('b:1', 'https');
    expect(store.get('a:1')).toBe('http'); // a is now the most recently used
    store.set('c:1', 'http');
    expect(store.get('b:1')).toBeUndefined();
    expect(store.get('a:1')).toBe('http');
    expect(store.get('c:1')).toBe('http');
    store.delete('a:1');
    expect(store.get('a:1')).toBeUndefined();
  });

  it('setting a known host again makes it the most recently used; asking for an unknown host takes no room', () => {
    const store = createSchemeStore({ maxHosts: 2 });
    store.set('a:1', 'http');
    store.set('b:1', 'https');
    store.set('a:1', 'https');
    expect(store.get('unknown:1')).toBeUndefined();
    store.set('c:1', 'http');
    expect(store.get('b:1')).toBeUndefined();
    expect(store.get('a:1')).toBe('https');
    expect(store.get('c:1')).toBe('http');
  });

  it('maxHosts 1 is allowed and keeps the last host only', () => {
    const store = createSchemeStore({ maxHosts: 1 });
    store.set('a:1', 'http');
    store.set('b:1', 'https');
    expect(store.get('a:1')).toBeUndefined();
    expect(store.get('b:1')).toBe('https');
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses maxHosts %s with INVALID_ARGUMENT', (maxHosts) => {
    expect(() => createSchemeStore({ maxHosts })).toThrow(ValidationError);
    expect(() => createSchemeStore({ maxHosts })).toThrow('maxHosts must be a whole number of at least 1');
  });

  it('createTransport refuses a schemeStore that is not one, naming the option', () => {
    expect(() => createTransport({ schemeStore: {} as SchemeStore })).toThrow(ConfigError);
    expect(() => createTransport({ schemeStore: {} as SchemeStore })).toThrow('schemeStore');
  });
});

describe('one answer per host for the process', () => {
  it('two separate transports against one TLS-less loopback port probe TLS once in total', async () => {
    const plain = await countedPlainServer();
    try {
      const first = transport();
      const second = transport();
      for (const t of [first, second, first, second]) {
        const res = await get(t, `http://${plain.host}/v2/`);
        expect(res.url.protocol).toBe('http:');
        expect(await res.text()).toBe('{}');
      }
      expect(plain.requests).toBe(4);
      expect(plain.handshakes).toBe(1);
    } finally {
      await close(plain.server);
    }
  });

  it('transports asking at the same time share the one probe', async () => {
    const plain = await countedPlainServer();
    try {
      const many = [transport(), transport(), transport()];
      const answers = await Promise.all(many.map((t) => get(t, `http://${plain.host}/v2/`)));
      for (const res of answers) {
        expect(res.url.protocol).toBe('http:');
        await res.text();
      }
      expect(plain.handshakes).toBe(1);
    } finally {
      await close(plain.server);
    }
  });

  it('a transport given its own store probes for itself, and the answer lands in that store', async () => {
    const plain = await countedPlainServer();
    try {
      await (await get(transport(), `http://${plain.host}/v2/`)).text();
      expect(plain.handshakes).toBe(1);
      const store = createSchemeStore();
      const own = transport({ schemeStore: store });
      await (await get(own, `http://${plain.host}/v2/`)).text();
      await (await get(own, `http://${plain.host}/v2/`)).text();
      expect(plain.handshakes).toBe(2);
      expect(store.get(plain.host)).toBe('http');
    } finally {
      await close(plain.server);
    }
  });

  it('a caller whose signal aborts stops waiting for the shared probe without spoiling it', async () => {
    const plain = await countedPlainServer();
    try {
      const store = createSchemeStore();
      const controller = new AbortController();
      controller.abort(new Error('caller gave up'));
      const t = transport({ schemeStore: store });
      const aborted = await t
        .request({ method: 'GET', url: new URL(`http://${plain.host}/v2/`), headers: {}, context: { httpsFirst: true }, signal: controller.signal })
        .catch((e: unknown) => e);
      expect((aborted as { code?: string }).code).toBe('ABORTED');
      const res = await get(t, `http://${plain.host}/v2/`);
      expect(res.url.protocol).toBe('http:');
      await res.text();
      expect(store.get(plain.host)).toBe('http');
      // The probe the aborted caller started ran to the end and served the next request.
      expect(plain.handshakes).toBe(1);
    } finally {
      await close(plain.server);
    }
  });
});

describe('a port that speaks TLS', () => {
  let registry: RealRegistry;
  beforeAll(async () => {
    registry = await startRealRegistry({ auth: 'none', tls: { certificate: server.certFile, key: server.keyFile } });
  }, 60_000);
  afterAll(async () => {
    await registry.stop();
  });

  it('the real registry serving TLS (CA made for the run) is used over HTTPS by every transport', async () => {
    const store = createSchemeStore();
    for (const t of [transport({ ca: ca.cert, schemeStore: store }), transport({ ca: ca.cert, schemeStore: store })]) {
      const res = await get(t, `http://${registry.host}/v2/`);
      expect(res.url.href).toBe(`https://${registry.host}/v2/`);
      expect(res.status).toBe(200);
      await res.text();
    }
    expect(store.get(registry.host)).toBe('https');
  });

  it('a TLS port whose certificate is not trusted is still HTTPS: the error names the certificate, no fallback to HTTP', async () => {
    const store = createSchemeStore();
    const err = await get(transport({ schemeStore: store }), `http://${registry.host}/v2/`).catch((e: unknown) => e);
    expect((err as Error).message).toContain(`https://${registry.host}/v2/`);
    expect((err as { causeCode?: string }).causeCode).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(store.get(registry.host)).toBe('https');
  });

  it('a remembered plain answer is replaced when an HTTPS request to the host gets an answer', async () => {
    const store = createSchemeStore();
    store.set(registry.host, 'http');
    const t = transport({ ca: ca.cert, schemeStore: store });
    const res = await t.request({ method: 'GET', url: new URL(`https://${registry.host}/v2/`), headers: {} });
    await res.text();
    expect(store.get(registry.host)).toBe('https');
  });

  it('a remembered plain answer is forgotten when the plain request gets Go\'s answer to HTTP on a TLS port, then HTTPS is found', async () => {
    const store = createSchemeStore();
    store.set(registry.host, 'http');
    const t = transport({ ca: ca.cert, schemeStore: store });
    const plainAttempt = await get(t, `http://${registry.host}/v2/`);
    expect(plainAttempt.status).toBe(400);
    expect(await plainAttempt.text()).toContain('HTTP request to an HTTPS server');
    expect(store.get(registry.host)).toBeUndefined();
    const res = await get(t, `http://${registry.host}/v2/`);
    expect(res.url.protocol).toBe('https:');
    expect(res.status).toBe(200);
    await res.text();
  });
});

describe('a port restarted with TLS', () => {
  it('is not kept on plain HTTP: the failed plain request drops the answer and the next one probes again', async () => {
    const plain = await countedPlainServer();
    const { port } = plain.server.address() as AddressInfo;
    const t = transport({ ca: ca.cert });
    await (await get(t, `http://${plain.host}/v2/`)).text();
    expect(plain.handshakes).toBe(1);
    await close(plain.server);
    // The same port now speaks TLS only.
    const secure = createHttpsServer({ key: server.key, cert: server.cert }, (_req, res) => {
      res.end('secure');
    });
    await new Promise<void>((resolve) => secure.listen(port, '127.0.0.1', resolve));
    try {
      const failed = await get(t, `http://${plain.host}/v2/`).catch((e: unknown) => e);
      expect((failed as { code?: string }).code).toBe('NETWORK');
      const res = await get(transport({ ca: ca.cert }), `http://${plain.host}/v2/`);
      expect(res.url.protocol).toBe('https:');
      expect(await res.text()).toBe('secure');
    } finally {
      await close(secure);
    }
  });
});
