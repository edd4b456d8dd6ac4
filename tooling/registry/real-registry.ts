// Starts the real CNCF distribution registry (Debian `docker-registry`) on 127.0.0.1 for
// integration tests, with no auth, htpasswd Basic auth, or token auth backed by a small token
// service (tooling/registry/token-server.ts). Reusable by every package's test suites.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  defaultGrants,
  type GrantPolicy,
  type RegistryUser,
  startTokenServer,
  type TokenServer,
  type TokenServerRequest,
} from './token-server.js';

export type {
  GrantPolicy,
  RegistryUser,
  RequestedScope,
  TokenServerRequest,
} from './token-server.js';
export { defaultGrants } from './token-server.js';

const run = promisify(execFile);

/** Options of {@link startRealRegistry}. */
export interface StartRealRegistryOptions {
  /** `none`: open registry; `basic`: htpasswd; `token`: bearer tokens from a local token service. */
  readonly auth: 'none' | 'basic' | 'token';
  /** Users (default `alice` with full rights and `reader` with pull only, random passwords). */
  readonly users?: readonly RegistryUser[];
  /** Token lifetime in seconds (token mode; default 300). */
  readonly tokenExpiresIn?: number;
  /** Token grants (token mode; default {@link defaultGrants}: reader pulls, others everything, anonymous nothing). */
  readonly grants?: GrantPolicy;
  /** Actions anonymous users get with the default grants (default none). */
  readonly anonymousActions?: readonly string[];
  /** Answer `POST /token` with 404 (token mode), to exercise the GET fallback. */
  readonly tokenPostDisabled?: boolean;
  /** Token service name in challenges (default `test-registry`). */
  readonly service?: string;
  /** The registry executable (default `docker-registry` on PATH). */
  readonly registryBinary?: string;
  /** Extra top-level YAML appended to the registry config, e.g. a `notifications:` block. */
  readonly extraConfig?: string;
  /**
   * Serve HTTPS (`http.tls`): PEM files of the server certificate and key, and optionally the
   * CAs whose client certificates are required (`clientcas`, mutual TLS). `url` is then https.
   */
  readonly tls?: { readonly certificate: string; readonly key: string; readonly clientCas?: readonly string[] };
}

/** A running registry. */
export interface RealRegistry {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `127.0.0.1:PORT` */
  readonly host: string;
  /** Token realm (token mode only). */
  readonly tokenUrl?: string;
  /** Token service name (token mode only). */
  readonly service?: string;
  /** The users and their passwords. */
  readonly users: readonly RegistryUser[];
  /** Requests the token service answered (token mode; empty otherwise). */
  readonly tokenRequests: readonly TokenServerRequest[];
  /** Shifts the token service's clock by this many seconds (token mode). */
  setTokenClockOffset(seconds: number): void;
  /** The registry's log so far (for diagnostics). */
  log(): string;
  /** Stops the registry and the token service and removes the temporary directory. */
  stop(): Promise<void>;
}

const INSTALL_HINT =
  'docker-registry (CNCF distribution) is not installed: run `apt-get install -y docker-registry` (and apache2-utils, openssl)';

