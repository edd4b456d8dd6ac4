// Streamed uploads (one PATCH for the whole blob, as docker and skopeo send them) against the
// real registry, directly and through the fault proxy: a connection cut in the middle of the
// upload body, a refused PATCH, a one-shot stream, a wrong digest and a failing source.
import { createHash, randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FaultProxy } from '../../../tooling/fault-proxy/fault-proxy.js';
import type { RealRegistry } from '../../../tooling/registry/real-registry.js';
import type { DockerHubClient } from '../src/index.js';
import { startProxiedRegistry, type ProxiedRegistry } from './helpers.js';

const MiB = 1024 * 1024;
let env: ProxiedRegistry;
let reg: RealRegistry;
let proxy: FaultProxy;
let direct: DockerHubClient;
let viaProxy: DockerHubClient;

beforeAll(async () => {
  env = await startProxiedRegistry();
  ({ reg, proxy, direct, viaProxy } = env);
});
afterEach(() => {
  proxy.clear();
  proxy.log.splice(0, proxy.log.length);
});
afterAll(async () => {
  await env.close();
});

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
/** A source that can be opened again, yielding the bytes in 64 KiB pieces like a file stream. */
const reopenable = (bytes: Buffer) => (): Readable => Readable.from(pieces(bytes));
function* pieces(bytes: Buffer): Generator<Buffer> {
  for (let o = 0; o < bytes.length; o += 64 * 1024) yield bytes.subarray(o, o + 64 * 1024);
}
async function download(client: DockerHubClient, repo: string, digest: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of client.blobs.get(repo, digest)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
const requests = (method: string, repo: string): string[] => proxy.log.filter((l) => l.startsWith(`${method} /v2/${repo}/blobs/uploads/`));

describe('streamed uploads', () => {
  it('send a reopenable source larger than a chunk in one PATCH, committed under its digest', async () => {
    const bytes = randomBytes(3 * MiB + 123);
    const progress: number[] = [];
    const digest = await viaProxy.blobs.upload(`${proxy.host}/stream/one`, reopenable(bytes), {
      chunkSize: MiB,
      onProgress: (p) => progress.push(p.bytesSent),
    });
    expect(digest).toBe(sha256(bytes));
    expect(requests('PATCH', 'stream/one')).toHaveLength(1);
    expect((await download(direct, `${reg.host}/stream/one`, digest)).equals(bytes)).toBe(true);
    expect(progress.at(-1)).toBe(bytes.length);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('send a buffer larger than a chunk in one PATCH with its length', async () => {
    const bytes = randomBytes(2 * MiB);
    const digest = await viaProxy.blobs.upload(`${proxy.host}/stream/buf`, bytes, { chunkSize: MiB });
    expect(digest).toBe(sha256(bytes));
    expect(requests('PATCH', 'stream/buf')).toHaveLength(1);
    expect(await direct.blobs.size(`${reg.host}/stream/buf`, digest)).toBe(bytes.length);
  });

  it('finish with identical bytes after the connection drops in the middle of the upload body', async () => {
    const bytes = randomBytes(4 * MiB);
    proxy.add({ match: { method: 'PATCH' }, resetAfterRequestBytes: 1536 * 1024, times: 1 });
    const digest = await viaProxy.blobs.upload(`${proxy.host}/stream/cut`, reopenable(bytes), { chunkSize: MiB, size: bytes.length });
    expect(digest).toBe(sha256(bytes));
    expect((await download(direct, `${reg.host}/stream/cut`, digest)).equals(bytes)).toBe(true);
    // The cut PATCH, then the client asked where the upload stood (or opened a new session when
    // the registry refused the broken one), then sent the rest.
    const log = proxy.log.filter((l) => l.includes('/v2/stream/cut/'));
    const cut = log.findIndex((l) => l.startsWith('PATCH '));
    expect(log[cut + 1]).toMatch(/^(GET|POST) \/v2\/stream\/cut\/blobs\/uploads\//);
    expect(requests('PATCH', 'stream/cut').length).toBeGreaterThanOrEqual(2);
  });

  it('continue from the registry offset in chunks after a refused streamed PATCH', async () => {
    const bytes = randomBytes(2 * MiB);
    proxy.add({ match: { method: 'PATCH' }, status: 503, times: 1 });
    const digest = await viaProxy.blobs.upload(`${proxy.host}/stream/503`, reopenable(bytes), { chunkSize: MiB });
    expect(await direct.blobs.size(`${reg.host}/stream/503`, digest)).toBe(bytes.length);
    const log = proxy.log.filter((l) => l.includes('/v2/stream/503/'));
    const refused = log.findIndex((l) => l.startsWith('PATCH '));
    expect(log[refused + 1]).toMatch(/^GET \/v2\/stream\/503\/blobs\/uploads\//);
    // The refused streamed PATCH, then the 2 MiB in two PATCHes of the 1 MiB chunk size.
    expect(requests('PATCH', 'stream/503')).toHaveLength(3);
  });

  it('send a one-shot stream in chunks, which can be sent again from memory', async () => {
    const bytes = randomBytes(3 * MiB);
    const digest = await viaProxy.blobs.upload(`${proxy.host}/stream/once`, Readable.from(pieces(bytes)), { chunkSize: MiB });
    expect(digest).toBe(sha256(bytes));
    expect(requests('PATCH', 'stream/once')).toHaveLength(3);
  });

  it("fail with the network error when a one-shot stream is forced to 'stream' and the connection drops", async () => {
    const bytes = randomBytes(2 * MiB);
    proxy.add({ match: { method: 'PATCH' }, resetAfterRequestBytes: 512 * 1024, times: 1 });
    await expect(
      viaProxy.blobs.upload(`${proxy.host}/stream/lost`, Readable.from(pieces(bytes)), { chunkSize: MiB, strategy: 'stream' }),
    ).rejects.toMatchObject({ code: 'NETWORK' });
    expect(await direct.blobs.exists(`${reg.host}/stream/lost`, sha256(bytes))).toBe(false);
  });

  it('refuse to commit bytes that do not match the digest given', async () => {
    const bytes = randomBytes(2 * MiB);
    const claimed = sha256(randomBytes(16));
    await expect(viaProxy.blobs.upload(`${proxy.host}/stream/bad`, reopenable(bytes), { chunkSize: MiB, digest: claimed })).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
    });
    expect(await direct.blobs.exists(`${reg.host}/stream/bad`, sha256(bytes))).toBe(false);
    expect(await direct.blobs.exists(`${reg.host}/stream/bad`, claimed)).toBe(false);
  });

  it('report a source that fails before it is read, without an uncaught stream error', async () => {
    // As a cross-registry mount's GET answering 404 while the PATCH is still being authorized.
    const early = (): Readable => {
      const r = new PassThrough();
      process.nextTick(() => r.destroy(Object.assign(new Error('blob unknown upstream'), { code: 'BLOB_UNKNOWN' })));
      return r;
    };
    await expect(viaProxy.blobs.upload(`${proxy.host}/stream/early`, early, { chunkSize: MiB, size: 2 * MiB, strategy: 'stream' })).rejects.toThrow(
      'blob unknown upstream',
    );
    await expect(viaProxy.blobs.upload(`${proxy.host}/stream/early`, early, { chunkSize: MiB, size: 2 * MiB, strategy: 'chunked' })).rejects.toThrow(
      'blob unknown upstream',
    );
  });

  it("report the source's own error when the source fails in the middle", async () => {
    const failing = (): Readable =>
      Readable.from(
        (async function* () {
          yield randomBytes(MiB);
          yield randomBytes(MiB);
          throw new Error('disk went away');
        })(),
      );
    await expect(viaProxy.blobs.upload(`${proxy.host}/stream/src`, failing, { chunkSize: MiB, strategy: 'stream' })).rejects.toThrow('disk went away');
  });
});
