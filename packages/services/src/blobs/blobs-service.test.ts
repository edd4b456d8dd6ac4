import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ImageReference } from '@llmdevops/docker-hub-core';
import { createSimulator, type Simulator } from '@llmdevops/docker-hub-simulation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerHubClient } from '../index.js';

let sim: Simulator;
let client: DockerHubClient;
const empty = mkdtempSync(join(tmpdir(), 'svc-blobs-'));
const sha = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(() => {
  sim = createSimulator({ auth: 'none', profile: 'oci' });
  client = new DockerHubClient({ dispatcher: sim.dispatcher, upload: { chunkSizeMb: 1 / 16 } }, { env: { DOCKER_CONFIG: empty } });
});
afterAll(async () => {
  await client.close();
  await sim.close();
  rmSync(empty, { recursive: true, force: true });
});

describe('blobs (simulated registry)', () => {
  it('sends a small stream of unknown size in one PUT and a large one in chunks', async () => {
    const small = randomBytes(1000);
    expect(await client.blobs.upload('127.0.0.1:1/a/s', Readable.from([small.subarray(0, 10), small.subarray(10)]))).toBe(sha(small));
    const big = randomBytes(200_000);
    const progress: number[] = [];
    expect(await client.blobs.upload('127.0.0.1:1/a/s', Readable.from([big]), { onProgress: (p) => progress.push(p.bytesSent) })).toBe(sha(big));
    expect(progress).toEqual([65536, 131072, 196608, 200000]);
    await expect(client.blobs.upload('127.0.0.1:1/a/s', Readable.from([randomBytes(9)]), { digest: sha(small) })).resolves.toBe(sha(small));
    await expect(client.blobs.upload('127.0.0.1:1/a/s', randomBytes(100_000), { digest: `sha256:${'c'.repeat(64)}` })).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
  });

  it('fails a download whose size differs from the descriptor', async () => {
    const bytes = randomBytes(500);
    const d = await client.blobs.upload('127.0.0.1:1/a/z', bytes);
    expect((await drain(client.blobs.get('127.0.0.1:1/a/z', d, { size: 500 }))).equals(bytes)).toBe(true);
    await expect(drain(client.blobs.get('127.0.0.1:1/a/z', d, { size: 400 }))).rejects.toMatchObject({ code: 'SIZE_MISMATCH' });
    const abort = new AbortController();
    abort.abort();
    await expect(drain(client.blobs.get('127.0.0.1:1/a/z', d, { signal: abort.signal }))).rejects.toMatchObject({ code: 'ABORTED' });
    expect(() => client.blobs.get('127.0.0.1:1/a/z', 'sha256:nope')).toThrow(expect.objectContaining({ code: 'INVALID_DIGEST' }));
  });

  it('streams a blob from another registry when asked to mount across registries', async () => {
    const bytes = randomBytes(3000);
    const d = await client.blobs.upload('127.0.0.1:1/src/x', bytes);
    const from = ImageReference.parse('127.0.0.1:1/src/x');
    expect(await client.blobs.mount('127.0.0.2:1/dst/y', d, from)).toBe('uploaded');
    expect(await client.blobs.mount('127.0.0.2:1/dst/y', d, from)).toBe('exists');
    expect((await drain(client.blobs.get('127.0.0.2:1/dst/y', d))).equals(bytes)).toBe(true);
  });
});
