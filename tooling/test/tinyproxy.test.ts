// The tinyproxy harness (tooling/proxy/tinyproxy.ts) with the real tinyproxy: it forwards plain
// HTTP requests and CONNECT tunnels to a loopback origin and lists the CONNECT targets; with
// basicAuth it refuses requests without the right Proxy-Authorization; stop() frees the
// port and removes its files; a missing or failing tinyproxy is reported, leaving nothing behind.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startTinyproxy, type Tinyproxy } from '../proxy/tinyproxy.js';
import { exchange, refused, usePrivateTmpdir, withPath, type PrivateTmp } from './helpers.js';

let tmp: PrivateTmp;
let origin: Server;
let originHost: string;

beforeAll(async () => {
  tmp = usePrivateTmpdir();
  origin = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`origin saw ${req.method ?? ''} ${req.url ?? ''}`);
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  originHost = `127.0.0.1:${String((origin.address() as AddressInfo).port)}`;
});
afterAll(async () => {
  origin.closeAllConnections();
  await new Promise((resolve) => origin.close(resolve));
  tmp.restore();
});

const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** Sends a plain HTTP request through the proxy (absolute-form target). */
function viaProxy(proxy: Tinyproxy, path: string, headers: Record<string, string> = {}) {
  return exchange(proxy.url, {
    path: `http://${originHost}${path}`,
    headers: { host: originHost, ...headers },
  });
}

/** Opens a CONNECT tunnel to the origin and sends one GET through it; the proxy's status, and the origin's answer. */
async function tunnel(
  proxy: Tinyproxy,
  headers: Record<string, string> = {},
): Promise<{ status: number; answer: string }> {
  return new Promise((resolve, reject) => {
    const req = request(proxy.url, {
      method: 'CONNECT',
      path: originHost,
      agent: false,
      headers: { host: originHost, ...headers },
    });
    req.on('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        resolve({ status: res.statusCode ?? 0, answer: '' });
        return;
      }
      let answer = '';
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => (answer += d));
      socket.on('end', () => {
        resolve({ status: 200, answer });
      });
      socket.write(`GET /tunnelled HTTP/1.1\r\nHost: ${originHost}\r\nConnection: close\r\n\r\n`);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('startTinyproxy', () => {
  it('forwards plain requests and CONNECT tunnels, lists the CONNECT targets, and stop() cleans up', async () => {
    const proxy = await startTinyproxy();
    onTestFinished(() => proxy.stop());
    const port = Number(proxy.host.split(':')[1]);
    expect(proxy.url).toBe(`http://${proxy.host}`);
    expect(tmp.entries().filter((e) => e.startsWith('tinyproxy-'))).toHaveLength(1);
    const plain = await viaProxy(proxy, '/plain?q=1');
    expect(plain.status).toBe(200);
    expect(plain.body.toString()).toBe('origin saw GET /plain?q=1');
    expect(plain.headers.via).toMatch(/tinyproxy/);
    expect(proxy.connects()).toEqual([]);
    const tunnelled = await tunnel(proxy);
    expect(tunnelled.status).toBe(200);
    expect(tunnelled.answer).toMatch(
      /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n19\r\norigin saw GET \/tunnelled\r\n0\r\n\r\n$/,
    );
    expect(proxy.connects()).toEqual([originHost]);
    await proxy.stop();
    expect(await refused(port)).toBe(true);
    expect(tmp.entries().filter((e) => e.startsWith('tinyproxy-'))).toEqual([]);
    // Its log went with its directory.
    expect(proxy.connects()).toEqual([]);
  });

  it('with basicAuth, refuses plain requests and CONNECT without credentials (407) or with wrong ones (401)', async () => {
    const proxy = await startTinyproxy({ basicAuth: { user: 'pat', password: 'proxy-secret' } });
    try {
      const none = await viaProxy(proxy, '/x');
      expect(none.status).toBe(407);
      expect(none.headers['proxy-authenticate']).toMatch(/^Basic realm=/);
      // tinyproxy 1.11 answers wrong credentials with 401 (and WWW-Authenticate), not 407.
      const wrong = { 'proxy-authorization': basic('pat', 'wrong') };
      expect((await viaProxy(proxy, '/x', wrong)).status).toBe(401);
      expect((await tunnel(proxy, wrong)).status).toBe(401);
      const right = await viaProxy(proxy, '/x', {
        'proxy-authorization': basic('pat', 'proxy-secret'),
      });
      expect(right.status).toBe(200);
      expect(right.body.toString()).toBe('origin saw GET /x');
      expect((await tunnel(proxy)).status).toBe(407);
      expect(
        await tunnel(proxy, { 'proxy-authorization': basic('pat', 'proxy-secret') }),
      ).toMatchObject({
        status: 200,
        answer: expect.stringContaining('origin saw GET /tunnelled') as unknown,
      });
    } finally {
      await proxy.stop();
    }
  });

  it('refuses credentials it could not write into its configuration', async () => {
    await expect(
      startTinyproxy({ basicAuth: { user: 'pat', password: 'two words' } }),
    ).rejects.toThrow('must not contain white space');
  });

  it('names tinyproxy when it is missing, and reports one that exits at start, leaving nothing behind', async () => {
    await withPath([], {}, async () => {
      await expect(startTinyproxy()).rejects.toThrow(
        'tinyproxy is not installed: run `apt-get install -y tinyproxy`',
      );
    });
    await withPath([], { tinyproxy: 'exit 4' }, async () => {
      await expect(startTinyproxy()).rejects.toThrow('tinyproxy exited with code 4');
    });
    expect(tmp.entries().filter((e) => e.startsWith('tinyproxy-'))).toEqual([]);
  });
});