async function requireTool(cmd: string, args: string[], hint: string): Promise<void> {
  try {
    await run(cmd, args, { timeout: 10_000 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(hint);
  }
}

function defaultUsers(): RegistryUser[] {
  return [
    { name: 'alice', password: `alice-${randomBytes(9).toString('base64url')}` },
    { name: 'reader', password: `reader-${randomBytes(9).toString('base64url')}` },
  ];
}

function tlsYaml(tls: StartRealRegistryOptions['tls']): string[] {
  if (tls === undefined) return [];
  const lines = ['  tls:', `    certificate: ${tls.certificate}`, `    key: ${tls.key}`];
  if (tls.clientCas !== undefined && tls.clientCas.length > 0) lines.push('    clientcas:', ...tls.clientCas.map((c) => `      - ${c}`));
  return lines;
}

function configYaml(dir: string, authBlock: string, tls?: StartRealRegistryOptions['tls']): string {
  return [
    'version: 0.1',
    'log:',
    '  level: info',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    '  addr: 127.0.0.1:0',
    `  secret: ${randomBytes(12).toString('hex')}`,
    ...tlsYaml(tls),
    authBlock,
    '',
  ].join('\n');
}

async function waitForPort(
  child: ChildProcess,
  output: () => string,
  timeoutMs: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const m = /listening on 127\.0\.0\.1:(\d+)/.exec(output());
    if (m?.[1] !== undefined) return Number(m[1]);
    if (child.exitCode !== null)
      throw new Error(`docker-registry exited with code ${child.exitCode}:\n${output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`docker-registry did not report its port within ${timeoutMs} ms:\n${output()}`);
}

async function waitReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/v2/`);
      await res.arrayBuffer();
      if (res.status === 200 || res.status === 401) return;
      last = `status ${res.status}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`docker-registry at ${url} not ready within ${timeoutMs} ms (${last})`);
}

/**
 * Starts `docker-registry serve` on a free loopback port with the requested auth mode and waits
 * until `/v2/` answers. Throws (never skips) when `docker-registry` is not installed.
 * @param options - auth mode, users, token lifetime and grants
 * @returns the registry; call `stop()` in afterAll
 */
export async function startRealRegistry(options: StartRealRegistryOptions): Promise<RealRegistry> {
  const binary = options.registryBinary ?? 'docker-registry';
  await requireTool(binary, ['--version'], INSTALL_HINT);
  const users = [...(options.users ?? defaultUsers())];
  const dir = await mkdtemp(join(tmpdir(), 'real-registry-'));
  let tokenServer: TokenServer | undefined;
  let child: ChildProcess | undefined;
  const service = options.service ?? 'test-registry';
  let output = '';
  const cleanup = async (): Promise<void> => {
    const proc = child;
    if (proc?.exitCode === null && proc.signalCode === null) {
      const exited = new Promise<void>((resolve) => {
        proc.once('exit', () => {
          resolve();
        });
      });
      proc.kill('SIGTERM');
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
      }, 5_000);
      await exited;
      clearTimeout(timer);
    }
    await tokenServer?.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    let authBlock = '';
    if (options.auth === 'basic') {
      await requireTool(
        'htpasswd',
        ['-h'],
        'htpasswd is not installed: run `apt-get install -y apache2-utils`',
      );
      const file = join(dir, 'htpasswd');
      for (const [i, u] of users.entries()) {
        await run('htpasswd', [i === 0 ? '-Bbc' : '-Bb', file, u.name, u.password], {
          timeout: 20_000,
        });
      }
      authBlock = ['auth:', '  htpasswd:', '    realm: test-basic', `    path: ${file}`].join('\n');
    } else if (options.auth === 'token') {
      const keyFile = join(dir, 'key.pem');
      const certFile = join(dir, 'cert.pem');
      try {
        await run(
          'openssl',
          [
            'req',
            '-x509',
            '-newkey',
            'rsa:2048',
            '-nodes',
            '-keyout',
            keyFile,
            '-out',
            certFile,
            '-days',
            '3650',
            '-subj',
            '/CN=test-issuer',
          ],
          {
            timeout: 30_000,
          },
        );
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT')
          throw new Error('openssl is not installed: run `apt-get install -y openssl`');
        throw err;
      }
      tokenServer = await startTokenServer({
        keyPem: await readFile(keyFile, 'utf8'),
        certPem: await readFile(certFile, 'utf8'),
        issuer: 'test-issuer',
        service,
        users,
        expiresIn: options.tokenExpiresIn ?? 300,
        grants: options.grants ?? defaultGrants(options.anonymousActions),
        ...(options.tokenPostDisabled === undefined
          ? {}
          : { disablePost: options.tokenPostDisabled }),
      });
      authBlock = [
        'auth:',
        '  token:',
        `    realm: ${tokenServer.url}`,
        `    service: ${service}`,
        '    issuer: test-issuer',
        `    rootcertbundle: ${certFile}`,
      ].join('\n');
    }
    const configFile = join(dir, 'config.yml');
    await writeFile(configFile, configYaml(dir, [authBlock, options.extraConfig ?? ''].join('\n'), options.tls));
    const proc = spawn(binary, ['serve', configFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    const append = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-20_000);
    };
    proc.stdout.on('data', append);
    proc.stderr.on('data', append);
    const spawnError = new Promise<never>((_, reject) => {
      proc.once('error', (err: NodeJS.ErrnoException) => {
        reject(err.code === 'ENOENT' ? new Error(INSTALL_HINT) : err);
      });
    });
    const port = await Promise.race([waitForPort(proc, () => output, 15_000), spawnError]);
    const url = `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`;
    // Over TLS the registry listens once it logs its port (a readiness GET would need its CA).
    if (options.tls === undefined) await waitReady(url, 15_000);
    const ts = tokenServer;
    return {
      url,
      host: `127.0.0.1:${port}`,
      ...(ts === undefined ? {} : { tokenUrl: ts.url, service }),
      users,
      tokenRequests: ts?.requests ?? [],
      setTokenClockOffset(seconds: number): void {
        if (ts !== undefined) ts.clockOffsetSeconds = seconds;
      },
      log: () => output,
      stop: cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
