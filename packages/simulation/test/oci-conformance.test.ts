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

describe.each(['in-process', 'loopback'] as const)('OCI conformance (%s)', (kind) => {
  let b: Backend;
  beforeAll(async () => {
    b = await startBackend(kind, { profile: 'oci' });
  });
  afterAll(async () => {
    await b.close();
  });
  const c = () => b.client;

  describe('pull', () => {
    it('GET /v2/ answers 200', async () => {
      expect((await c().call('GET', '/v2/')).status).toBe(200);
    });
    it('serves manifests by tag and by digest with the exact bytes, type and digest', async () => {
      const img = await pushImage(c(), 'pull/one', 'v1', 'p1');
      for (const ref of ['v1', img.digest]) {
        const res = await c().call('GET', `/v2/pull/one/manifests/${ref}`, {
          headers: { accept: ACCEPT_ALL },
        });
        expect(res.status).toBe(200);
        expect(res.body.toString()).toBe(img.manifest);
        expect(res.headers['content-type']).toBe(OCI_MANIFEST);
        expect(res.headers['docker-content-digest']).toBe(img.digest);
      }
      const head = await c().call('HEAD', '/v2/pull/one/manifests/v1', {
        headers: { accept: ACCEPT_ALL },
      });
      expect(head.status).toBe(200);
      expect(head.body.length).toBe(0);
      expect(head.headers['content-length']).toBe(String(img.manifest.length));
      expect(head.headers['docker-content-digest']).toBe(img.digest);
    });
    it('answers 404 MANIFEST_UNKNOWN with the error envelope for unknown manifests', async () => {
      const res = await c().call('GET', '/v2/pull/one/manifests/nope', {
        headers: { accept: ACCEPT_ALL },
      });
      expect(res.status).toBe(404);
      expect(res.json().errors[0].code).toBe('MANIFEST_UNKNOWN');
      expect(typeof res.json().errors[0].message).toBe('string');
      expect((await c().call('HEAD', '/v2/pull/one/manifests/nope')).status).toBe(404);
    });
    it('serves blobs, ranges (206) and 404 BLOB_UNKNOWN', async () => {
      const bytes = Buffer.from('0123456789abcdef');
      const d = await pushBlob(c(), 'pull/blob', bytes);
      const get = await c().call('GET', `/v2/pull/blob/blobs/${d}`);
      expect(get.status).toBe(200);
      expect(get.body.equals(bytes)).toBe(true);
      expect(get.headers['docker-content-digest']).toBe(d);
      const part = await c().call('GET', `/v2/pull/blob/blobs/${d}`, {
        headers: { range: 'bytes=2-5' },
      });
      expect(part.status).toBe(206);
      expect(part.body.toString()).toBe('2345');
      expect(part.headers['content-range']).toBe('bytes 2-5/16');
      const missing = await c().call('GET', `/v2/pull/blob/blobs/${sha256('nothing')}`);
      expect(missing.status).toBe(404);
      expect(missing.json().errors[0].code).toBe('BLOB_UNKNOWN');
      expect((await c().call('HEAD', `/v2/pull/blob/blobs/${sha256('nothing')}`)).status).toBe(404);
    });
  });

  describe('content discovery', () => {
    it('lists tags in lexical order with n, last and a Link header', async () => {
      for (const t of ['d', 'a', 'c', 'b', 'e']) await pushImage(c(), 'disc/tags', t, 'same');
      const all = await c().call('GET', '/v2/disc/tags/tags/list');
      expect(all.json()).toEqual({ name: 'disc/tags', tags: ['a', 'b', 'c', 'd', 'e'] });
      const p1 = await c().call('GET', '/v2/disc/tags/tags/list?n=2');
      expect(p1.json().tags).toEqual(['a', 'b']);
      expect(p1.headers['link']).toBe('</v2/disc/tags/tags/list?last=b&n=2>; rel="next"');
      const p2 = await c().call('GET', '/v2/disc/tags/tags/list?n=2&last=b');
      expect(p2.json().tags).toEqual(['c', 'd']);
      const p3 = await c().call('GET', '/v2/disc/tags/tags/list?n=2&last=d');
      expect(p3.json().tags).toEqual(['e']);
      expect(p3.headers['link']).toBeUndefined();
      const zero = await c().call('GET', '/v2/disc/tags/tags/list?n=0');
      expect(zero.json().tags).toEqual([]);
      expect(zero.headers['link']).toBeUndefined();
    });
    it('answers the referrers API with 200, OCI-Subject and artifactType filtering', async () => {
      const subject = await pushImage(c(), 'disc/ref', 'v1', 'subject');
      const none = await c().call('GET', `/v2/disc/ref/referrers/${subject.digest}`);
      expect(none.status).toBe(200);
      expect(none.json()).toMatchObject({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] });
      const empty = await pushBlob(c(), 'disc/ref', '{}');
      const sbom = JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: 'application/vnd.example.sbom',
        config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: empty, size: 2 },
        layers: [],
        subject: { mediaType: OCI_MANIFEST, digest: subject.digest, size: subject.manifest.length },
        annotations: { 'org.example': 'yes' },
      });
      const put = await c().call('PUT', `/v2/disc/ref/manifests/${sha256(sbom)}`, {
        body: sbom,
        headers: { 'content-type': OCI_MANIFEST },
      });
      expect(put.status).toBe(201);
      expect(put.headers['oci-subject']).toBe(subject.digest);
      const list = await c().call('GET', `/v2/disc/ref/referrers/${subject.digest}`);
      expect(list.headers['content-type']).toBe(OCI_INDEX);
      expect(list.json().manifests).toEqual([
        {
          mediaType: OCI_MANIFEST,
          digest: sha256(sbom),
          size: sbom.length,
          artifactType: 'application/vnd.example.sbom',
          annotations: { 'org.example': 'yes' },
        },
      ]);
      const filtered = await c().call(
        'GET',
        `/v2/disc/ref/referrers/${subject.digest}?artifactType=application/other`,
      );
      expect(filtered.headers['oci-filters-applied']).toBe('artifactType');
      expect(filtered.json().manifests).toEqual([]);
    });
    it('accepts a manifest whose subject does not exist yet', async () => {
      const cfg = await pushBlob(c(), 'disc/early', '{}');
      const m = JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: cfg, size: 2 },
        layers: [],
        subject: { mediaType: OCI_MANIFEST, digest: sha256('not-yet'), size: 1 },
      });
      expect(
        (
          await c().call('PUT', '/v2/disc/early/manifests/r', {
            body: m,
            headers: { 'content-type': OCI_MANIFEST },
          })
        ).status,
      ).toBe(201);
    });
    it('pages the catalog', async () => {
      const res = await c().call('GET', '/v2/_catalog?n=1');
      expect(res.status).toBe(200);
      expect(res.json().repositories).toHaveLength(1);
      expect(res.headers['link']).toMatch(/^<\/v2\/_catalog\?last=.+&n=1>; rel="next"$/);
    });
  });

  describe('content management', () => {
    it('deletes a tag (202) and leaves the manifest reachable by digest', async () => {
      const img = await pushImage(c(), 'mgmt/tag', 'gone', 'g');
      expect((await c().call('DELETE', '/v2/mgmt/tag/manifests/gone')).status).toBe(202);
      expect(
        (await c().call('GET', '/v2/mgmt/tag/manifests/gone', { headers: { accept: ACCEPT_ALL } }))
          .status,
      ).toBe(404);
      expect(
        (
          await c().call('GET', `/v2/mgmt/tag/manifests/${img.digest}`, {
            headers: { accept: ACCEPT_ALL },
          })
        ).status,
      ).toBe(200);
    });
    it('deletes a manifest by digest (202), then 404', async () => {
      const img = await pushImage(c(), 'mgmt/man', 'v1', 'd');
      expect((await c().call('DELETE', `/v2/mgmt/man/manifests/${img.digest}`)).status).toBe(202);
      expect(
        (
          await c().call('GET', `/v2/mgmt/man/manifests/${img.digest}`, {
            headers: { accept: ACCEPT_ALL },
          })
        ).status,
      ).toBe(404);
      expect(
        (await c().call('GET', '/v2/mgmt/man/manifests/v1', { headers: { accept: ACCEPT_ALL } }))
          .status,
      ).toBe(404);
    });
    it('deletes a blob (202), then 404', async () => {
      const d = await pushBlob(c(), 'mgmt/blob', 'to-delete');
      expect((await c().call('DELETE', `/v2/mgmt/blob/blobs/${d}`)).status).toBe(202);
      expect((await c().call('HEAD', `/v2/mgmt/blob/blobs/${d}`)).status).toBe(404);
      expect((await c().call('DELETE', `/v2/mgmt/blob/blobs/${d}`)).status).toBe(404);
    });
  });
});
