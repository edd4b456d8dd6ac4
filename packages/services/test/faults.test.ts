// Faults between our client and the real registry: a loopback proxy injects 429 with
// Retry-After, 503s, connection resets in the middle of blob bodies and corrupted bytes.
// Pulls finish with identical bytes, or (corruption) fail with DigestMismatchError and leave
// only verified blobs; chunked uploads resume from the offset the registry reports.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FaultProxy } from '../../../tooling/fault-proxy/fault-proxy.js';
import type { RealRegistry } from '../../../tooling/registry/real-registry.js';
import type { DockerHubClient, UploadSession } from '../src/index.js';
import { startProxiedRegistry, type ProxiedRegistry } from './helpers.js';
import { DockerHubClient as Client } from '../src/index.js';
import { layoutBlobs, listFiles, writeLayout } from './oci-fixture.js';

let reg: RealRegistry;
let proxy: FaultProxy;
let direct: DockerHubClient;
let viaProxy: DockerHubClient;
let work: string;
let env: ProxiedRegistry;
let top: string;
const src = (): string => join(work, 'src');

beforeAll(async () => {
  env = await startProxiedRegistry();
  ({ reg, proxy, direct, viaProxy } = env);
  work = mkdtempSync(join(tmpdir(), 'svc-faults-'));
  top = writeLayout(src(), 'v1', ['amd64', 'arm64'], 200_000);
  await direct.images.push(src(), `${reg.host}/faults/img:v1`);
});
afterEach(() => { proxy.clear(); });
afterAll(async () => {
  await env.close();
  rmSync(work, { recursive: true, force: true });
});

const blobRoute = /\/v2\/faults\/img\/blobs\/sha256:/;

describe('pulls through a faulty proxy', () => {
  it('finish with identical bytes despite 429 Retry-After, 503s and resets mid-body', async () => {
    proxy.add(
      { match: { method: 'GET', path: '/manifests/v1' }, status: 503, times: 2 },
      { match: { method: 'GET', path: blobRoute }, status: 429, retryAfter: '1', times: 1 },
      { match: { method: 'GET', path: blobRoute }, resetAfterBytes: 10_000, times: 3 },
    );
    const dest = join(work, 'ok');
    const pulled = await viaProxy.images.pull(`${proxy.host}/faults/img:v1`, dest, { allPlatforms: true });
    expect(pulled.digest).toBe(top);
    expect(layoutBlobs(dest)).toEqual(layoutBlobs(src()));
    const log = proxy.log.join('\n');
    expect(log).toMatch(/GET \/v2\/faults\/img\/manifests\/v1/);
    expect(listFiles(dest).some((f) => f.includes('.tmp-'))).toBe(false);
  });

  it('fail with DigestMismatchError for corrupted bytes, leaving only verified blobs and no index.json', async () => {
    proxy.add({ match: { method: 'GET', path: blobRoute }, corruptAtByte: 100, times: 1 });
    const dest = join(work, 'corrupt');
    await expect(viaProxy.images.pull(`${proxy.host}/faults/img:v1`, dest, { allPlatforms: true })).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    // Blobs that finished before the failure stay (a re-run resumes); each is the source's bytes.
    const source = layoutBlobs(src());
    for (const f of listFiles(dest)) {
      expect(f).toMatch(/^blobs\/sha256\/[0-9a-f]{64}$/);
      expect(source.get(f.slice('blobs/sha256/'.length))).toBeDefined();
    }
    expect(existsSync(join(dest, 'index.json'))).toBe(false);
    expect(listFiles(dest).length).toBeLessThan(source.size);
  });

  it('give up with TOOMANYREQUESTS when 429s outlast the retries', async () => {
    proxy.add({ match: { method: 'GET', path: '/faults/img/manifests/v1' }, status: 429, retryAfter: '0', times: 10 });
    // A fresh client without the manifest cache, so the request really goes out.
    const fresh = new Client({ resilience: { maxRetries: 2 }, cache: { enabled: false } }, { env: { DOCKER_CONFIG: env.dockerConfig } });
    try {
      await expect(fresh.manifests.get(`${proxy.host}/faults/img:v1`)).rejects.toMatchObject({ code: 'TOOMANYREQUESTS', status: 429 });
    } finally {
      await fresh.close();
    }
  });

  it('stop at once when the caller aborts, with AbortedError, keeping only the blob that finished', async () => {
    const abort = new AbortController();
    const dest = join(work, 'aborted');
    const done: string[] = [];
    await expect(
      viaProxy.images.pull(`${proxy.host}/faults/img:v1`, dest, { allPlatforms: true, signal: abort.signal, concurrency: 1, onBlob: (b) => { done.push(b.digest); abort.abort(); } }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    expect(listFiles(dest)).toEqual(done.map((d) => `blobs/sha256/${d.slice(7)}`));
  });

  it('keep an existing layout untouched when a pull into it fails', async () => {
    const dest = join(work, 'existing');
    await viaProxy.images.pull(`${proxy.host}/faults/img:v1`, dest, { platform: 'linux/amd64' });
    const before = listFiles(dest);
    proxy.add({ match: { method: 'GET', path: blobRoute }, corruptAtByte: 10, times: 20 });
    await expect(viaProxy.images.pull(`${proxy.host}/faults/img:v1`, dest, { platform: 'linux/arm64', refName: 'arm' })).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
    });
    expect(listFiles(dest)).toEqual(before);
  });

  it('streams a single blob through a reset with Range and verifies it', async () => {
    const bytes = randomBytes(300_000);
    const digest = await direct.blobs.upload(`${reg.host}/faults/blob`, bytes);
    proxy.add({ match: { method: 'GET', path: '/faults/blob/blobs/' }, resetAfterBytes: 50_000, times: 2 });
    const chunks: Buffer[] = [];
    for await (const c of viaProxy.blobs.get(`${proxy.host}/faults/blob`, digest)) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
    expect(proxy.log.filter((l) => l.startsWith('GET /v2/faults/blob/blobs/')).length).toBe(3);
  });
});

