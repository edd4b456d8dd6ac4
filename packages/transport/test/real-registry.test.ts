// Fault scenarios against the real CNCF distribution registry behind the loopback fault proxy:
// 503s, 429s and a mid-body reset on a blob download must end with identical bytes; a missing
// blob must fail with the registry's code.
import { createHash, randomBytes } from 'node:crypto';
import { NotFoundError } from '@llmdevops/docker-hub-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../../../tooling/fault-proxy/fault-proxy.js';
import { startRealRegistry, type RealRegistry } from '../../../tooling/registry/real-registry.js';
import { createTransport, errorFromResponse, requestResumable, type Transport } from '../src/index.js';
import { FakeClock } from './fake-clock.js';

const BLOB = randomBytes(1024 * 1024);
const DIGEST = `sha256:${createHash('sha256').update(BLOB).digest('hex')}`;
const REPO = 'transport/faults';

let registry: RealRegistry;
let proxy: FaultProxy;
let transport: Transport;
let clock: FakeClock;

async function upload(t: Transport, base: string, body: Uint8Array, digest: string): Promise<number> {
  const start = await t.request({ method: 'POST', url: new URL(`/v2/${REPO}/blobs/uploads/`, base), headers: {} });
  await start.dump();
  const location = new URL(start.header('location') ?? '', base);
  location.searchParams.set('digest', digest);
  const put = await t.request({
    method: 'PUT',
    url: location,
    headers: { 'content-type': 'application/octet-stream' },
    body,
  });
  await put.dump();
  return put.status;
}

beforeAll(async () => {
  registry = await startRealRegistry({ auth: 'none' });
  proxy = await startFaultProxy(registry.url);
  clock = new FakeClock();
  transport = createTransport({ clock });
  expect(await upload(transport, registry.url, BLOB, DIGEST)).toBe(201);
}, 60_000);

afterAll(async () => {
  await transport.close();
  await proxy.close();
  await registry.stop();
});

const blobUrl = (): URL => new URL(`/v2/${REPO}/blobs/${DIGEST}`, proxy.url);

describe('real registry behind the fault proxy', () => {
  it('503 twice, then the blob arrives intact', async () => {
    proxy.add({ match: { path: '/blobs/sha256' }, status: 503, times: 2 });
    const res = await transport.request({ method: 'GET', url: blobUrl(), headers: {} });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.bytes()).equals(BLOB)).toBe(true);
  });

  it('429 with Retry-After waits, then the blob arrives intact', async () => {
    const before = clock.sleeps.length;
    proxy.add({ match: { path: '/blobs/sha256' }, status: 429, retryAfter: '3' });
    const res = await transport.request({ method: 'GET', url: blobUrl(), headers: {} });
    expect(Buffer.from(await res.bytes()).equals(BLOB)).toBe(true);
    expect(clock.sleeps.slice(before)).toEqual([3000]);
  });

  it('a reset in the middle of the blob is resumed with Range: identical bytes', async () => {
    proxy.log.length = 0;
    proxy.add({ match: { path: '/blobs/sha256' }, resetAfterBytes: 300_000 });
    const resumes: number[] = [];
    const res = await requestResumable(transport, { method: 'GET', url: blobUrl(), headers: {} }, { onResume: (r) => resumes.push(r.offset) });
    const got = Buffer.from(await res.bytes());
    expect(got.length).toBe(BLOB.length);
    expect(createHash('sha256').update(got).digest('hex')).toBe(DIGEST.slice(7));
    expect(resumes).toHaveLength(1);
    expect(proxy.log.filter((l) => l.includes('/blobs/sha256'))).toHaveLength(2);
  });

  it('an upload retried after a 503 on PUT completes', async () => {
    const data = randomBytes(4096);
    const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    proxy.add({ match: { method: 'PUT' }, status: 503 });
    expect(await upload(transport, proxy.url, data, digest)).toBe(201);
    const back = await transport.request({ method: 'GET', url: new URL(`/v2/${REPO}/blobs/${digest}`, proxy.url), headers: {} });
    expect(Buffer.from(await back.bytes()).equals(data)).toBe(true);
  });

  it('a missing blob fails with NotFoundError and the registry code', async () => {
    const res = await transport.request({ method: 'GET', url: new URL(`/v2/${REPO}/blobs/sha256:${'0'.repeat(64)}`, proxy.url), headers: {} });
    const err = await errorFromResponse(res, 'GET blob');
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.code).toBe('BLOB_UNKNOWN');
  });
});
