// The innermost stage (`createTerminal`, `assertSecure`) against a real Node HTTP server on
// 127.0.0.1 through a real undici Agent: what reaches the server (path and query, user agent,
// content-length of a sized stream body), which URLs are refused before any connection and with
// what message, and that bodiless answers end without being read.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { InsecureTransportError, NetworkError } from '@llmdevops/docker-hub-core';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issue, makeCa } from '../../../tooling/registry/pki.js';
import { assertSecure, createTerminal } from '../src/dispatch/terminal.js';
import type { TransportRequest } from '../src/pipeline/types.js';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

let server: Server;
let origin: string;
let seen: Seen[] = [];
const agent = new Agent({ connections: 2 });
const terminal = createTerminal({
  dispatcher: agent,
  timeouts: { connectTimeoutMs: 5_000, headersTimeoutMs: 5_000, bodyTimeoutMs: 5_000 },
  insecureHosts: [],
  userAgent: 'dhub-test/1',
});

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      if (req.url === '/empty') {
        res.writeHead(200, { 'content-length': '0' });
        res.end();
        return;
      }
      if (req.url?.startsWith('/status/') === true) {
        res.writeHead(Number(req.url.slice('/status/'.length)));
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('hello');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
});

afterAll(async () => {
  await agent.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
});

const request = (path: string, extra: Partial<TransportRequest> = {}): TransportRequest => ({ method: 'GET', url: new URL(path, origin), headers: {}, ...extra });

describe('createTerminal', () => {
  it('sends the path with its query and the user agent, and returns status, headers, URL and body', async () => {
    seen = [];
    const res = await terminal(request('/v2/x/tags/list?n=2&last=a'));
    expect(res.status).toBe(200);
    expect(res.header('content-type')).toBe('text/plain');
    expect(res.url.href).toBe(`${origin}/v2/x/tags/list?n=2&last=a`);
    expect(await res.text()).toBe('hello');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url).toBe('/v2/x/tags/list?n=2&last=a');
    expect(seen[0]?.headers['user-agent']).toBe('dhub-test/1');
  });

  it('a user agent of the request wins over the transport one', async () => {
    seen = [];
    await (await terminal(request('/ua', { headers: { 'user-agent': 'mine/2' } }))).dump();
    expect(seen[0]?.headers['user-agent']).toBe('mine/2');
  });

  it('a stream body with a known length is sent with that content-length, unless the request sets one', async () => {
    seen = [];
    const body = { stream: () => Readable.from([Buffer.from('abc'), Buffer.from('de')]), length: 5, replayable: true };
    await (await terminal(request('/upload', { method: 'PUT', body }))).dump();
    const iterable = { stream: async function* () { yield new TextEncoder().encode('xyz'); }, length: 3, replayable: true };
    await (await terminal(request('/upload', { method: 'PUT', body: iterable }))).dump();
    expect(seen.map((s) => [s.headers['content-length'], s.headers['transfer-encoding'], s.body])).toEqual([
      ['5', undefined, 'abcde'],
      ['3', undefined, 'xyz'],
    ]);
  });

  it('a stream body without a length goes chunked, with no content-length', async () => {
    seen = [];
    const body = { stream: () => Readable.from([Buffer.from('abc')]), replayable: false };
    await (await terminal(request('/upload', { method: 'PUT', body }))).dump();
    expect(seen[0]?.headers['content-length']).toBeUndefined();
    expect(seen[0]?.headers['transfer-encoding']).toBe('chunked');
    expect(seen[0]?.body).toBe('abc');
  });

  it.each([204, 304])('a %s answer has ended without anyone reading its body', async (status) => {
    const res = await terminal(request(`/status/${String(status)}`));
    expect(res.status).toBe(status);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(res.body.readableEnded).toBe(true);
  });

  it.each([
    ['a HEAD answer', 'HEAD', '/'],
    ['a 200 answer with content-length 0', 'GET', '/empty'],
  ] as const)('%s has ended without anyone reading its body', async (_name, method, path) => {
    const res = await terminal(request(path, { method }));
    expect(res.status).toBe(200);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(res.body.readableEnded).toBe(true);
  });

  it('refuses plain HTTP to a host that is not loopback before connecting', async () => {
    await expect(terminal(request('http://registry.example/v2/'))).rejects.toBeInstanceOf(InsecureTransportError);
  });
});

