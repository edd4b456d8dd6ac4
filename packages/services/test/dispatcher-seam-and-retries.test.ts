// Every byte through the Dispatcher seam, and one retry policy, against the real registry:
// an injected dispatcher sees every blob GET of a pull; undici's diagnostics channel sees the
// blob GETs of a default client; a 64 MiB download and upload complete through a proxy that
// cuts every transfer after 8 MiB, while transfers that never move a byte stop after maxRetries.
import { createHash, randomBytes } from 'node:crypto';
import diagnosticsChannel from 'node:diagnostics_channel';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Agent, Dispatcher } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NetworkError } from '@llmdevops/docker-hub-core';
import type { FaultProxy } from '../../../tooling/fault-proxy/fault-proxy.js';
import type { RealRegistry } from '../../../tooling/registry/real-registry.js';
import { DockerHubClient } from '../src/index.js';
import { realRegistryClient, startProxiedRegistry, type ProxiedRegistry } from './helpers.js';
import { layoutBlobs, writeLayout } from './oci-fixture.js';

const MiB = 1024 * 1024;
let env: ProxiedRegistry;
let reg: RealRegistry;
let proxy: FaultProxy;
let work: string;
const clients: DockerHubClient[] = [];

beforeAll(async () => {
  env = await startProxiedRegistry();
  ({ reg, proxy } = env);
  work = mkdtempSync(join(tmpdir(), 'svc-one-path-'));
});
afterEach(async () => {
  proxy.clear();
  proxy.log.splice(0, proxy.log.length);
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await env.close();
  rmSync(work, { recursive: true, force: true });
});

const sha256 = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const blobGets = (paths: readonly string[]): Set<string> =>
  new Set(paths.flatMap((p) => /\/blobs\/(sha256:[0-9a-f]{64})$/.exec(p)?.[1] ?? []));

/** Forwards to an undici Agent and records every request it is handed. */
class CountingDispatcher extends Dispatcher {
  readonly seen: string[] = [];
  readonly #inner = new Agent();

  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    this.seen.push(`${opts.method} ${opts.path}`);
    return this.#inner.dispatch(opts, handler);
  }

  override close(): Promise<void> {
    return this.#inner.close();
  }
}

/** A client through the proxy with the default resilience settings. */
function viaProxyDefaults(): DockerHubClient {
  const client = new DockerHubClient({}, { env: { DOCKER_CONFIG: env.dockerConfig } });
  clients.push(client);
  return client;
}

async function pushed(name: string): Promise<{ ref: string; blobs: Set<string> }> {
  const src = join(work, name);
  writeLayout(src, 'v1', ['amd64', 'arm64'], 300_000);
  const ref = `${reg.host}/one-path/${name}:v1`;
  await env.direct.images.push(src, ref);
  return { ref, blobs: new Set([...layoutBlobs(src).keys()].map((hex) => `sha256:${hex}`)) };
}

describe('every request goes through the Dispatcher seam', () => {
  it('an injected dispatcher sees every blob GET of a multi-platform pull', async () => {
    const { ref, blobs } = await pushed('injected');
    const counting = new CountingDispatcher();
    const client = realRegistryClient(reg, 'writer', { dispatcher: counting });
    clients.push(client);
    await client.images.pull(ref, join(work, 'pull-injected'), { allPlatforms: true });
    const fetched = blobGets(counting.seen.filter((s) => s.startsWith('GET ')).map((s) => s.slice(4)));
    // The layout also holds the manifests; every layer and config is a blob GET.
    const layersAndConfigs = [...blobs].filter((d) => fetched.has(d));
    expect(fetched.size).toBe(6);
    expect(layersAndConfigs).toHaveLength(6);
    await counting.close();
  });

  it("undici's request:create channel sees the blob GETs of a default client", async () => {
    const { ref, blobs } = await pushed('channel');
    const paths: string[] = [];
    const onCreate = (m: unknown): void => {
      const { request } = m as { request: { method: string; path: string } };
      if (request.method === 'GET') paths.push(request.path);
    };
    const client = realRegistryClient(reg, 'writer');
    clients.push(client);
    diagnosticsChannel.subscribe('undici:request:create', onCreate);
    try {
      await client.images.pull(ref, join(work, 'pull-channel'), { allPlatforms: true });
    } finally {
      diagnosticsChannel.unsubscribe('undici:request:create', onCreate);
    }
    const fetched = blobGets(paths);
    expect(fetched.size).toBe(6);
    expect([...fetched].every((d) => blobs.has(d))).toBe(true);
  });
});

