// Corporate networks against the real registry (and docs/networks.md's example, docs/examples/networks-client.ts): HTTPS with a private CA and mutual TLS
// (http.tls + clientcas, PKI made by openssl per run) found through Docker's certs.d layout or
// the `tls` configuration; HTTPS first for a loopback registry; and pull mirrors with failover
// to the upstream (two real registries, one mirror down or answering 404), pushes to the upstream.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { fileURLToPath } from 'node:url';
import { NetworkError } from '@llmdevops/docker-hub-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issue, makeCa, type Issued } from '../../../tooling/registry/pki.js';
import { startRealRegistry, type RealRegistry } from '../../../tooling/registry/real-registry.js';
import { DockerHubClient, DockerHubConfig, type DockerHubConfigInput, type MirrorEvent } from '../src/index.js';
import { layoutBlobs, writeLayout } from './oci-fixture.js';

let work: string;
let serverCa: Issued;
let clientCa: Issued;
let client: Issued;
let secure: RealRegistry;
let plainHttp: RealRegistry;

/** A DOCKER_CONFIG directory whose certs.d holds the given files for the host. */
function dockerConfig(host: string, files: Readonly<Record<string, string>>): string {
  const dir = mkdtempSync(join(work, 'docker-config-'));
  const hostDir = join(dir, 'certs.d', host);
  mkdirSync(hostDir, { recursive: true });
  for (const [name, source] of Object.entries(files)) copyFileSync(source, join(hostDir, name));
  return dir;
}

