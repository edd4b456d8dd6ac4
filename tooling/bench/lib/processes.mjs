// Child processes: `dhub` and `skopeo` timed from outside, the simulator as `dhub serve`, and
// tool versions for the results header.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { log, ms, now, sleep } from './measure.mjs';
import { DHUB, smoke } from './params.mjs';

export const run = promisify(execFile);

/**
 * Runs a command under /usr/bin/time -v (when present): wall time and peak RSS from outside.
 * Retries once, 30 s later, when a concurrent rebuild of a package's dist/ hid a module.
 */
export async function timed(cmd, args, env = {}) {
  try {
    return await timedOnce(cmd, args, env);
  } catch (err) {
    if (!String(err.message).includes('ERR_MODULE_NOT_FOUND')) throw err;
    log('  dist/ missing (a package is being rebuilt): retrying in 30 s');
    await sleep(30_000);
    return timedOnce(cmd, args, env);
  }
}

/** Peak RSS in kB from /proc while the child runs (when /usr/bin/time is missing). */
function pollPeakRss(pid) {
  const state = { peakKb: 0 };
  const timer = setInterval(() => {
    readFile(`/proc/${pid}/status`, 'utf8').then(
      (s) => (state.peakKb = Math.max(state.peakKb, Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0))),
      // the child has exited between two polls: its last reading stands
      () => undefined,
    );
  }, 20);
  return { state, stop: () => clearInterval(timer) };
}

async function timedOnce(cmd, args, env) {
  const useTime = await stat('/usr/bin/time').then(
    () => true,
    () => false,
  );
  const [c, a] = useTime ? ['/usr/bin/time', ['-v', cmd, ...args]] : [cmd, args];
  const t = now();
  const child = spawn(c, a, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err = (err + d).slice(-20_000)));
  const poll = useTime ? undefined : pollPeakRss(child.pid);
  // a stuck child (seen once with skopeo) must not hang the run: kill it and fail
  const limit = setTimeout(() => child.kill('SIGKILL'), smoke ? 50_000 : 300_000);
  const code = await new Promise((r) => child.once('exit', r));
  clearTimeout(limit);
  const wallMs = ms(now() - t);
  poll?.stop();
  const peakKb = useTime
    ? Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(err)?.[1] ?? 0)
    : poll.state.peakKb;
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${code}):\n${err}\n${out}`);
  // CPU seconds (user + system) of the child, when /usr/bin/time reports them
  const cpu = ['User', 'System'].map((k) => Number(new RegExp(`${k} time \\(seconds\\): ([\\d.]+)`).exec(err)?.[1] ?? NaN));
  const cpuMs = Math.round((cpu[0] + cpu[1]) * 1000);
  return { wallMs, peakRssMb: Math.round((peakKb / 1024) * 10) / 10, cpuMs: Number.isNaN(cpuMs) ? undefined : cpuMs, stdout: out };
}

/** `dhub ARGS` under `timed`. */
export const dhub = (...args) => timed('node', [DHUB, ...args]);

// A fresh HOME per skopeo run: its blob-info cache would otherwise remember where a digest was
// pushed before and mount it from there instead of uploading (making later pushes near free).
let skopeoHomes = 0;
/** skopeo reads the same credentials as dhub (the shared DOCKER_CONFIG's config.json). */
const authFile = () => join(process.env.DOCKER_CONFIG ?? '', 'config.json');

function skopeoEnv(parent) {
  const home = join(parent, `h${skopeoHomes++}`);
  mkdirSync(home, { recursive: true });
  return {
    HOME: home,
    XDG_RUNTIME_DIR: home,
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
  };
}

/**
 * `skopeo copy` under `timed`, with the shared credentials and a fresh HOME below `home`;
 * `tlsFlags` turns off TLS verification for the loopback side(s).
 */
export function skopeoCopy(home, tlsFlags, from, to) {
  return timed(
    'skopeo',
    ['copy', '--authfile', authFile(), '-q', ...tlsFlags, from, to],
    skopeoEnv(home),
  );
}

/**
 * `skopeo sync ARGS` under `timed`, with the shared credentials (for both sides) and a fresh HOME
 * below `home`.
 */
export function skopeoSync(home, args) {
  return timed('skopeo', ['sync', '--authfile', authFile(), ...args], skopeoEnv(home));
}

/** Starts `dhub serve` (in-memory simulator, no auth) on a free loopback port. */
export async function startSimulatorProcess() {
  const child = spawn(process.execPath, [DHUB, 'serve', '--port', '0', '--host', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolveUrl, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening (http:\/\/\S+)/.exec(out);
      if (m) resolveUrl(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`dhub serve exited with ${code}: ${out}`)));
  });
  child.stdout.resume();
  return {
    url,
    close: () =>
      new Promise((done) => {
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

/** First line of `cmd --version`, or `fallback` when it cannot run. */
export function toolVersion(cmd, fallback) {
  return run(cmd, ['--version']).then(
    (x) => x.stdout.trim().split('\n')[0],
    () => fallback,
  );
}
