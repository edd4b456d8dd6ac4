// The redis-server harness (tooling/redis/redis-server.ts) with the real redis-server: it answers
// PING on its port, in plain text or TLS only (with certificates from pki.ts); stop() frees the
// port and restart() brings it back on the same one; dispose() removes its directory; a missing
// or failing redis-server is reported, leaving nothing behind.
import { connect as netConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startRedisServer } from '../redis/redis-server.js';
import { issue, makeCa } from '../registry/pki.js';
import { refused, usePrivateTmpdir, withPath, type PrivateTmp } from './helpers.js';

let tmp: PrivateTmp;
beforeAll(() => {
  tmp = usePrivateTmpdir();
});
afterAll(() => {
  tmp.restore();
});

/** Sends PING (RESP) on a connected socket and returns the first reply line. */
function ping(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      reply += d;
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolve(reply.slice(0, reply.indexOf('\r\n')));
      }
    });
    socket.on('error', reject);
    socket.on('close', () => {
      resolve(reply);
    });
    socket.write('*1\r\n$4\r\nPING\r\n');
  });
}

const redisDirs = (): string[] => tmp.entries().filter((e) => e.startsWith('redis-'));

describe('startRedisServer', () => {
  it('answers PING on redis://127.0.0.1:PORT/0; stop, restart on the same port, dispose', async () => {
    const redis = await startRedisServer();
    onTestFinished(() => redis.dispose());
    expect(redis.url).toBe(`redis://127.0.0.1:${String(redis.port)}/0`);
    expect(redisDirs()).toHaveLength(1);
    expect(await ping(netConnect(redis.port, '127.0.0.1'))).toBe('+PONG');
    await redis.stop();
    expect(await refused(redis.port)).toBe(true);
    await redis.stop();
    await redis.restart();
    expect(await ping(netConnect(redis.port, '127.0.0.1'))).toBe('+PONG');
    await redis.dispose();
    expect(await refused(redis.port)).toBe(true);
    expect(redisDirs()).toEqual([]);
  });

  it('serves TLS only with the given certificates (rediss://)', async () => {
    const dir = join(tmp.dir, 'pki');
    const ca = makeCa(dir, 'redis-ca');
    const server = issue(ca, dir, 'redis-server', 'server');
    const redis = await startRedisServer({
      certFile: server.certFile,
      keyFile: server.keyFile,
      caFile: ca.certFile,
    });
    onTestFinished(() => redis.dispose());
    expect(redis.url).toBe(`rediss://127.0.0.1:${String(redis.port)}/0`);
    expect(await ping(tlsConnect({ host: '127.0.0.1', port: redis.port, ca: ca.cert }))).toBe(
      '+PONG',
    );
    // Plain text on the TLS port gets no PONG (the server drops it).
    expect(
      await ping(netConnect(redis.port, '127.0.0.1')).catch((e: unknown) => String(e)),
    ).not.toContain('PONG');
  });

  it('names redis-server when it is missing, and reports one that exits at start, leaving nothing behind', async () => {
    await withPath([], {}, async () => {
      await expect(startRedisServer()).rejects.toThrow(
        'redis-server is not installed: run `apt-get install -y redis-server`',
      );
    });
    await withPath([], { 'redis-server': 'exit 5' }, async () => {
      await expect(startRedisServer()).rejects.toThrow('redis-server exited with code 5');
    });
    expect(redisDirs()).toEqual([]);
  });
});
