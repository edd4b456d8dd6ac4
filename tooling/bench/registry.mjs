// Minimal loopback start of the real CNCF distribution registry (`docker-registry serve`) with no
// auth, for the benchmarks. Plain .mjs because Node 20 cannot run tooling/registry/real-registry.ts
// (it has no --experimental-strip-types); this mirrors that file's 'none' mode.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Starts `docker-registry serve` on 127.0.0.1 with a free port and waits until `/v2/` answers.
 * @returns {Promise<{ url: string, host: string, pid: number, stop(): Promise<void> }>}
 */
export async function startRegistry() {
  const dir = await mkdtemp(join(tmpdir(), 'bench-registry-'));
  const config = [
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
    '',
  ].join('\n');
  const configFile = join(dir, 'config.yml');
  await writeFile(configFile, config);
  const child = spawn('docker-registry', ['serve', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (c) => {
    output = (output + c.toString('utf8')).slice(-20_000);
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(t);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const spawnError = new Promise((_, reject) => child.once('error', reject));
    const port = await Promise.race([
      (async () => {
        const deadline = Date.now() + 15_000;
        while (Date.now() < deadline) {
          const m = /listening on 127\.0\.0\.1:(\d+)/.exec(output);
          if (m) return Number(m[1]);
          if (child.exitCode !== null) throw new Error(`docker-registry exited:\n${output}`);
          await new Promise((r) => setTimeout(r, 20));
        }
        throw new Error(`docker-registry did not start:\n${output}`);
      })(),
      spawnError,
    ]);
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      try {
        const res = await fetch(`${url}/v2/`);
        await res.arrayBuffer();
        if (res.status === 200) break;
      } catch {
        if (i > 500) throw new Error(`registry at ${url} not ready`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    return { url, host: `127.0.0.1:${port}`, pid: child.pid, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
