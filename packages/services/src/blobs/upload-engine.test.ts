import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockAgent } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { DockerHubClient } from '../index.js';

const ORIGIN = 'http://127.0.0.1:5000';
const empty = mkdtempSync(join(tmpdir(), 'svc-engine-'));
afterAll(() => {
  rmSync(empty, { recursive: true, force: true });
});

describe('chunked uploads against scripted answers', () => {
  it('raises the chunk size to OCI-Chunk-Min-Length and follows each new Location', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    const pool = agent.get(ORIGIN);
    const bytes = randomBytes(150_000);
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const ranges: string[] = [];
    pool.intercept({ path: '/v2/a/b/blobs/uploads/', method: 'POST' }).reply(202, '', {
      headers: { location: '/v2/a/b/blobs/uploads/u1?_state=s0', 'oci-chunk-min-length': '100000' },
    });
    pool.intercept({ path: '/v2/a/b/blobs/uploads/u1?_state=s0', method: 'PATCH' }).reply((req) => {
      ranges.push(String((req.headers as Record<string, string>)['content-range']));
      return { statusCode: 202, data: '', responseOptions: { headers: { location: `${ORIGIN}/v2/a/b/blobs/uploads/u1?_state=s1`, range: '0-99999' } } };
    });
    pool.intercept({ path: '/v2/a/b/blobs/uploads/u1?_state=s1', method: 'PATCH' }).reply((req) => {
      ranges.push(String((req.headers as Record<string, string>)['content-range']));
      return { statusCode: 202, data: '', responseOptions: { headers: { location: '/v2/a/b/blobs/uploads/u1?_state=s2', range: '0-149999' } } };
    });
    pool.intercept({ path: `/v2/a/b/blobs/uploads/u1?_state=s2&digest=${encodeURIComponent(digest)}`, method: 'PUT' }).reply(201, '', {
      headers: { 'docker-content-digest': digest },
    });
    const client = new DockerHubClient({ dispatcher: agent, resilience: { maxRetries: 0 } }, { env: { DOCKER_CONFIG: empty } });
    try {
      expect(await client.blobs.uploadChunked('127.0.0.1:5000/a/b', bytes, { chunkSize: 1000 })).toBe(digest);
      expect(ranges).toEqual(['0-99999', '100000-149999']);
      agent.assertNoPendingInterceptors();
    } finally {
      await client.close();
      await agent.close();
    }
  });

  it('reports a registry offset beyond the bytes sent', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    const pool = agent.get(ORIGIN);
    pool.intercept({ path: '/v2/a/b/blobs/uploads/', method: 'POST' }).reply(202, '', { headers: { location: '/v2/a/b/blobs/uploads/u2?_state=s0' } });
    pool.intercept({ path: '/v2/a/b/blobs/uploads/u2?_state=s0', method: 'PATCH' }).reply(503, '{"errors":[{"code":"UNAVAILABLE","message":"busy"}]}');
    pool.intercept({ path: '/v2/a/b/blobs/uploads/u2?_state=s0', method: 'GET' }).reply(204, '', { headers: { range: '0-9999999', location: '/v2/a/b/blobs/uploads/u2?_state=s9' } });
    const client = new DockerHubClient({ dispatcher: agent, resilience: { maxRetries: 1 } }, { env: { DOCKER_CONFIG: empty } });
    try {
      await expect(client.blobs.uploadChunked('127.0.0.1:5000/a/b', randomBytes(2000), { chunkSize: 1000 })).rejects.toMatchObject({
        code: 'REGISTRY_ERROR',
        message: expect.stringContaining('more than the 1000 sent'),
      });
    } finally {
      await client.close();
      await agent.close();
    }
  });
});
