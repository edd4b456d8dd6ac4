// Starts a private Docker daemon (Debian's `docker.io`) for integration tests: its own data root,
// exec root, pid file and unix socket under a temporary directory, networking off (no iptables,
// no bridge), so it runs beside anything else on the machine. Loopback registries count as
// insecure for it, so `docker pull/push/load/save` work against the test registry. When the
// daemon cannot start, startDockerd throws with the reason and the daemon's log (tests fail,
// they never skip).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A running daemon. */
export interface Dockerd {
  /** `unix:///.../docker.sock`, for `DOCKER_HOST`. */
  readonly host: string;
  /** Environment for the docker CLI: `DOCKER_HOST` and an empty `DOCKER_CONFIG`. */
  readonly env: NodeJS.ProcessEnv;
  /**
   * Runs the docker CLI against this daemon.
   * @param args - CLI arguments
   * @returns stdout
   */
  docker(...args: string[]): Promise<string>;
  /** The daemon's log so far. */
  log(): string;
  /** Stops the daemon (and its containerd) and removes its directories. */
  stop(): Promise<void>;
}

/** Options of {@link startDockerd}. */
export interface StartDockerdOptions {
  /** The daemon executable (default `dockerd`). */
  readonly binary?: string;
  /** The CLI executable (default `docker`). */
  readonly cli?: string;
  /** How long to wait for the socket to answer (default 30 s). */
  readonly timeoutMs?: number;
}

const HINT = 'dockerd is not installed: run `apt-get install -y --no-install-recommends docker.io` (tooling/scripts/ensure-system-deps.sh does)';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

async function waitReady(cli: string, env: NodeJS.ProcessEnv, daemon: { child: ChildProcess; output: () => string }, timeoutMs: number): Promise<void> {
  const { child, output } = daemon;
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`dockerd exited with code ${child.exitCode} before it was ready:\n${output()}`);
    try {
      await run(cli, ['version', '--format', '{{.Server.Version}}'], { env, timeout: 10_000 });
      return;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`dockerd did not answer within ${timeoutMs} ms (${last}):\n${output()}`);
}

/**
 * Starts `dockerd` with its own roots and socket, networking off, and waits until the CLI
 * reaches it.
 * @param options - executables and timeout
 * @returns the daemon; call `stop()` in afterAll
 */
export async function startDockerd(options: StartDockerdOptions = {}): Promise<Dockerd> {
  const binary = options.binary ?? 'dockerd';
  const cli = options.cli ?? 'docker';
  await run(binary, ['--version'], { timeout: 10_000 }).catch((err: unknown) => {
    throw new Error((err as NodeJS.ErrnoException).code === 'ENOENT' ? HINT : `${binary} --version failed: ${String(err)}`);
  });
  if (process.getuid?.() !== 0) throw new Error('dockerd needs root here (it mounts overlay filesystems); run the suite as root');
  // Short path: a unix socket path must stay under 108 bytes.
  const dir = await mkdtemp(join(tmpdir(), 'dkd-'));
  const socket = join(dir, 'docker.sock');
  const host = `unix://${socket}`;
  await mkdir(join(dir, 'config'));
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: host, DOCKER_CONFIG: join(dir, 'config') };
  let output = '';
  const child = spawn(binary, [
    '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '--pidfile', join(dir, 'dockerd.pid'), '-H', host,
    '--iptables=false', '--ip6tables=false', '--bridge=none', '--ip-masq=false', '--userland-proxy=false',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-64 * 1024);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const stop = async (): Promise<void> => {
    await stopChild(child);
    // The daemon unmounts its layers on the way out; what is left is plain files.
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    await waitReady(cli, env, { child, output: () => output }, options.timeoutMs ?? 30_000);
    if (!(await exists(socket))) throw new Error(`dockerd answered but ${socket} is missing`);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    host,
    env,
    docker: async (...args) => (await run(cli, args, { env, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 })).stdout,
    log: () => output,
    stop,
  };
}