async function withClient<T>(config: DockerHubConfigInput, env: NodeJS.ProcessEnv, fn: (c: DockerHubClient) => Promise<T>): Promise<T> {
  const c = new DockerHubClient({ resilience: { maxRetries: 1 }, ...config }, { env: { HOME: work, ...env } });
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'svc-networks-'));
  serverCa = makeCa(join(work, 'pki'), 'server-ca');
  clientCa = makeCa(join(work, 'pki'), 'client-ca');
  const server = issue(serverCa, join(work, 'pki'), 'registry', 'server');
  client = issue(clientCa, join(work, 'pki'), 'client', 'client');
  secure = await startRealRegistry({ auth: 'none', tls: { certificate: server.certFile, key: server.keyFile, clientCas: [clientCa.certFile] } });
  plainHttp = await startRealRegistry({ auth: 'none' });
});
afterAll(async () => {
  await secure.stop();
  await plainHttp.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('a registry with a private CA and mutual TLS', () => {
  it('push and pull through certs.d/HOST:PORT (ca.crt, client.cert, client.key), over HTTPS though the host is loopback', async () => {
    const dockerDir = dockerConfig(secure.host, { 'ca.crt': serverCa.certFile, 'client.cert': client.certFile, 'client.key': client.keyFile });
    const src = join(work, 'src');
    const top = writeLayout(src, 'v1', ['amd64']);
    // The registry speaks only TLS (it answers plain HTTP with 400), so success means HTTPS.
    expect(secure.url).toMatch(/^https:/);
    await withClient({}, { DOCKER_CONFIG: dockerDir }, async (c) => {
      expect((await c.images.push(src, `${secure.host}/team/app:v1`)).digest).toBe(top);
      const out = join(work, 'pulled');
      expect((await c.images.pull(`${secure.host}/team/app:v1`, out)).digest).toBe(top);
      expect(layoutBlobs(out)).toEqual(layoutBlobs(src));
    });
  });

  it('the tls configuration (PEM text) works the same, and the key is shown nowhere', async () => {
    const config = DockerHubConfig.parse({ tls: { [secure.host]: { ca: serverCa.cert, cert: client.cert, key: client.key } } });
    const keyBody = client.key.split('\n')[1] ?? 'missing';
    expect(inspect(config, { depth: 10 })).not.toContain(keyBody);
    expect(JSON.stringify(config)).not.toContain(keyBody);
    await withClient(config, {}, async (c) => {
      expect((await c.manifests.get(`${secure.host}/team/app:v1`)).digest).toMatch(/^sha256:/);
    });
  });

  it('without the client certificate the failure names it and says where it goes', async () => {
    const dockerDir = dockerConfig(secure.host, { 'ca.crt': serverCa.certFile });
    const err = await withClient({}, { DOCKER_CONFIG: dockerDir }, (c) => c.manifests.get(`${secure.host}/team/app:v1`)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as Error).message).toContain('the registry asked for a client certificate');
    expect((err as Error).message).toContain(`put client.cert and client.key in ${join(dockerDir, 'certs.d', secure.host)}`);
  });

  it('with a wrong CA the failure says unknown authority and where ca.crt goes', async () => {
    const dockerDir = dockerConfig(secure.host, { 'ca.crt': clientCa.certFile, 'client.cert': client.certFile, 'client.key': client.keyFile });
    const err = await withClient({}, { DOCKER_CONFIG: dockerDir }, (c) => c.manifests.get(`${secure.host}/team/app:v1`)).catch((e: unknown) => e);
    expect((err as Error).message).toContain('certificate signed by unknown authority');
    expect((err as Error).message).toContain(`add it as ca.crt in ${join(dockerDir, 'certs.d', secure.host)}`);
  });

  it('a loopback registry that does not speak TLS is still reached over plain HTTP', async () => {
    const src = join(work, 'src-plain');
    const top = writeLayout(src, 'v1', ['amd64']);
    await withClient({}, {}, async (c) => {
      expect((await c.images.push(src, `${plainHttp.host}/team/plain:v1`)).digest).toBe(top);
      expect((await c.manifests.get(`${plainHttp.host}/team/plain:v1`)).digest).toBe(top);
    });
  });
});

describe('pull mirrors', () => {
  let upstream: RealRegistry;
  let mirror: RealRegistry;
  let top: string;
  let src: string;

  beforeAll(async () => {
    upstream = await startRealRegistry({ auth: 'none' });
    mirror = await startRealRegistry({ auth: 'none' });
    src = join(work, 'src-hub');
    top = writeLayout(src, 'v1', ['amd64']);
    await withClient({ registryUrl: upstream.url }, {}, (c) => c.images.push(src, 'team/app:v1'));
  });
  afterAll(async () => {
    await upstream.stop();
    await mirror.stop();
  });

  async function pullWith(mirrors: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ digest: string; events: MirrorEvent[]; out: string }> {
    const out = mkdtempSync(join(work, 'pull-'));
    // The environment (DOCKER_REGISTRY_MIRRORS) under the test's settings.
    const config = DockerHubConfig.fromEnv(env, mirrors.length === 0 ? { registryUrl: upstream.url } : { registryUrl: upstream.url, mirrors: { 'docker.io': [...mirrors] } });
    return withClient(config, env, async (c) => {
      const events: MirrorEvent[] = [];
      c.events.on('mirror', (e) => events.push(e));
      const { digest } = await c.images.pull('team/app:v1', out);
      return { digest, events, out };
    });
  }

  it('a mirror answering 404: the pull comes from the upstream, and the event says so', async () => {
    const { digest, events, out } = await pullWith([mirror.url]);
    expect(digest).toBe(top);
    expect(layoutBlobs(out)).toEqual(layoutBlobs(src));
    const manifest = events.find((e) => e.path === 'manifests/v1');
    expect(manifest).toMatchObject({ type: 'served', registry: 'docker.io', repository: 'team/app', endpoint: upstream.url, mirror: false, skipped: [{ endpoint: mirror.url, reason: 'status 404' }] });
    expect(events.every((e) => !e.mirror)).toBe(true);
  });

  it('a mirror that is down (DOCKER_REGISTRY_MIRRORS): the pull comes from the upstream, and the event says why', async () => {
    const { digest, events } = await pullWith([], { DOCKER_REGISTRY_MIRRORS: `http://127.0.0.1:9, ${mirror.url}` });
    expect(digest).toBe(top);
    const manifest = events.find((e) => e.path === 'manifests/v1');
    expect(manifest?.mirror).toBe(false);
    expect(manifest?.skipped).toEqual([{ endpoint: 'http://127.0.0.1:9', reason: 'NETWORK' }, { endpoint: mirror.url, reason: 'status 404' }]);
  });

  it('a mirror holding the image serves it; pushes still go to the upstream only', async () => {
    await withClient({ registryUrl: mirror.url }, {}, (c) => c.images.push(src, 'team/app:v1'));
    const { digest, events } = await pullWith([mirror.url]);
    expect(digest).toBe(top);
    expect(events.length).toBeGreaterThan(1);
    expect(events.every((e) => e.mirror && e.endpoint === mirror.url && e.skipped.length === 0)).toBe(true);

    const v2 = join(work, 'src-v2');
    writeLayout(v2, 'v2', ['amd64']);
    await withClient({ registryUrl: upstream.url, mirrors: { 'docker.io': [mirror.url] } }, {}, (c) => c.images.push(v2, 'team/app:v2'));
    expect(await withClient({ registryUrl: upstream.url }, {}, (c) => c.tags.list('team/app'))).toContain('v2');
    expect(await withClient({ registryUrl: mirror.url }, {}, (c) => c.tags.list('team/app'))).not.toContain('v2');
  });

  it('docs/examples/networks-client.ts: a private-CA mTLS registry and a docker.io pull through the mirror', async () => {
    const { corporateClient } = (await import(fileURLToPath(new URL('../../../docs/examples/networks-client.ts', import.meta.url)))) as {
      corporateClient(
        s: { internal: string; caFile: string; certFile: string; keyFile: string; upstream: string; mirror: string },
        dir: string,
      ): Promise<{ internal: string; pulled: string; served: MirrorEvent[] }>;
    };
    const out = await corporateClient(
      { internal: secure.host, caFile: serverCa.certFile, certFile: client.certFile, keyFile: client.keyFile, upstream: upstream.url, mirror: mirror.url },
      mkdtempSync(join(work, 'example-')),
    );
    expect(out.internal).toMatch(/^sha256:/);
    expect(out.pulled).toBe(top);
    expect(out.served.length).toBeGreaterThan(0);
    expect(out.served.every((e) => e.mirror && e.endpoint === mirror.url)).toBe(true);
  });
});