describe('uploads through a faulty proxy', () => {
  it('start over when a saved session is stale (distribution answers BLOB_UPLOAD_INVALID) and the source can be reopened', async () => {
    const bytes = randomBytes(256 * 1024);
    const abort = new AbortController();
    const sessions: UploadSession[] = [];
    await expect(
      direct.blobs.uploadChunked(`${reg.host}/faults/stale`, bytes, {
        chunkSize: 64 * 1024,
        signal: abort.signal,
        onSession: (s) => {
          sessions.push(s);
          if (sessions.length === 3) abort.abort();
        },
      }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    const stale = sessions[0];
    expect(stale?.offset).toBe(64 * 1024);
    if (stale === undefined) return;
    const sent: number[] = [];
    const digest = await direct.blobs.uploadChunked(`${reg.host}/faults/stale`, () => Readable.from([bytes]), {
      chunkSize: 64 * 1024,
      resume: stale,
      onProgress: (p) => sent.push(p.bytesSent),
    });
    expect(await direct.blobs.size(`${reg.host}/faults/stale`, digest)).toBe(bytes.length);
    // Restarted from the beginning in a new session.
    expect(sent).toEqual([65536, 131072, 196608, 262144]);
    // A one-shot stream cannot be restarted: the stale session's error is reported.
    await expect(direct.blobs.uploadChunked(`${reg.host}/faults/stale`, Readable.from([bytes]), { chunkSize: 64 * 1024, resume: stale })).rejects.toMatchObject({
      code: expect.stringMatching(/^BLOB_UPLOAD_(INVALID|UNKNOWN)$/),
    });
  });

  it('push an image through 503s and 429s on upload starts, then pull it through a reset manifest body', async () => {
    const layout = join(work, 'push-src');
    const digest = writeLayout(layout, 'p1', ['amd64', 'arm64']);
    proxy.add(
      { match: { method: 'POST', path: '/blobs/uploads/' }, status: 503, times: 2 },
      { match: { method: 'POST', path: '/blobs/uploads/' }, status: 429, retryAfter: '0', times: 1 },
      { match: { method: 'PUT', path: '/manifests/' }, status: 503, times: 1 },
    );
    const pushed = await viaProxy.images.push(layout, `${proxy.host}/faults/pushed:p1`);
    expect(pushed.digest).toBe(digest);
    proxy.add({ match: { method: 'GET', path: '/faults/pushed/manifests/p1' }, resetAfterBytes: 40, times: 1 });
    const dest = join(work, 'pushed-pulled');
    expect((await viaProxy.images.pull(`${proxy.host}/faults/pushed:p1`, dest, { allPlatforms: true })).digest).toBe(digest);
    expect(layoutBlobs(dest)).toEqual(layoutBlobs(layout));
    expect(proxy.log.filter((l) => l.startsWith('GET /v2/faults/pushed/manifests/p1'))).toHaveLength(2);
  });

  it('resume a chunked upload from the registry offset after failed chunks', async () => {
    const bytes = randomBytes(256 * 1024);
    proxy.add({ match: { method: 'PATCH' }, status: 503, times: 1 });
    let patches = 0;
    const digest = await viaProxy.blobs.uploadChunked(`${proxy.host}/faults/up`, bytes, {
      chunkSize: 64 * 1024,
      onProgress: () => patches++,
    });
    expect(await direct.blobs.exists(`${reg.host}/faults/up`, digest)).toBe(true);
    expect(patches).toBe(4);
    const log = proxy.log;
    // After the refused PATCH the client asked the registry where the upload stood.
    const failed = log.findIndex((l) => l.startsWith('PATCH /v2/faults/up/'));
    expect(log[failed + 1]).toMatch(/^GET \/v2\/faults\/up\/blobs\/uploads\//);
    expect(log.filter((l) => l.startsWith('PATCH /v2/faults/up/'))).toHaveLength(5);
  });

  it('wait out a 429 on a chunk, then continue from the registry offset', async () => {
    const bytes = randomBytes(128 * 1024);
    proxy.add({ match: { method: 'PATCH' }, status: 429, retryAfter: '1', times: 1 });
    const digest = await viaProxy.blobs.uploadChunked(`${proxy.host}/faults/up429`, bytes, { chunkSize: 64 * 1024 });
    expect(await direct.blobs.size(`${reg.host}/faults/up429`, digest)).toBe(bytes.length);
    expect(proxy.log.filter((l) => l.startsWith('PATCH /v2/faults/up429/'))).toHaveLength(3);
  });
});
