// Forward proxies with a real tinyproxy in front of the real registry (token auth): the client
// honours HTTPS_PROXY / HTTP_PROXY from its environment by default, tunnels with CONNECT (so
// the proxy never sees registry credentials), goes direct for NO_PROXY hosts and with
// `proxy: false`, and never shows a proxy password.
import { createHash, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTinyproxy, type Tinyproxy } from '../../../tooling/proxy/tinyproxy.js';
import { startRealRegistry, type RealRegistry } from '../../../tooling/registry/real-registry.js';
import { DockerHubClient, type DockerHubConfigInput } from '../src/index.js';
import { dockerConfigDir } from './helpers.js';

let reg: RealRegistry;
let proxy: Tinyproxy;
let creds: { dir: string; remove(): void };
let digest: string;
const BLOB = randomBytes(3 * 1024 * 1024 + 17);
const sha256 = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

beforeAll(async () => {
  reg = await startRealRegistry({ auth: 'token' });
  proxy = await startTinyproxy();
  const alice = reg.users.find((u) => u.name !== 'reader');
  creds = dockerConfigDir(reg.host, alice?.name ?? '', alice?.password ?? '');
  const direct = new DockerHubClient({}, { env: { DOCKER_CONFIG: creds.dir } });
  digest = await direct.blobs.upload(`${reg.host}/proxy/blob`, BLOB);
  await direct.close();
});
afterAll(async () => {
  await proxy.stop();
  await reg.stop();
  creds.remove();
});

async function download(env: NodeJS.ProcessEnv, config: DockerHubConfigInput = {}): Promise<Buffer> {
  const client = new DockerHubClient(config, { env: { DOCKER_CONFIG: creds.dir, ...env } });
  try {
    const chunks: Buffer[] = [];
    for await (const c of client.blobs.get(`${reg.host}/proxy/blob`, digest)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  } finally {
    await client.close();
  }
}

describe('forward proxies', () => {
  it('HTTP_PROXY in the environment carries registry and token traffic through CONNECT tunnels', async () => {
    const before = proxy.connects().length;
    const bytes = await download({ HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url });
    expect(sha256(bytes)).toBe(digest);
    const tunnels = proxy.connects().slice(before);
    expect(tunnels).toContain(reg.host);
    // The token service is another loopback port: it went through the proxy too.
    expect(tunnels.some((t) => t !== reg.host)).toBe(true);
  });

  it('lower-case http_proxy works the same', async () => {
    const before = proxy.connects().length;
    expect(sha256(await download({ http_proxy: proxy.url }))).toBe(digest);
    expect(proxy.connects().slice(before)).toContain(reg.host);
  });

  it('NO_PROXY naming the host, and proxy: false, go direct', async () => {
    const before = proxy.connects().length;
    expect(sha256(await download({ HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' }))).toBe(digest);
    expect(sha256(await download({ HTTP_PROXY: proxy.url }, { proxy: false }))).toBe(digest);
    expect(proxy.connects().slice(before)).toEqual([]);
  });

  it('a configured proxy wins over the environment and its noProxy applies', async () => {
    const before = proxy.connects().length;
    expect(sha256(await download({ HTTP_PROXY: 'http://127.0.0.1:9' }, { proxy: { url: proxy.url } }))).toBe(digest);
    expect(proxy.connects().slice(before)).toContain(reg.host);
    const after = proxy.connects().length;
    expect(sha256(await download({}, { proxy: { url: proxy.url, noProxy: `localhost,${reg.host}` } }))).toBe(digest);
    // The registry's own host:port is exempt; only the token service still goes through it.
    expect(proxy.connects().slice(after)).not.toContain(reg.host);
  });

  it('never shows the proxy password: not in the configuration, its JSON, or a proxy failure', async () => {
    const client = new DockerHubClient({ proxy: { url: 'http://alice:pr0xy-s3cret@127.0.0.1:9' }, resilience: { maxRetries: 0 } }, { env: { DOCKER_CONFIG: creds.dir } });
    try {
      expect(inspect(client.config, { depth: 10 })).not.toContain('pr0xy-s3cret');
      expect(JSON.stringify(client.config)).not.toContain('pr0xy-s3cret');
      const err = await client.manifests.get(`${reg.host}/proxy/none:v1`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(`${String(err)} ${inspect(err, { depth: 10 })}`).not.toContain('pr0xy-s3cret');
    } finally {
      await client.close();
    }
  });
});
