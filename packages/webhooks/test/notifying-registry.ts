// Starts the real CNCF distribution registry (Debian `docker-registry`) on 127.0.0.1 with a
// notification endpoint, so its own deliveries exercise the receiver end to end. Never skips:
// a missing binary fails with an install hint.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface NotifyingRegistry {
  readonly url: string;
  stop(): Promise<void>;
}

export interface NotificationEndpoint {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

function config(dir: string, endpoint: NotificationEndpoint): string {
  const headers = Object.entries(endpoint.headers).map(
    ([k, v]) => `        ${k}: [${JSON.stringify(v)}]`,
  );
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
    'notifications:',
    '  endpoints:',
    '    - name: receiver',
    `      url: ${endpoint.url}`,
    '      headers:',
    ...headers,
    '      timeout: 2s',
    '      threshold: 3',
    '      backoff: 200ms',
    '',
  ].join('\n');
}

export async function startNotifyingRegistry(
  endpoint: NotificationEndpoint,
): Promise<NotifyingRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'webhooks-registry-'));
  const file = join(dir, 'config.yml');
  await writeFile(file, config(dir, endpoint));
  const child = spawn('docker-registry', ['serve', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const append = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new Error('docker-registry is not installed: run `apt-get install -y docker-registry`')
          : error,
      );
    });
  });
  const port = async (): Promise<number> => {
    for (let i = 0; i < 750; i++) {
      const match = /listening on 127\.0\.0\.1:(\d+)/.exec(output);
      if (match?.[1] !== undefined) return Number(match[1]);
      if (child.exitCode !== null) throw new Error(`docker-registry exited:\n${output}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`docker-registry did not start:\n${output}`);
  };
  try {
    const url = `http://127.0.0.1:${await Promise.race([port(), failed])}`;
    return { url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
