import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockAgent } from 'undici';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DockerHubClient } from '../index.js';

const ORIGIN = 'http://127.0.0.1:5000';
const OCI = 'application/vnd.oci.image.manifest.v1+json';
const body = JSON.stringify({
  schemaVersion: 2,
  mediaType: OCI,
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'a'.repeat(64)}`, size: 2 },
  layers: [],
});
const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
const other = `sha256:${'b'.repeat(64)}`;
const empty = mkdtempSync(join(tmpdir(), 'svc-manifests-'));
let agent: MockAgent;
let client: DockerHubClient;

function make(cache = true): DockerHubClient {
  return new DockerHubClient({ dispatcher: agent, resilience: { maxRetries: 0 }, cache: { enabled: cache } }, { env: { DOCKER_CONFIG: empty } });
}

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  client = make();
});
afterEach(async () => {
  await client.close();
  agent.assertNoPendingInterceptors();
  await agent.close();
});
afterAll(() => {
  rmSync(empty, { recursive: true, force: true });
});

const pool = (): ReturnType<MockAgent['get']> => agent.get(ORIGIN);

describe('manifests against scripted answers', () => {
  it('rejects bytes that do not match Docker-Content-Digest or the digest asked for', async () => {
    pool().intercept({ path: '/v2/a/b/manifests/t', method: 'GET' }).reply(200, body, { headers: { 'content-type': OCI, 'docker-content-digest': other } });
    await expect(client.manifests.get('127.0.0.1:5000/a/b:t')).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    pool().intercept({ path: `/v2/a/b/manifests/${other}`, method: 'GET' }).reply(200, body, { headers: { 'content-type': OCI, 'docker-content-digest': other } });
    await expect(client.manifests.get(`127.0.0.1:5000/a/b@${other}`)).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
  });

  it('caches tag lookups (one request for two gets) unless the cache is off', async () => {
    pool().intercept({ path: '/v2/a/b/manifests/t', method: 'GET' }).reply(200, body, { headers: { 'content-type': OCI, 'docker-content-digest': digest } });
    expect((await client.manifests.get('127.0.0.1:5000/a/b:t')).digest).toBe(digest);
    expect((await client.manifests.get('127.0.0.1:5000/a/b:t')).digest).toBe(digest);
    expect((await client.manifests.get(`127.0.0.1:5000/a/b@${digest}`)).digest).toBe(digest);
    const uncached = make(false);
    try {
      pool().intercept({ path: '/v2/a/b/manifests/t', method: 'GET' }).reply(200, body, { headers: { 'content-type': OCI } }).times(2);
      expect((await uncached.manifests.get('127.0.0.1:5000/a/b:t')).digest).toBe(digest);
      expect((await uncached.manifests.get('127.0.0.1:5000/a/b:t')).digest).toBe(digest);
    } finally {
      await uncached.close();
    }
  });

  it('checks the digest the registry echoes on put, and the digest reference before sending', async () => {
    pool().intercept({ path: '/v2/a/b/manifests/t', method: 'PUT' }).reply(201, '', { headers: { 'docker-content-digest': other } });
    await expect(client.manifests.put('127.0.0.1:5000/a/b:t', Buffer.from(body))).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    await expect(client.manifests.put(`127.0.0.1:5000/a/b@${other}`, Buffer.from(body))).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
  });

  it('falls back to GET when HEAD lacks a digest, and maps errors', async () => {
    pool().intercept({ path: '/v2/a/b/manifests/t', method: 'HEAD' }).reply(200, '', { headers: { 'content-type': OCI } });
    pool().intercept({ path: '/v2/a/b/manifests/t', method: 'GET' }).reply(200, body, { headers: { 'content-type': OCI } });
    expect(await client.manifests.head('127.0.0.1:5000/a/b:t')).toEqual({ digest, size: body.length, mediaType: OCI });
    pool().intercept({ path: '/v2/a/b/manifests/u', method: 'HEAD' }).reply(400, '');
    pool().intercept({ path: '/v2/a/b/manifests/u', method: 'GET' }).reply(400, { errors: [{ code: 'NAME_INVALID', message: 'bad' }] });
    await expect(client.manifests.head('127.0.0.1:5000/a/b:u')).rejects.toMatchObject({ code: 'NAME_INVALID' });
    pool().intercept({ path: `/v2/a/b/manifests/${digest}`, method: 'DELETE' }).reply(405, { errors: [{ code: 'UNSUPPORTED', message: 'The operation is unsupported.' }] });
    await expect(client.manifests.delete(`127.0.0.1:5000/a/b@${digest}`)).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });
});
