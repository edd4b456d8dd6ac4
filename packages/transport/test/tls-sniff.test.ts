// Whether a port speaks TLS, asked without TLS: a ClientHello over plain TCP and the first bytes of
// the answer. Checked against real servers: Node's TLS (OpenSSL) with and without a required client
// certificate, the CNCF registry (Go's crypto/tls and net/http) over TLS and plain, Node's HTTP
// server; and against servers that say nothing useful (silence, a close, another protocol, a
// refused port), which must leave the answer open. Through a forward proxy (real tinyproxy) the
// transport does not sniff: it asks with an HTTPS request through the proxy.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import {
  createServer as createNetServer,
  type AddressInfo,
  type Server as NetServer,
  type Socket,
} from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTinyproxy } from '../../../tooling/proxy/tinyproxy.js';
import { issue, makeCa, type Issued } from '../../../tooling/registry/pki.js';
import { startRealRegistry } from '../../../tooling/registry/real-registry.js';
import { clientHello, schemeOfAnswer, sniffScheme } from '../src/dispatch/tls-sniff.js';
import { createSchemeStore, createTransport, type Transport } from '../src/index.js';

let work: string;
let ca: Issued;
let server: Issued;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tls-sniff-'));
  ca = makeCa(join(work, 'pki'), 'ca');
  server = issue(ca, join(work, 'pki'), 'localhost', 'server');
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

async function listen<T extends NetServer | HttpServer | TlsServer>(
  s: T,
): Promise<{ server: T; host: string }> {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return { server: s, host: `127.0.0.1:${String((s.address() as AddressInfo).port)}` };
}

async function stop(s: NetServer): Promise<void> {
  await new Promise<void>((resolve) =>
    s.close(() => {
      resolve();
    }),
  );
}

/** A TCP server that runs `onSocket` for each connection and remembers its sockets to end them. */
async function rawServer(
  onSocket: (socket: Socket) => void,
): Promise<{ host: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const { server: s, host } = await listen(
    createNetServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      onSocket(socket);
    }),
  );
  return {
    host,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await stop(s);
    },
  };
}

/** The extensions of a ClientHello record by type (parsed by the TLS 1.2/1.3 layout). */
function extensionsOf(hello: Buffer): Map<number, number[]> {
  let at = 5 + 4 + 2 + 32; // record header, handshake header, version, random
  at += 1 + hello[at]!; // session id
  at += 2 + hello.readUInt16BE(at); // cipher suites
  at += 1 + hello[at]!; // compression methods
  const end = at + 2 + hello.readUInt16BE(at);
  expect(end).toBe(hello.length);
  at += 2;
  const found = new Map<number, number[]>();
  while (at < end) {
    const length = hello.readUInt16BE(at + 2);
    found.set(hello.readUInt16BE(at), [...hello.subarray(at + 4, at + 4 + length)]);
    at += 4 + length;
  }
  return found;
}

describe('clientHello', () => {
  it('is one TLS handshake record whose lengths add up, with a 32-byte random ending in a blank line', () => {
    const hello = clientHello('registry.local');
    expect(hello[0]).toBe(0x16);
    expect(hello.readUInt16BE(3)).toBe(hello.length - 5);
    expect(hello[5]).toBe(0x01); // ClientHello
    expect(hello.readUIntBE(6, 3)).toBe(hello.length - 9);
    const random = hello.subarray(11, 43);
    expect(random.subarray(28).toString('latin1')).toBe('\r\n\r\n');
    expect(hello.includes(Buffer.from('registry.local'))).toBe(true);
  });

  it('carries SNI (list of one host name), EC point formats, TLS 1.3 and 1.2 as supported versions, and a random naming dhub', () => {
    const extensions = extensionsOf(clientHello('registry.local'));
    const name = [...Buffer.from('registry.local')];
    expect(extensions.get(0x0000)).toEqual([0x00, name.length + 3, 0x00, 0x00, name.length, ...name]);
    expect(extensions.get(0x000b)).toEqual([0x01, 0x00]);
    expect(extensions.get(0x002b)).toEqual([0x04, 0x03, 0x04, 0x03, 0x03]);
    expect([...extensions.keys()]).toEqual([0x0000, 0x000a, 0x000b, 0x000d, 0x002b]);
    expect(clientHello('h').subarray(11, 35).toString('latin1')).toBe('which scheme? asks dhub.');
    expect(extensionsOf(clientHello('')).has(0x0000)).toBe(false);
  });

  it('sends no server name for an IP address', () => {
    expect(clientHello('127.0.0.1').includes(Buffer.from('127.0.0.1'))).toBe(false);
    expect(clientHello('::1').length).toBe(clientHello('127.0.0.1').length);
  });
});

describe('schemeOfAnswer', () => {
  it.each([
    [[0x16, 0x03, 0x03, 0x00, 0x7a], 'https'],
    [[0x15, 0x03, 0x01, 0x00, 0x02], 'https'],
    [[0x16], 'https'],
    [[...Buffer.from('HTTP/1.1 400 Bad Request')], 'http'],
    [[...Buffer.from('SSH-2.0-OpenSSH')], undefined],
    [[0x16, 0x01, 0x00], undefined],
    [[...Buffer.from('HTTP')], undefined],
    [[0x16, 0x01], undefined],
    [[0x15, 0x03], 'https'],
  ])('%j -> %s', (bytes, expected) => {
    expect(schemeOfAnswer(Buffer.from(bytes))).toBe(expected);
  });
});