describe('assertSecure', () => {
  it('lets HTTPS, loopback HTTP and HTTP to an insecure host through', () => {
    expect(() => {
      assertSecure(new URL('https://registry.example/v2/'), []);
      assertSecure(new URL('http://127.0.0.1:5000/v2/'), []);
      assertSecure(new URL('http://Registry.Example:5000/v2/'), ['registry.example:5000']);
    }).not.toThrow();
  });

  it('refuses plain HTTP elsewhere, naming the host to add to insecureHosts', () => {
    const err = (() => {
      try {
        assertSecure(new URL('http://user:pw@Registry.Example:5000/v2/?token=t'), []);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(InsecureTransportError);
    expect((err as Error).message).toContain('plain HTTP is only used for loopback hosts; add "registry.example:5000" to the transport\'s insecureHosts option to allow it');
    expect((err as Error).message).not.toContain('pw');
  });

  it('refuses other schemes as unsupported', () => {
    expect(() => {
      assertSecure(new URL('ftp://registry.example/x'), ['registry.example']);
    }).toThrow('only https: (and http: for loopback or insecure hosts) is supported');
  });
});

describe('a TLS server that closes the connection before answering', () => {
  let work: string;
  let caCert: string;
  const servers: TlsServer[] = [];
  const origins: string[] = [];
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'terminal-tls-'));
    const ca = makeCa(join(work, 'pki'), 'ca');
    const server = issue(ca, join(work, 'pki'), 'localhost', 'server');
    caCert = ca.cert;
    for (const requestCert of [true, false]) {
      servers.push(
        createTlsServer({ key: server.key, cert: server.cert, ca: [ca.cert], requestCert, rejectUnauthorized: requestCert }, (socket) => {
          socket.on('error', () => undefined);
          // Reads the request head, then closes without a word.
          socket.once('data', () => socket.end());
        }),
      );
    }
    for (const s of servers) origins.push(await originOf(s));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => { resolve(); }))));
    rmSync(work, { recursive: true, force: true });
  });

  async function originOf(s: TlsServer): Promise<string> {
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    return `https://127.0.0.1:${String((s.address() as AddressInfo).port)}`;
  }

  function tlsTerminal(withSettings: boolean) {
    const dispatcher = new Agent({ connect: { ca: caCert } });
    return {
      dispatcher,
      next: createTerminal({
        dispatcher,
        timeouts: { connectTimeoutMs: 5_000, headersTimeoutMs: 5_000, bodyTimeoutMs: 5_000 },
        insecureHosts: [],
        userAgent: 'dhub-test/1',
        ...(withSettings ? { tls: { ca: caCert, env: {} } } : {}),
      }),
    };
  }

  it('with the transport\'s own TLS settings, a required client certificate is named', async () => {
    const [mtls] = origins;
    const { dispatcher, next } = tlsTerminal(true);
    try {
      const err = await next(request(`${mtls}/v2/`)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NetworkError);
      expect((err as Error).message).toContain('asked for a client certificate');
      expect((err as NetworkError).causeCode).toMatch(/ALERT|CERTIFICATE_REQUIRED/);
    } finally {
      await dispatcher.close();
    }
  });

  it('with an injected dispatcher (no TLS settings), the socket error is left as it is', async () => {
    const [mtls] = origins;
    const { dispatcher, next } = tlsTerminal(false);
    try {
      const err = await next(request(`${mtls}/v2/`)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NetworkError);
      expect((err as NetworkError).causeCode).toBe('UND_ERR_SOCKET');
    } finally {
      await dispatcher.close();
    }
  });

  it('when the probe finds no TLS alert either, the socket error is left as it is', async () => {
    const [, closing] = origins;
    const { dispatcher, next } = tlsTerminal(true);
    try {
      const err = await next(request(`${closing}/v2/`)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NetworkError);
      expect((err as NetworkError).causeCode).toBe('UND_ERR_SOCKET');
      expect((err as Error).message).not.toContain('undefined');
    } finally {
      await dispatcher.close();
    }
  });
});
