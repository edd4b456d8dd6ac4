// A real Redis for the integration suites: Debian's redis-server on a free loopback port with a
// throwaway configuration (no persistence), started per suite and stopped afterwards (tests and
// CI install it through tooling/scripts/ensure-system-deps.sh). Test-only tooling.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running redis-server. */
export interface RedisServer {
  /** `redis://127.0.0.1:PORT/0` */
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGTERM; SIGKILL after 5 s); `restart` starts it again on the same port. */
  stop(): Promise<void>;
  /** Starts it again on the same port (after `stop`). */
  restart(): Promise<void>;
  /** Stops the server and removes its directory. */
  dispose(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

const HINT = 'redis-server is not installed: run `apt-get install -y redis-server` (tooling/scripts/ensure-system-deps.sh does)';

async function listening(port: number, child: ChildProcess, spawnError: () => Error | undefined, deadline: number): Promise<void> {
  for (;;) {
    const failed = spawnError();
    if (failed !== undefined) throw failed;
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${String(child.exitCode)}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => {
        resolve(false);
      });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error('redis-server did not start listening');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Certificate files for a TLS-only server (`rediss://`); clients are not asked for certificates. */
export interface RedisTls {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
}

/**
 * Starts redis-server in the foreground on a free loopback port, without persistence.
 * @param tls - serve TLS only on that port (`rediss://`), with these files
 * @returns the running server
 */
export async function startRedisServer(tls?: RedisTls): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const c = spawn(
      'redis-server',
      [
        ...(tls === undefined
          ? ['--port', String(port)]
          : ['--port', '0', '--tls-port', String(port), '--tls-cert-file', tls.certFile, '--tls-key-file', tls.keyFile, '--tls-ca-cert-file', tls.caFile, '--tls-auth-clients', 'no']),
        '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'warning',
      ],
      { stdio: 'ignore' },
    );
    child = c;
    let spawnError: Error | undefined;
    c.once('error', (err: NodeJS.ErrnoException) => {
      spawnError = err.code === 'ENOENT' ? new Error(HINT) : err;
    });
    try {
      await listening(port, c, () => spawnError, Date.now() + 10_000);
    } catch (err) {
      // A server that did not come up is not left running.
      child = undefined;
      if (c.exitCode === null && c.pid !== undefined) c.kill('SIGKILL');
      throw err;
    }
  };
  const stop = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (c?.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url: `${tls === undefined ? 'redis' : 'rediss'}://127.0.0.1:${String(port)}/0`,
    port,
    stop: async () => {
      await stop();
    },
    restart: start,
    dispose: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
