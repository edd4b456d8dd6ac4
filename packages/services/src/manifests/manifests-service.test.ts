import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageReference, ValidationError } from '@llmdevops/docker-hub-core';
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

// manifests.put needs a tag or a digest: a text reference naming only the repository is a typed
// error (TAG_REQUIRED) instead of a silent push to :latest, unless { tag } is given.
const bodyBytes = Buffer.from(body);
let paths: string[] = [];

/** Accepts one PUT of the manifest at `path` and records it. */
function acceptPut(path: string): void {
  agent
    .get(ORIGIN)
    .intercept({ path, method: 'PUT' })
    .reply((req) => {
      paths.push(req.path);
      return { statusCode: 201, data: '', responseOptions: { headers: { 'docker-content-digest': digest } } };
    });
}

async function failure(call: Promise<unknown>): Promise<ValidationError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ValidationError);
  return err as ValidationError;
}

describe('manifests.put without a tag', () => {
  beforeEach(() => {
    paths = [];
  });

  it.each(['127.0.0.1:5000/a/b', 'localhost:5000/team/app', 'team/app'])(
    '%s (no tag, no digest) is TAG_REQUIRED, saying to pass { tag } or a digest, and sends nothing',
    async (reference) => {
      const err = await failure(client.manifests.put(reference, bodyBytes, { mediaType: OCI }));
      expect(err.code).toBe('TAG_REQUIRED');
      expect(err.input).toBe(reference);
      expect(err.message).toContain(`manifests.put("${reference}")`);
      expect(err.message).toContain("{ tag: 'v1' }");
      expect(err.message).toContain(`"${reference}@sha256:`);
      expect(paths).toEqual([]);
    },
  );

  it('the same reference with { tag } is pushed under that tag', async () => {
    acceptPut('/v2/a/b/manifests/v1');
    expect(await client.manifests.put('127.0.0.1:5000/a/b', bodyBytes, { mediaType: OCI, tag: 'v1' })).toBe(digest);
    expect(paths).toEqual(['/v2/a/b/manifests/v1']);
  });

  it('a reference that writes its tag, or a digest, is pushed as before', async () => {
    acceptPut('/v2/a/b/manifests/t');
    acceptPut(`/v2/a/b/manifests/${digest}`);
    acceptPut('/v2/a/b/manifests/latest');
    await client.manifests.put('127.0.0.1:5000/a/b:t', bodyBytes, { mediaType: OCI });
    await client.manifests.put(`127.0.0.1:5000/a/b@${digest}`, bodyBytes, { mediaType: OCI });
    // An ImageReference object always carries a tag or digest (parse fills in latest): accepted.
    await client.manifests.put(ImageReference.parse('127.0.0.1:5000/a/b'), bodyBytes, { mediaType: OCI });
    expect(paths).toEqual(['/v2/a/b/manifests/t', `/v2/a/b/manifests/${digest}`, '/v2/a/b/manifests/latest']);
  });

  it('a digest reference with { tag } is pushed under the tag once its digest is checked', async () => {
    acceptPut('/v2/a/b/manifests/v2');
    expect(await client.manifests.put(`127.0.0.1:5000/a/b@${digest}`, bodyBytes, { mediaType: OCI, tag: 'v2' })).toBe(digest);
    expect(paths).toEqual(['/v2/a/b/manifests/v2']);
    const wrong = `sha256:${'b'.repeat(64)}`;
    await expect(client.manifests.put(`127.0.0.1:5000/a/b@${wrong}`, bodyBytes, { mediaType: OCI, tag: 'v2' })).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
  });

  it('a reference naming another tag than { tag } is INVALID_ARGUMENT; the same tag twice is fine', async () => {
    const err = await failure(client.manifests.put('127.0.0.1:5000/a/b:t', bodyBytes, { mediaType: OCI, tag: 'u' }));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toContain('names tag "t"');
    const object = await failure(client.manifests.put(ImageReference.parse('127.0.0.1:5000/a/b:t'), bodyBytes, { tag: 'u' }));
    expect(object.code).toBe('INVALID_ARGUMENT');
    acceptPut('/v2/a/b/manifests/t');
    await client.manifests.put('127.0.0.1:5000/a/b:t', bodyBytes, { mediaType: OCI, tag: 't' });
    expect(paths).toEqual(['/v2/a/b/manifests/t']);
  });

  it('an invalid { tag } is INVALID_REFERENCE naming it', async () => {
    const err = await failure(client.manifests.put('127.0.0.1:5000/a/b', bodyBytes, { mediaType: OCI, tag: '-bad' }));
    expect(err.code).toBe('INVALID_REFERENCE');
    expect(err.message).toContain('-bad');
    expect(paths).toEqual([]);
  });
});
