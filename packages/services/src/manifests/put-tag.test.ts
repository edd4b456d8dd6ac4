// manifests.put needs a tag or a digest: a text reference naming only the repository is a typed
// error (TAG_REQUIRED) instead of a silent push to :latest, unless { tag } is given.
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
const body = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'a'.repeat(64)}`, size: 2 },
    layers: [],
  }),
);
const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
const empty = mkdtempSync(join(tmpdir(), 'svc-put-tag-'));
let agent: MockAgent;
let client: DockerHubClient;
let paths: string[];

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  client = new DockerHubClient({ dispatcher: agent, resilience: { maxRetries: 0 } }, { env: { DOCKER_CONFIG: empty } });
  paths = [];
});
afterEach(async () => {
  await client.close();
  agent.assertNoPendingInterceptors();
  await agent.close();
});
afterAll(() => {
  rmSync(empty, { recursive: true, force: true });
});

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
  it.each(['127.0.0.1:5000/a/b', 'localhost:5000/team/app', 'team/app'])(
    '%s (no tag, no digest) is TAG_REQUIRED, saying to pass { tag } or a digest, and sends nothing',
    async (reference) => {
      const err = await failure(client.manifests.put(reference, body, { mediaType: OCI }));
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
    expect(await client.manifests.put('127.0.0.1:5000/a/b', body, { mediaType: OCI, tag: 'v1' })).toBe(digest);
    expect(paths).toEqual(['/v2/a/b/manifests/v1']);
  });

  it('a reference that writes its tag, or a digest, is pushed as before', async () => {
    acceptPut('/v2/a/b/manifests/t');
    acceptPut(`/v2/a/b/manifests/${digest}`);
    acceptPut('/v2/a/b/manifests/latest');
    await client.manifests.put('127.0.0.1:5000/a/b:t', body, { mediaType: OCI });
    await client.manifests.put(`127.0.0.1:5000/a/b@${digest}`, body, { mediaType: OCI });
    // An ImageReference object always carries a tag or digest (parse fills in latest): accepted.
    await client.manifests.put(ImageReference.parse('127.0.0.1:5000/a/b'), body, { mediaType: OCI });
    expect(paths).toEqual(['/v2/a/b/manifests/t', `/v2/a/b/manifests/${digest}`, '/v2/a/b/manifests/latest']);
  });

  it('a digest reference with { tag } is pushed under the tag once its digest is checked', async () => {
    acceptPut('/v2/a/b/manifests/v2');
    expect(await client.manifests.put(`127.0.0.1:5000/a/b@${digest}`, body, { mediaType: OCI, tag: 'v2' })).toBe(digest);
    expect(paths).toEqual(['/v2/a/b/manifests/v2']);
    const wrong = `sha256:${'b'.repeat(64)}`;
    await expect(client.manifests.put(`127.0.0.1:5000/a/b@${wrong}`, body, { mediaType: OCI, tag: 'v2' })).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
  });

  it('a reference naming another tag than { tag } is INVALID_ARGUMENT; the same tag twice is fine', async () => {
    const err = await failure(client.manifests.put('127.0.0.1:5000/a/b:t', body, { mediaType: OCI, tag: 'u' }));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toContain('names tag "t"');
    const object = await failure(client.manifests.put(ImageReference.parse('127.0.0.1:5000/a/b:t'), body, { tag: 'u' }));
    expect(object.code).toBe('INVALID_ARGUMENT');
    acceptPut('/v2/a/b/manifests/t');
    await client.manifests.put('127.0.0.1:5000/a/b:t', body, { mediaType: OCI, tag: 't' });
    expect(paths).toEqual(['/v2/a/b/manifests/t']);
  });

  it('an invalid { tag } is INVALID_REFERENCE naming it', async () => {
    const err = await failure(client.manifests.put('127.0.0.1:5000/a/b', body, { mediaType: OCI, tag: '-bad' }));
    expect(err.code).toBe('INVALID_REFERENCE');
    expect(err.message).toContain('-bad');
    expect(paths).toEqual([]);
  });
});
