// A fleet of `dhub` processes sharing one Docker Hub pull budget in a real Redis (redis-server
// started here on a free loopback port, no persistence) against `dhub serve --profile dockerhub
// --rate-limit N/SECONDS` (a rolling window, as Docker Hub's). A counting proxy in front of the
// simulator records every request it answers, so the test sees exactly what reached "Docker Hub".
import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../../tooling/redis/redis-server.js';
import { cleanEnv, runInProcess, writeTestLayout, type RunResult } from './helpers.js';

const WORKER = fileURLToPath(new URL('./fixtures/budget-worker.mjs', import.meta.url));
const CLI = fileURLToPath(new URL('..', import.meta.url));

/**
 * A private copy of the built program (`bin/dhub.js` and the `package.json` that makes its folder
 * CommonJS, with `dist/bin/`, the ES module build, which bundles its dependencies), checked by
 * running it: other suites rebuild `dist/` while this one runs for a minute of subprocesses.
 */
async function snapshotBin(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'dhub-bin-'));
  for (let attempt = 1; ; attempt++) {
    try {
      await rm(join(root, 'dist'), { recursive: true, force: true });
      await cp(join(CLI, 'dist', 'bin'), join(root, 'dist', 'bin'), { recursive: true });
      await cp(join(CLI, 'bin', 'dhub.js'), join(root, 'bin', 'dhub.js'));
      await cp(join(CLI, 'bin', 'package.json'), join(root, 'bin', 'package.json'));
      await cp(join(CLI, 'package.json'), join(root, 'package.json'));
      const check = await run(join(root, 'bin', 'dhub.js'), ['rate-limit', '--help'], { env: { PATH: process.env['PATH'] ?? '' } });
      if (check.code === 0) return join(root, 'bin', 'dhub.js');
    } catch (err) {
      if (attempt >= 30) throw err;
    }
    if (attempt >= 30) throw new Error('no complete build of dhub to copy');
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

/** Runs a `dhub` program to its end. */
function run(bin: string, argv: readonly string[], options: { env: NodeJS.ProcessEnv; cwd?: string }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...argv], { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      const stdoutBytes = Buffer.concat(out);
      resolve({ code: code ?? -1, stdout: stdoutBytes.toString('utf8'), stdoutBytes, stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** A `dhub serve` in the background, once it printed its URL. */
interface Served {
  readonly url: string;
  readonly host: string;
  stop(): Promise<void>;
}

function serve(bin: string, argv: readonly string[], env: NodeJS.ProcessEnv): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'serve', ...argv], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const exited = new Promise<void>((r) => {
      child.once('close', () => {
        r();
      });
    });
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const url = /listening (http:\/\/\S+)/.exec(out)?.[1];
      if (url === undefined) return;
      resolve({
        url,
        host: new URL(url).host,
        stop: async () => {
          child.kill('SIGINT');
          await exited;
        },
      });
    });
    void exited.then(() => {
      reject(new Error(`dhub serve exited before listening: ${err}`));
    });
  });
}

/** One request the simulator answered, as the proxy in front of it saw it. */
interface Seen {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** When the request reached the proxy (ms since the epoch). */
  readonly at: number;
}

