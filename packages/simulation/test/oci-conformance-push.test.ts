// A conformance suite of our own, written from the MUST/SHOULD statements of the OCI distribution
// specification v1.1 (pull, push, content discovery, content management), run against the `oci`
// profile in-process (undici Dispatcher) and over loopback (node:http), with the same file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCEPT_ALL,
  type Backend,
  OCI_INDEX,
  OCI_MANIFEST,
  pushBlob,
  pushImage,
  sha256,
  startBackend,
} from './helpers.js';

describe.each(['in-process', 'loopback'] as const)('OCI conformance: push (%s)', (kind) => {
  let b: Backend;
  beforeAll(async () => {
    b = await startBackend(kind, { profile: 'oci' });
  });
  afterAll(async () => {
    await b.close();
  });
  const c = () => b.client;

  describe('push', () => {
    it('POST then PUT: 202 with Location, then 201 with Location and digest', async () => {
      const start = await c().call('POST', '/v2/push/a/blobs/uploads/');
      expect(start.status).toBe(202);
      expect(start.headers['location']).toBeTruthy();
      const bytes = 'monolithic';
      const loc = new URL(start.headers['location']!, c().base);
      loc.searchParams.set('digest', sha256(bytes));
      const put = await c().call('PUT', loc.toString(), {
        body: bytes,
        headers: { 'content-type': 'application/octet-stream' },
      });
      expect(put.status).toBe(201);
      expect(put.headers['location']).toContain(`/v2/push/a/blobs/${sha256(bytes)}`);
      expect(put.headers['docker-content-digest']).toBe(sha256(bytes));
    });
    it('single POST with ?digest= answers 201', async () => {
      const bytes = 'single-post';
      const res = await c().call('POST', `/v2/push/a/blobs/uploads/?digest=${sha256(bytes)}`, {
        body: bytes,
        headers: { 'content-type': 'application/octet-stream' },
      });
      expect(res.status).toBe(201);
      expect((await c().call('HEAD', `/v2/push/a/blobs/${sha256(bytes)}`)).status).toBe(200);
    });
    it('chunked upload: PATCH ranges, status, out-of-order 416, final PUT', async () => {
      const start = await c().call('POST', '/v2/push/chunk/blobs/uploads/', {
        headers: { 'content-length': '0' },
      });
      let loc = start.headers['location']!;
      const p1 = await c().call('PATCH', loc, {
        body: 'abcde',
        headers: {
          'content-type': 'application/octet-stream',
          'content-range': '0-4',
          'content-length': '5',
        },
      });
      expect(p1.status).toBe(202);
      expect(p1.headers['range']).toBe('0-4');
      loc = p1.headers['location']!;
      const status = await c().call('GET', loc);
      expect(status.status).toBe(204);
      expect(status.headers['range']).toBe('0-4');
      const bad = await c().call('PATCH', loc, {
        body: 'zzz',
        headers: {
          'content-type': 'application/octet-stream',
          'content-range': '9-11',
          'content-length': '3',
        },
      });
      expect(bad.status).toBe(416);
      // The error body is declared with its own length, so a keep-alive connection stays in step.
      expect(bad.json().errors[0].code).toBe('RANGE_INVALID');
      expect(bad.headers['content-length']).toBe(String(bad.body.length));
      expect(bad.headers['range']).toBe('0-4');
      expect(bad.headers['location']).toBeTruthy();
      const garbled = await c().call('PATCH', loc, {
        body: 'zzz',
        headers: { 'content-type': 'application/octet-stream', 'content-range': 'bytes=a-b' },
      });
      expect(garbled.status).toBe(416);
      const sized = await c().call('PATCH', loc, {
        body: 'fgh',
        headers: {
          'content-type': 'application/octet-stream',
          'content-range': '5-9',
          'content-length': '3',
        },
      });
      expect(sized.status).toBe(400);
      expect(sized.json().errors[0].code).toBe('SIZE_INVALID');
      const p2 = await c().call('PATCH', loc, {
        body: 'fgh',
        headers: {
          'content-type': 'application/octet-stream',
          'content-range': '5-7',
          'content-length': '3',
        },
      });
      expect(p2.status).toBe(202);
      const url = new URL(p2.headers['location']!, c().base);
      url.searchParams.set('digest', sha256('abcdefghij'));
      const put = await c().call('PUT', url.toString(), {
        body: 'ij',
        headers: {
          'content-type': 'application/octet-stream',
          'content-range': '8-9',
          'content-length': '2',
        },
      });
      expect(put.status).toBe(201);
      const got = await c().call('GET', `/v2/push/chunk/blobs/${sha256('abcdefghij')}`);
      expect(got.body.toString()).toBe('abcdefghij');
    });
    it('rejects a blob whose bytes do not match the digest (400 DIGEST_INVALID)', async () => {
      const start = await c().call('POST', '/v2/push/bad/blobs/uploads/');
      const loc = new URL(start.headers['location']!, c().base);
      loc.searchParams.set('digest', sha256('other'));
      const put = await c().call('PUT', loc.toString(), {
        body: 'content',
        headers: { 'content-type': 'application/octet-stream' },
      });
      expect(put.status).toBe(400);
      expect(put.json().errors[0].code).toBe('DIGEST_INVALID');
      expect((await c().call('HEAD', `/v2/push/bad/blobs/${sha256('other')}`)).status).toBe(404);
    });
    it('cancels an upload (204), after which the session is unknown (404)', async () => {
      const start = await c().call('POST', '/v2/push/cancel/blobs/uploads/');
      const loc = start.headers['location']!;
      expect((await c().call('DELETE', loc)).status).toBe(204);
      const after = await c().call('GET', loc);
      expect(after.status).toBe(404);
      expect(after.json().errors[0].code).toBe('BLOB_UPLOAD_UNKNOWN');
    });
    it('mounts a blob from another repository (201), and opens a session when the source lacks it (202)', async () => {
      const d = await pushBlob(c(), 'mount/src', 'shared-layer');
      const ok = await c().call('POST', `/v2/mount/dst/blobs/uploads/?mount=${d}&from=mount/src`);
      expect(ok.status).toBe(201);
      expect(ok.headers['docker-content-digest']).toBe(d);
      expect((await c().call('HEAD', `/v2/mount/dst/blobs/${d}`)).status).toBe(200);
      const miss = await c().call(
        'POST',
        `/v2/mount/dst/blobs/uploads/?mount=${sha256('absent')}&from=mount/src`,
      );
      expect(miss.status).toBe(202);
      expect(miss.headers['location']).toContain('/v2/mount/dst/blobs/uploads/');
    });
    it('stores manifest bytes unchanged and returns the digest; by-digest PUT must match', async () => {
      const img = await pushImage(c(), 'push/m', 'v1', 'm');
      const spaced = `${img.manifest}\n\n`;
      const put = await c().call('PUT', `/v2/push/m/manifests/${sha256(spaced)}`, {
        body: spaced,
        headers: { 'content-type': OCI_MANIFEST },
      });
      expect(put.status).toBe(201);
      expect(put.headers['docker-content-digest']).toBe(sha256(spaced));
      const got = await c().call('GET', `/v2/push/m/manifests/${sha256(spaced)}`, {
        headers: { accept: ACCEPT_ALL },
      });
      expect(got.body.toString()).toBe(spaced);
      const wrong = await c().call('PUT', `/v2/push/m/manifests/${sha256('x')}`, {
        body: img.manifest,
        headers: { 'content-type': OCI_MANIFEST },
      });
      expect(wrong.status).toBe(400);
      expect(wrong.json().errors[0].code).toBe('DIGEST_INVALID');
    });
    it('refuses manifests that reference unknown blobs or child manifests (MANIFEST_BLOB_UNKNOWN)', async () => {
      const missing = sha256('missing-layer');
      const body = JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: missing, size: 2 },
        layers: [],
      });
      const res = await c().call('PUT', '/v2/push/refs/manifests/v1', {
        body,
        headers: { 'content-type': OCI_MANIFEST },
      });
      expect(res.status).toBe(400);
      expect(res.json().errors[0]).toMatchObject({
        code: 'MANIFEST_BLOB_UNKNOWN',
        detail: missing,
      });
      const index = JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [
          { mediaType: OCI_MANIFEST, digest: sha256('a'), size: 1 },
          { mediaType: OCI_MANIFEST, digest: sha256('b'), size: 1 },
        ],
      });
      const res2 = await c().call('PUT', '/v2/push/refs/manifests/idx', {
        body: index,
        headers: { 'content-type': OCI_INDEX },
      });
      expect(res2.status).toBe(400);
      expect(res2.json().errors.map((e: { code: string }) => e.code)).toEqual([
        'MANIFEST_BLOB_UNKNOWN',
        'MANIFEST_BLOB_UNKNOWN',
      ]);
    });
    it('accepts an index whose children exist', async () => {
      const a = await pushImage(c(), 'push/idx', 'a', 'ia');
      const index = JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [
          {
            mediaType: OCI_MANIFEST,
            digest: a.digest,
            size: a.manifest.length,
            platform: { os: 'linux', architecture: 'amd64' },
          },
        ],
      });
      const res = await c().call('PUT', '/v2/push/idx/manifests/multi', {
        body: index,
        headers: { 'content-type': OCI_INDEX },
      });
      expect(res.status).toBe(201);
    });
    it('answers 413 for a manifest over 4 MiB', async () => {
      const big = JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        pad: 'x'.repeat(4 * 1024 * 1024),
      });
      const res = await c().call('PUT', '/v2/push/big/manifests/v1', {
        body: big,
        headers: { 'content-type': OCI_MANIFEST },
      });
      expect(res.status).toBe(413);
    });
    it('answers MANIFEST_INVALID when Content-Type and mediaType disagree', async () => {
      const img = await pushImage(c(), 'push/ct', 'v1', 'ct');
      const res = await c().call('PUT', '/v2/push/ct/manifests/v2', {
        body: img.manifest,
        headers: { 'content-type': OCI_INDEX },
      });
      expect(res.status).toBe(400);
      expect(res.json().errors[0].code).toBe('MANIFEST_INVALID');
    });
  });
});