describe('one retry policy for transfers', () => {
  it('a 64 MiB download completes through a proxy that cuts every response body after 8 MiB', async () => {
    const bytes = randomBytes(64 * MiB);
    const digest = await env.direct.blobs.upload(`${reg.host}/one-path/down`, bytes);
    proxy.add({ match: { method: 'GET', path: '/blobs/sha256:' }, resetAfterBytes: 8 * MiB, times: Infinity });
    const chunks: Buffer[] = [];
    for await (const c of viaProxyDefaults().blobs.get(`${proxy.host}/one-path/down`, digest)) chunks.push(c as Buffer);
    expect(sha256(Buffer.concat(chunks))).toBe(digest);
    // At least 8 bodies (a cut loses what was in flight), far more cuts than maxRetries (3): each
    // one followed progress, so none used up the budget.
    expect(proxy.log.filter((l) => l.startsWith('GET /v2/one-path/down/blobs/')).length).toBeGreaterThanOrEqual(8);
  });

  it('a 64 MiB upload completes through a proxy that cuts every request body after 8 MiB', async () => {
    const bytes = randomBytes(64 * MiB);
    const source = (): Readable => Readable.from((function* () {
      for (let o = 0; o < bytes.length; o += MiB) yield bytes.subarray(o, o + MiB);
    })());
    proxy.add({ match: { method: 'PATCH' }, resetAfterRequestBytes: 8 * MiB, times: Infinity });
    const digest = await viaProxyDefaults().blobs.upload(`${proxy.host}/one-path/up`, source, { size: bytes.length });
    expect(digest).toBe(sha256(bytes));
    expect(await env.direct.blobs.size(`${reg.host}/one-path/up`, digest)).toBe(bytes.length);
    // The streamed PATCH was cut; the rest went in PATCHes of the 5 MiB default chunk size.
    expect(proxy.log.filter((l) => l.startsWith('PATCH /v2/one-path/up/')).length).toBeGreaterThanOrEqual(14);
  });

  it('a download whose every attempt brings no bytes stops after maxRetries with NetworkError', async () => {
    const bytes = randomBytes(MiB);
    const digest = await env.direct.blobs.upload(`${reg.host}/one-path/nobytes`, bytes);
    proxy.add({ match: { method: 'GET', path: '/blobs/sha256:' }, resetAfterBytes: 0, times: Infinity });
    const client = viaProxyDefaults();
    const err = await (async () => {
      for await (const c of client.blobs.get(`${proxy.host}/one-path/nobytes`, digest)) expect(c).toBeDefined();
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect(proxy.log.filter((l) => l.startsWith('GET /v2/one-path/nobytes/blobs/')).length).toBe(client.config.resilience.maxRetries + 1);
  });

  it('an upload whose every PATCH is cut before a byte arrives stops after maxRetries with NetworkError', async () => {
    const bytes = randomBytes(12 * MiB);
    proxy.add({ match: { method: 'PATCH' }, resetAfterRequestBytes: 0, times: Infinity });
    const client = viaProxyDefaults();
    const err = await client.blobs.upload(`${proxy.host}/one-path/stuck`, () => Readable.from([bytes]), { size: bytes.length }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect(proxy.log.filter((l) => l.startsWith('PATCH /v2/one-path/stuck/')).length).toBe(client.config.resilience.maxRetries + 1);
  });
});