/** A plain HTTP proxy (reverse) that forwards to `target` and records every answer. */
async function countingProxy(target: string): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const to = new URL(target);
  const server: Server = createServer((req, res) => {
    const at = Date.now();
    const upstream = request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers, host: to.host } },
      (up) => {
        seen.push({ method: req.method ?? '', path: req.url ?? '', status: up.statusCode ?? 0, at });
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.destroy();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

const isManifestGet = (s: Seen): boolean => s.method === 'GET' && s.path.includes('/manifests/');

/** The most manifest GETs any rolling window of `windowMs` saw (windows ending at each GET). */
function busiestWindow(seen: readonly Seen[], windowMs: number): number {
  const times = seen.filter(isManifestGet).map((s) => s.at);
  return Math.max(0, ...times.map((t) => times.filter((u) => u > t - windowMs && u <= t).length));
}

const TAGS = ['v0', 'v1', 'v2', 'v3'];

describe('a fleet of dhub processes sharing one Docker Hub pull budget in Redis', () => {
  let redis: RedisServer;
  let work: string;
  let baseEnv: NodeJS.ProcessEnv;
  const servers: Served[] = [];
  let bin: string;
  const runBin = (argv: readonly string[], options: { env: NodeJS.ProcessEnv; cwd?: string }): Promise<RunResult> => run(bin, argv, options);
  const proxies: { close: () => Promise<void> }[] = [];

  beforeAll(async () => {
    bin = await snapshotBin();
    redis = await startRedisServer();
    work = await mkdtemp(join(tmpdir(), 'dhub-fleet-'));
    baseEnv = await cleanEnv();
    await writeTestLayout(join(work, 'layout'), 'v0');
  });
  afterAll(async () => {
    for (const p of proxies) await p.close();
    for (const s of servers) await s.stop();
    await redis.dispose();
    await rm(work, { recursive: true, force: true });
    await rm(join(bin, '..', '..'), { recursive: true, force: true });
  });

  /** A fresh simulated Docker Hub (its own limiter) with `library/app:v0..v3`, behind a counting proxy. */
  async function hub(rateLimit: string, extra: readonly string[] = []): Promise<{ env: NodeJS.ProcessEnv; seen: Seen[] }> {
    const server = await serve(bin, ['--profile', 'dockerhub', '--auth', 'none', '--rate-limit', rateLimit, ...extra], baseEnv);
    servers.push(server);
    for (const tag of TAGS) {
      const pushed = await runInProcess(['push', join(work, 'layout'), `${server.host}/library/app:${tag}`], { env: baseEnv, cwd: work });
      expect(pushed.code).toBe(0);
    }
    const proxy = await countingProxy(server.url);
    proxies.push(proxy);
    // `library/app` is a docker.io reference: Docker Hub's registry is the proxy.
    return { env: { ...baseEnv, DOCKER_REGISTRY_URL: proxy.url }, seen: proxy.seen };
  }

  /** What one worker process reported: one line per pull. */
  interface Pulled {
    readonly ref: string;
    readonly ok: boolean;
    readonly error?: string;
  }

  /**
   * One worker process (`fixtures/budget-worker.mjs`): one client, its pulls one after another.
   * Other suites rebuild the packages' `dist/` while this one runs; a worker that could not even
   * load them (it sent nothing) is started again.
   */
  async function worker(refs: readonly string[], env: NodeJS.ProcessEnv, budget: object | undefined): Promise<Pulled[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await workerOnce(refs, env, budget);
      } catch (err) {
        if (attempt >= 20 || !String(err).includes('ERR_MODULE_NOT_FOUND')) throw err;
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  }

  function workerOnce(refs: readonly string[], env: NodeJS.ProcessEnv, budget: object | undefined): Promise<Pulled[]> {
    return new Promise((resolve, reject) => {
      const args = [WORKER, JSON.stringify(refs), ...(budget === undefined ? [] : [JSON.stringify(budget)])];
      const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
      child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
      child.on('error', reject);
      child.on('close', () => {
        const lines = out.split('\n').filter(Boolean);
        if (lines.length !== refs.length) reject(new Error(`worker printed ${String(lines.length)} of ${String(refs.length)} results: ${err}`));
        else resolve(lines.map((l) => JSON.parse(l) as Pulled));
      });
    });
  }

  /**
   * 8 worker processes, 60 pulls in all, in two groups standing for two machines: group A gets
   * the budget in its configuration, group B through DOCKER_HUB_BUDGET_URL with another spelling
   * of the same Redis. Every worker has its own client and Redis connection.
   */
  async function fleet(env: NodeJS.ProcessEnv, budget: { groupA: object | undefined; groupB: NodeJS.ProcessEnv }): Promise<Pulled[]> {
    const runs = Array.from({ length: 8 }, (_, w) => {
      const refs: string[] = [];
      for (let i = w; i < 60; i += 8) refs.push(`library/app:${TAGS[i % TAGS.length] ?? 'v0'}`);
      return w < 4 ? worker(refs, env, budget.groupA) : worker(refs, { ...env, ...budget.groupB }, undefined);
    });
    return (await Promise.all(runs)).flat();
  }

  it('dhub rate-limit --budget: the shared state as text; REF with --budget and a URL naming no store are refused', async () => {
    const text = await runInProcess(['rate-limit', '--budget', 'memory:'], { env: baseEnv });
    expect(text).toMatchObject({ code: 0, stdout: 'budget: memory\nno pulls recorded yet\n' });
    const both = await runInProcess(['rate-limit', 'library/app:v0', '--budget', 'memory:'], { env: baseEnv });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('REF and --budget do not go together');
    const bad = await runInProcess(['rate-limit', '--budget', 'http://127.0.0.1:6379'], { env: baseEnv });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--budget must be memory:, file:///PATH, redis://HOST:PORT/DB or rediss://HOST:PORT/DB (got http:)');
  });

  it('with the shared budget in wait mode: every pull completes, no 429, no rolling window over the limit', async () => {
    const { env, seen } = await hub('20/15');
    const results = await fleet(env, {
      groupA: { url: redis.url, onExhausted: 'wait', maxWaitSeconds: 60 },
      groupB: { DOCKER_HUB_BUDGET_URL: `redis://127.0.0.1:${String(redis.port)}` },
    });
    expect(results.filter((r) => !r.ok).map((r) => r.error)).toEqual([]);
    expect(results).toHaveLength(60);
    expect(seen.filter(isManifestGet)).toHaveLength(60);
    expect(seen.filter((s) => s.status === 429)).toHaveLength(0);
    expect(busiestWindow(seen, 15_000)).toBeLessThanOrEqual(20);
    // The shared state, as any machine sees it.
    const status = await runBin(['rate-limit', '--budget', redis.url, '--json'], { env });
    expect(status.code).toBe(0);
    const json = JSON.parse(status.stdout) as { store: string; keys: { key: string; limit: number; windowSeconds: number; inFlight: number; waiters: number }[] };
    expect(json.store).toBe(redis.url);
    expect(json.keys).toContainEqual(expect.objectContaining({ key: `${new URL(env['DOCKER_REGISTRY_URL'] ?? '').host}/anonymous`, limit: 20, windowSeconds: 15, inFlight: 0, waiters: 0 }));
  }, 180_000);

  it('the same fleet without the budget runs into the limit: the simulator answers 429s', async () => {
    const { env, seen } = await hub('20/15');
    const results = await fleet(env, { groupA: undefined, groupB: {} });
    expect(results).toHaveLength(60);
    expect(seen.filter((s) => s.status === 429).length).toBeGreaterThan(0);
  }, 120_000);

  it('a file budget shared by worker processes on one machine (lock file, atomic replace): no 429, no window over the limit', async () => {
    const { env, seen } = await hub('10/2');
    const budget = { url: pathToFileURL(join(work, 'budget', 'pulls.json')).href, maxWaitSeconds: 60 };
    const runs = Array.from({ length: 4 }, (_, w) =>
      worker(Array.from({ length: 8 }, (_, i) => `library/app:${TAGS[(w + i) % TAGS.length] ?? 'v0'}`), env, budget),
    );
    const results = (await Promise.all(runs)).flat();
    expect(results.filter((r) => !r.ok).map((r) => r.error)).toEqual([]);
    const gets = seen.filter(isManifestGet);
    // The answers in order, so a failure tells a refused pull from a request sent twice.
    const answers = gets.map((s) => `${String(s.status)}@${String(s.at - (gets[0]?.at ?? 0))}ms`).join(' ');
    expect(gets.filter((s) => s.status === 429), answers).toHaveLength(0);
    expect(busiestWindow(seen, 2_000), answers).toBeLessThanOrEqual(10);
    expect(gets, answers).toHaveLength(32);
  }, 120_000);

  it('fail mode: the pull that would exceed the budget fails before sending, with needed, remaining and reset', async () => {
    const { env, seen } = await hub('3/60');
    const config = join(work, 'fail.yaml');
    await writeFile(config, `docker_hub:\n  registry_url: \${DOCKER_REGISTRY_URL}\n  budget:\n    url: redis://127.0.0.1:${String(redis.port)}/2\n    on_exhausted: fail\n`);
    for (const tag of ['v0', 'v1', 'v2']) expect((await runBin(['manifest', `library/app:${tag}`, '--config', config], { env })).code).toBe(0);
    const refused = await runBin(['manifest', 'library/app:v3', '--config', config], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^TOOMANYREQUESTS: Docker Hub pull budget 127\.0\.0\.1:\d+\/anonymous \(redis:\/\/127\.0\.0\.1:\d+\/2\): no pull left: needed 1, remaining 0; nothing was sent; resets at \d{4}-\d\d-\d\dT[\d:.]+Z\n$/,
    );
    // Nothing was sent for the refused pull.
    expect(seen.filter(isManifestGet)).toHaveLength(3);
  }, 60_000);

  it('a worker killed with SIGKILL while holding a reservation: the budget recovers when the reservation expires', async () => {
    // The simulator holds the first manifest GET for 6 s, so the worker is killed mid-request.
    const { env } = await hub('20/60', ['--fault', 'method=GET,delay-ms=6000,path=/manifests/,times=1']);
    const url = `redis://127.0.0.1:${String(redis.port)}/3`;
    const config = join(work, 'kill.yaml');
    await writeFile(config, `docker_hub:\n  registry_url: \${DOCKER_REGISTRY_URL}\n  budget:\n    url: ${url}\n    on_exhausted: fail\n    reservation_seconds: 2\n`);
    const state = async (): Promise<{ inFlight: number }> => {
      const r = await runBin(['rate-limit', '--budget', url, '--json'], { env });
      const keys = (JSON.parse(r.stdout) as { keys: { inFlight: number }[] }).keys;
      return keys[0] ?? { inFlight: 0 };
    };
    const victim = spawn(process.execPath, [bin, 'manifest', 'library/app:v0', '--config', config], { env, stdio: 'ignore' });
    const exited = new Promise((r) => victim.once('exit', r));
    let held = 0;
    for (let i = 0; i < 20 && held === 0; i++) held = (await state()).inFlight;
    expect(held).toBe(1);
    victim.kill('SIGKILL');
    await exited;
    // The dead worker's reservation still counts: with the limit not yet known, nobody may pull.
    const blocked = await runBin(['manifest', 'library/app:v1', '--config', config], { env });
    expect(blocked.stderr).toMatch(/no pull left: needed 1, remaining 0/);
    // Within the reservation timeout (2 s) it expires and pulls go through again.
    let after = 1;
    for (let i = 0; i < 20 && after > 0; i++) after = (await state()).inFlight;
    expect(after).toBe(0);
    expect((await runBin(['manifest', 'library/app:v1', '--config', config], { env })).code).toBe(0);
  }, 60_000);

  it('Redis stopped mid-run: a clear error naming Redis and its address, or the local budget with a warning (fallback: local)', async () => {
    const own = await startRedisServer();
    try {
      const { env } = await hub('20/60');
      const lenient = join(work, 'fallback.yaml');
      await writeFile(lenient, `docker_hub:\n  registry_url: \${DOCKER_REGISTRY_URL}\n  budget:\n    url: ${own.url}\n    fallback: local\n`);
      expect((await runBin(['manifest', 'library/app:v0', '--budget', own.url], { env })).code).toBe(0);
      await own.stop();
      const started = Date.now();
      const failed = await runBin(['manifest', 'library/app:v1', '--budget', own.url], { env });
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain(`Redis at ${own.url} is unreachable (ECONNREFUSED); the shared pull budget cannot be used`);
      const fellBack = await runBin(['manifest', 'library/app:v1', '--config', lenient], { env });
      // No hang: both answers came within seconds.
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(fellBack.code).toBe(0);
      expect(fellBack.stderr).toContain(`Redis at ${own.url} is unreachable (ECONNREFUSED); the shared pull budget cannot be used; continuing with a budget of this process only (fallback: local)`);
    } finally {
      await own.dispose();
    }
  }, 60_000);
});
