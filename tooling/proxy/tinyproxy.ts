// A real forward proxy for the integration suites: Debian's tinyproxy on a free loopback port,
// with a generated configuration and its own log, started per suite (tests and CI install it
// through tooling/scripts/ensure-system-deps.sh). Test-only tooling.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running tinyproxy. */
export interface Tinyproxy {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `127.0.0.1:PORT` */
  readonly host: string;
  /** The `host:port` targets of every `CONNECT` the proxy was asked for so far, in order. */
  connects(): string[];
  /** Stops the proxy and removes its files. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => { resolve(port); });
    });
  });
}

const HINT = 'tinyproxy is not installed: run `apt-get install -y tinyproxy` (tooling/scripts/ensure-system-deps.sh does)';

async function listening(port: number, child: ChildProcess, spawnError: () => Error | undefined, deadline: number): Promise<void> {
  for (;;) {
    const failed = spawnError();
    if (failed !== undefined) throw failed;
    if (child.exitCode !== null) throw new Error(`tinyproxy exited with code ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => { resolve(false); });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error('tinyproxy did not start listening');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Options of {@link startTinyproxy}. */
export interface TinyproxyOptions {
  /**
   * Require `Proxy-Authorization: Basic` with this user and password (tinyproxy's `BasicAuth`):
   * requests without it, `CONNECT` included, get 407, and with wrong credentials 401 (tinyproxy
   * 1.11's answer). Neither may contain white space.
   */
  readonly basicAuth?: { readonly user: string; readonly password: string };
}

/**
 * Starts tinyproxy in the foreground on a free loopback port, allowing only loopback clients.
 * @param options - optional proxy authentication
 * @returns the running proxy
 */
export async function startTinyproxy(options: TinyproxyOptions = {}): Promise<Tinyproxy> {
  const auth = options.basicAuth;
  if (auth !== undefined && /\s/.test(auth.user + auth.password)) {
    throw new Error('tinyproxy basicAuth: user and password must not contain white space');
  }
  const dir = mkdtempSync(join(tmpdir(), 'tinyproxy-'));
  const port = await freePort();
  const log = join(dir, 'tinyproxy.log');
  const config = join(dir, 'tinyproxy.conf');
  writeFileSync(
    config,
    [`Port ${port}`, 'Listen 127.0.0.1', 'Timeout 60', `LogFile "${log}"`, 'LogLevel Connect', 'MaxClients 100', 'Allow 127.0.0.1',
      ...(auth === undefined ? [] : [`BasicAuth ${auth.user} ${auth.password}`]), ''].join('\n'),
  );
  const child = spawn('tinyproxy', ['-d', '-c', config], { stdio: 'ignore' });
  let spawnError: Error | undefined;
  child.once('error', (err: NodeJS.ErrnoException) => {
    spawnError = err.code === 'ENOENT' ? new Error(HINT) : err;
  });
  try {
    await listening(port, child, () => spawnError, Date.now() + 10_000);
  } catch (err) {
    // Nothing is left behind when it does not start: no process, no directory.
    if (child.exitCode === null && child.pid !== undefined) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    connects: () => {
      let text = '';
      try {
        text = readFileSync(log, 'utf8');
      } catch {
        return [];
      }
      return [...text.matchAll(/Request \(file descriptor \d+\): CONNECT (\S+) HTTP/g)].map((m) => m[1] ?? '');
    },
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
