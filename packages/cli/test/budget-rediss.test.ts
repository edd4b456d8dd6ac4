// A pull budget in a Redis reached over TLS (rediss://): Debian's redis-server serving TLS only,
// with a CA made for the run; dhub trusts it through NODE_EXTRA_CA_CERTS.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issue, makeCa, type Issued } from '../../../tooling/registry/pki.js';
import { startRedisServer, type RedisServer } from '../../../tooling/redis/redis-server.js';
import { cleanEnv, runBin, startBackground, writeTestLayout, type Background } from './helpers.js';

let dir: string;
let ca: Issued;
let redis: RedisServer;
let hub: Background;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dhub-rediss-'));
  ca = makeCa(join(dir, 'pki'), 'budget-ca');
  const server = issue(ca, join(dir, 'pki'), 'redis', 'server');
  redis = await startRedisServer({ certFile: server.certFile, keyFile: server.keyFile, caFile: ca.certFile });
  const base = await cleanEnv();
  hub = await startBackground(['serve', '--port', '0', '--profile', 'dockerhub', '--auth', 'none'], base);
  env = { ...base, DOCKER_REGISTRY_URL: hub.url };
  await writeTestLayout(join(dir, 'layout'), 'v1');
  const pushed = await runBin(['push', '-q', join(dir, 'layout'), 'library/app:v1'], { env });
  if (pushed.code !== 0) throw new Error(`push failed: ${pushed.stderr}`);
}, 60_000);
afterAll(async () => {
  await hub.stop();
  await redis.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('a pull budget on rediss://', () => {
  it('pulls through a TLS Redis the process trusts, and the shared state shows the account', async () => {
    const trusted = { ...env, NODE_EXTRA_CA_CERTS: ca.certFile };
    expect(redis.url.startsWith('rediss://')).toBe(true);
    const pulled = await runBin(['manifest', 'library/app:v1', '--budget', redis.url], { env: trusted });
    expect(pulled.stderr).toBe('');
    expect(pulled.code).toBe(0);
    const status = await runBin(['rate-limit', '--budget', redis.url, '--json'], { env: trusted });
    expect(status.code).toBe(0);
    const json = JSON.parse(status.stdout) as { store: string; keys: { key: string }[] };
    expect(json.store).toBe(redis.url);
    expect(json.keys.map((k) => k.key)).toContain(`${new URL(hub.url).host}/anonymous`);
  }, 60_000);

  it('refuses a Redis whose certificate it does not trust, naming Redis and its address', async () => {
    const refused = await runBin(['manifest', 'library/app:v1', '--budget', redis.url], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Redis');
    expect(refused.stderr).toContain(`rediss://127.0.0.1:${String(redis.port)}/0`);
  }, 60_000);
});