describe('sniffScheme against real servers', () => {
  it('Node TLS (OpenSSL): https, also when it requires a client certificate', async () => {
    for (const requestCert of [false, true]) {
      const { server: s, host } = await listen(
        createTlsServer({
          cert: server.cert,
          key: server.key,
          ca: [ca.cert],
          requestCert,
          rejectUnauthorized: requestCert,
        }),
      );
      s.on('tlsClientError', () => undefined);
      try {
        expect(await sniffScheme(host, 2_000)).toBe('https');
      } finally {
        await stop(s);
      }
    }
  });

  it('Node HTTP: http', async () => {
    const { server: s, host } = await listen(createHttpServer((_req, res) => res.end('{}')));
    try {
      expect(await sniffScheme(host, 2_000)).toBe('http');
    } finally {
      s.closeAllConnections();
      await stop(s);
    }
  });

  it('the CNCF registry (Go): https over TLS, http in plain', async () => {
    const tls = await startRealRegistry({
      auth: 'none',
      tls: { certificate: server.certFile, key: server.keyFile },
    });
    const plain = await startRealRegistry({ auth: 'none' });
    try {
      expect(await sniffScheme(new URL(tls.url).host, 5_000)).toBe('https');
      expect(await sniffScheme(new URL(plain.url).host, 5_000)).toBe('http');
    } finally {
      await Promise.all([tls.stop(), plain.stop()]);
    }
  });
});

describe('sniffScheme when the answer does not tell', () => {
  it('silence until the timeout: undefined, after about the timeout', async () => {
    const silent = await rawServer(() => undefined);
    try {
      const started = Date.now();
      expect(await sniffScheme(silent.host, 300)).toBeUndefined();
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    } finally {
      await silent.close();
    }
  });

  it('a close without a byte, another protocol, a refused port: undefined', async () => {
    const closing = await rawServer((socket) => socket.end());
    const ssh = await rawServer((socket) => socket.end('SSH-2.0-OpenSSH_9.2\r\n'));
    const { server: s, host: refused } = await listen(createNetServer());
    await stop(s);
    try {
      expect(await sniffScheme(closing.host, 2_000)).toBeUndefined();
      expect(await sniffScheme(ssh.host, 2_000)).toBeUndefined();
      expect(await sniffScheme(refused, 2_000)).toBeUndefined();
    } finally {
      await Promise.all([closing.close(), ssh.close()]);
    }
  });
});

describe('sniffScheme reading the answer', () => {
  it('an answer in pieces: waits for five bytes before deciding, and decides at the fifth', async () => {
    const slow = await rawServer((socket) => {
      socket.setNoDelay(true);
      socket.write('HTT');
      setTimeout(() => socket.write('P/'), 50);
    });
    try {
      expect(await sniffScheme(slow.host, 5_000)).toBe('http');
    } finally {
      await slow.close();
    }
  });

  it('a bracketed IPv6 address: Node TLS on ::1 is https', async () => {
    const tls = createTlsServer({ key: server.key, cert: server.cert }, (socket) => socket.on('error', () => undefined));
    await new Promise<void>((resolve) => tls.listen(0, '::1', resolve));
    try {
      expect(await sniffScheme(`[::1]:${String((tls.address() as AddressInfo).port)}`, 5_000)).toBe('https');
    } finally {
      await stop(tls);
    }
  });
});

describe('the transport', () => {
  /** A plain HTTP server that records whether it ever received the sniffer's ClientHello. */
  async function markerServer(): Promise<{
    host: string;
    sniffed: () => number;
    close: () => Promise<void>;
  }> {
    let sniffed = 0;
    const marker = Buffer.from('which scheme? asks dhub.');
    const s = createHttpServer((_req, res) => res.end('{}'));
    s.on('connection', (socket: Socket) => {
      socket.once('data', (chunk: Buffer) => {
        if (chunk.includes(marker)) sniffed += 1;
      });
    });
    const { host } = await listen(s);
    return {
      host,
      sniffed: () => sniffed,
      close: async () => {
        s.closeAllConnections();
        await stop(s);
      },
    };
  }

  /** An HTTPS-first GET of `/v2/` that stays on plain HTTP and reads the server's `{}`. */
  async function expectPlainAnswer(t: Transport, host: string): Promise<void> {
    const res = await t.request({
      method: 'GET',
      url: new URL(`http://${host}/v2/`),
      headers: {},
      context: { httpsFirst: true },
    });
    expect(res.url.protocol).toBe('http:');
    expect(await res.text()).toBe('{}');
  }

  it('sniffs a direct loopback port and stays on plain HTTP', async () => {
    const target = await markerServer();
    const t = createTransport({ maxRetries: 0, schemeStore: createSchemeStore() });
    try {
      await expectPlainAnswer(t, target.host);
      expect(target.sniffed()).toBe(1);
    } finally {
      await t.close();
      await target.close();
    }
  });

  it('through a forward proxy, asks with an HTTPS request through it instead of sniffing', async () => {
    const target = await markerServer();
    const proxy = await startTinyproxy();
    const t = createTransport({
      maxRetries: 0,
      schemeStore: createSchemeStore(),
      proxy: { url: proxy.url },
    });
    try {
      await expectPlainAnswer(t, target.host);
      expect(target.sniffed()).toBe(0);
      expect(proxy.connects()).toContain(target.host);
    } finally {
      await t.close();
      await proxy.stop();
      await target.close();
    }
  });
});
