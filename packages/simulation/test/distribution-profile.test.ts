// The `distribution` profile against the real CNCF distribution 2.8.2 registry, with identical
// expectations: every quirk in distribution-observed.md, checked with raw HTTP on both backends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealRegistry, type RealRegistry } from '../../../tooling/registry/real-registry.js';
import {
  ACCEPT_ALL,
  type Client,
  makeClient,
  OCI_INDEX,
  OCI_MANIFEST,
  pushBlob,
  pushImage,
  sha256,
} from './helpers.js';
import { createSimulator, type Simulator } from '../src/index.js';

const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

describe.each(['simulator', 'real registry'] as const)(
  'distribution 2.8 behaviour (%s)',
  (backend) => {
    let c: Client;
    let real: RealRegistry | undefined;
    let sim: Simulator | undefined;
    beforeAll(async () => {
      if (backend === 'real registry') {
        real = await startRealRegistry({ auth: 'none' });
        c = makeClient(real.url);
      } else {
        sim = createSimulator({ profile: 'distribution' });
        c = makeClient((await sim.listen()).url);
      }
    });
    afterAll(async () => {
      await real?.stop();
      await sim?.close();
    });

    it('pings with the API version header, and redirects /v2', async () => {
      const ping = await c.call('GET', '/v2/');
      expect(ping.status).toBe(200);
      expect(ping.headers['docker-distribution-api-version']).toBe('registry/2.0');
      const bare = await c.call('GET', '/v2');
      expect(bare.status).toBe(301);
      expect(bare.headers['location']).toBe('/v2/');
    });

    it('opens a session with an absolute Location, Range 0-0 and an upload UUID', async () => {
      const res = await c.call('POST', '/v2/dist/up/blobs/uploads/');
      expect(res.status).toBe(202);
      expect(res.headers['location']).toMatch(
        /^http:\/\/127\.0\.0\.1:\d+\/v2\/dist\/up\/blobs\/uploads\/[0-9a-f-]+\?_state=/,
      );
      expect(res.headers['range']).toBe('0-0');
      expect(res.headers['docker-upload-uuid']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('ignores the body of a single-POST upload (202, no blob)', async () => {
      const res = await c.call('POST', `/v2/dist/mono/blobs/uploads/?digest=${sha256('mono')}`, {
        body: 'mono',
        headers: { 'content-type': 'application/octet-stream' },
      });
      expect(res.status).toBe(202);
      expect((await c.call('HEAD', `/v2/dist/mono/blobs/${sha256('mono')}`)).status).toBe(404);
    });

    it('appends an out-of-order chunk (202, Content-Range ignored) and rejects a stale _state', async () => {
      const start = await c.call('POST', '/v2/dist/chunk/blobs/uploads/');
      const first = start.headers['location']!;
      const p1 = await c.call('PATCH', first, {
        body: 'abcd',
        headers: { 'content-type': 'application/octet-stream', 'content-range': '0-3' },
      });
      expect(p1.status).toBe(202);
      expect(p1.headers['range']).toBe('0-3');
      const p2 = await c.call('PATCH', p1.headers['location']!, {
        body: 'efgh',
        headers: { 'content-type': 'application/octet-stream', 'content-range': '9-12' },
      });
      expect(p2.status).toBe(202);
      expect(p2.headers['range']).toBe('0-7');
      const stale = await c.call('GET', first);
      expect(stale.status).toBe(404);
      expect(stale.json().errors[0].code).toBe('BLOB_UPLOAD_INVALID');
      const status = await c.call('GET', p2.headers['location']!);
      expect(status.status).toBe(204);
      expect(status.headers['range']).toBe('0-7');
      const noDigest = await c.call('PUT', p2.headers['location']!);
      expect(noDigest.status).toBe(400);
      expect(noDigest.json().errors[0]).toMatchObject({
        code: 'DIGEST_INVALID',
        detail: 'digest missing',
      });
      const wrong = new URL(p2.headers['location']!);
      wrong.searchParams.set('digest', sha256('nope'));
      const bad = await c.call('PUT', wrong.toString());
      expect(bad.status).toBe(400);
      expect(bad.json().errors[0]).toMatchObject({
        code: 'DIGEST_INVALID',
        message: 'provided digest did not match uploaded content',
      });
      expect((await c.call('GET', p2.headers['location']!)).status).toBe(204);
      const ok = new URL(p2.headers['location']!);
      ok.searchParams.set('digest', sha256('abcdefgh'));
      const put = await c.call('PUT', ok.toString());
      expect(put.status).toBe(201);
      expect(put.headers['docker-content-digest']).toBe(sha256('abcdefgh'));
    });

    it('answers 500 UNKNOWN to a PATCH that is not application/octet-stream and to schemaVersion 1', async () => {
      const start = await c.call('POST', '/v2/dist/ct/blobs/uploads/');
      const res = await c.call('PATCH', start.headers['location']!, {
        body: 'abc',
        headers: { 'content-type': 'text/plain' },
      });
      expect(res.status).toBe(500);
      expect(res.json()).toEqual({
        errors: [{ code: 'UNKNOWN', message: 'unknown error', detail: {} }],
      });
      const ok = await c.call('PATCH', start.headers['location']!, { body: 'abc' });
      expect(ok.status).toBe(202);
      const v1 = await c.call('PUT', '/v2/dist/ct/manifests/x', {
        body: '{"schemaVersion":1}',
        headers: { 'content-type': OCI_MANIFEST },
      });
      expect(v1.status).toBe(500);
      expect(v1.json().errors[0].code).toBe('UNKNOWN');
    });

    it('cancels a session: 204, then 404 BLOB_UPLOAD_UNKNOWN', async () => {
      const start = await c.call('POST', '/v2/dist/cancel/blobs/uploads/');
      expect((await c.call('DELETE', start.headers['location']!)).status).toBe(204);
      const after = await c.call('GET', start.headers['location']!);
      expect(after.status).toBe(404);
      expect(after.json().errors[0].code).toBe('BLOB_UPLOAD_UNKNOWN');
    });

    it('stores a zero-length blob and answers blob HEAD/GET headers as distribution does', async () => {
      const empty = await pushBlob(c, 'dist/blob', '');
      expect(empty).toBe('sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
      expect((await c.call('HEAD', `/v2/dist/blob/blobs/${empty}`)).headers['content-length']).toBe(
        '0',
      );
      const d = await pushBlob(c, 'dist/blob', 'x'.repeat(1000));
      const head = await c.call('HEAD', `/v2/dist/blob/blobs/${d}`);
      expect(head.status).toBe(200);
      expect(head.headers).toMatchObject({
        'accept-ranges': 'bytes',
        'cache-control': 'max-age=31536000',
        'content-length': '1000',
        'content-type': 'application/octet-stream',
        'docker-content-digest': d,
        etag: `"${d}"`,
      });
      const part = await c.call('GET', `/v2/dist/blob/blobs/${d}`, {
        headers: { range: 'bytes=0-9' },
      });
      expect(part.status).toBe(206);
      expect(part.headers['content-range']).toBe('bytes 0-9/1000');
      const unknown = sha256('unknown-blob');
      const h404 = await c.call('HEAD', `/v2/dist/blob/blobs/${unknown}`);
      expect(h404.status).toBe(404);
      expect(h404.body.length).toBe(0);
      const g404 = await c.call('GET', `/v2/dist/blob/blobs/${unknown}`);
      expect(g404.json()).toEqual({
        errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry', detail: unknown }],
      });
      const malformed = await c.call('GET', '/v2/dist/blob/blobs/sha256:xyz');
      expect(malformed.status).toBe(400);
      expect(malformed.json().errors[0].code).toBe('DIGEST_INVALID');
      expect((await c.call('DELETE', `/v2/dist/blob/blobs/${d}`)).status).toBe(202);
      const again = await c.call('DELETE', `/v2/dist/blob/blobs/${d}`);
      expect(again.status).toBe(404);
      expect(again.json().errors[0].code).toBe('BLOB_UNKNOWN');
    });

    it('mounts from another repository (201) and falls back to a session (202)', async () => {
      const d = await pushBlob(c, 'dist/src', 'mounted');
      const ok = await c.call('POST', `/v2/dist/dst/blobs/uploads/?mount=${d}&from=dist/src`);
      expect(ok.status).toBe(201);
      expect(ok.headers['docker-content-digest']).toBe(d);
      expect(
        (await c.call('POST', `/v2/dist/dst/blobs/uploads/?mount=${sha256('zz')}&from=dist/src`))
          .status,
      ).toBe(202);
      expect((await c.call('POST', `/v2/dist/dst2/blobs/uploads/?mount=${d}`)).status).toBe(202);
    });

    it('answers invalid names and the referrers route with a text/plain 404', async () => {
      for (const path of [
        '/v2/test/A/tags/list',
        '/v2/test/a_/tags/list',
        '/v2/dist/x/referrers/' + sha256('x'),
      ]) {
        const res = await c.call('GET', path);
        expect(res.status).toBe(404);
        expect(res.headers['content-type']).toMatch(/^text\/plain/);
        expect(res.body.toString()).toBe('404 page not found\n');
      }
    });

    it('accepts manifests without OCI-Subject, validates types and references', async () => {
      const img = await pushImage(c, 'dist/man', 'v1', 'dm');
      const cfg = await pushBlob(c, 'dist/man', '{}');
      const withSubject = JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: cfg, size: 2 },
        layers: [],
        subject: { mediaType: OCI_MANIFEST, digest: img.digest, size: img.manifest.length },
      });
      const put = await c.call('PUT', '/v2/dist/man/manifests/sub', {
        body: withSubject,
        headers: { 'content-type': OCI_MANIFEST },
      });
      expect(put.status).toBe(201);
      expect(put.headers['oci-subject']).toBeUndefined();
      expect(put.headers['location']).toMatch(
        new RegExp(`/v2/dist/man/manifests/${sha256(withSubject)}$`),
      );
      const mismatch = await c.call('PUT', '/v2/dist/man/manifests/bad', {
        body: img.manifest,
        headers: { 'content-type': DOCKER_MANIFEST },
      });
      expect(mismatch.json()).toEqual({
        errors: [{ code: 'MANIFEST_INVALID', message: 'manifest invalid', detail: {} }],
      });
      const missing = sha256('missing');
      const ref = JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: missing, size: 1 },
        layers: [],
      });
      const r = await c.call('PUT', '/v2/dist/man/manifests/ref', {
        body: ref,
        headers: { 'content-type': OCI_MANIFEST },
      });
      expect(r.json()).toEqual({
        errors: [
          { code: 'MANIFEST_BLOB_UNKNOWN', message: 'blob unknown to registry', detail: missing },
        ],
      });
      const idx = JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [
          { mediaType: OCI_MANIFEST, digest: sha256('c1'), size: 1 },
          { mediaType: OCI_MANIFEST, digest: sha256('c2'), size: 1 },
        ],
      });
      const ri = await c.call('PUT', '/v2/dist/man/manifests/idx', {
        body: idx,
        headers: { 'content-type': OCI_INDEX },
      });
      expect(ri.status).toBe(400);
      expect(ri.json().errors).toHaveLength(2);
      const big = JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        pad: 'x'.repeat(4 * 1024 * 1024 + 10),
      });
      const tooBig = await c.call('PUT', '/v2/dist/man/manifests/big', {
        body: big,
        headers: { 'content-type': OCI_MANIFEST },
      });
      expect(tooBig.status).toBe(400);
      expect(tooBig.json().errors[0]).toMatchObject({
        code: 'MANIFEST_INVALID',
        detail: 'http: request body too large',
      });
    });

    it('negotiates Accept like distribution and answers conditional GETs', async () => {
      const img = await pushImage(c, 'dist/acc', 'v1', 'acc');
      const ok = await c.call('GET', '/v2/dist/acc/manifests/v1', {
        headers: { accept: ACCEPT_ALL },
      });
      expect(ok.headers['etag']).toBe(`"${img.digest}"`);
      const cached = await c.call('GET', '/v2/dist/acc/manifests/v1', {
        headers: { accept: ACCEPT_ALL, 'if-none-match': `"${img.digest}"` },
      });
      expect(cached.status).toBe(304);
      const noOci = await c.call('GET', '/v2/dist/acc/manifests/v1', {
        headers: { accept: '*/*' },
      });
      expect(noOci.status).toBe(404);
      expect(noOci.json().errors[0]).toMatchObject({
        code: 'MANIFEST_UNKNOWN',
        message: 'OCI manifest found, but accept header does not support OCI manifests',
      });
      const tag = await c.call('GET', '/v2/dist/acc/manifests/nope', {
        headers: { accept: ACCEPT_ALL },
      });
      expect(tag.json()).toEqual({
        errors: [
          { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'nope' } },
        ],
      });
      const dig = await c.call('GET', `/v2/dist/acc/manifests/${sha256('q')}`, {
        headers: { accept: ACCEPT_ALL },
      });
      expect(dig.json().errors[0].detail).toEqual({ Name: 'dist/acc', Revision: sha256('q') });
      const repo = await c.call('GET', '/v2/dist/none/manifests/v1', {
        headers: { accept: ACCEPT_ALL },
      });
      expect(repo.json().errors[0].code).toBe('MANIFEST_UNKNOWN');
    });

    it('deletes by digest (every tag goes), refuses delete by tag, and lists tags without paging', async () => {
      const img = await pushImage(c, 'dist/del', 't1', 'del');
      await c.call('PUT', '/v2/dist/del/manifests/t2', {
        body: img.manifest,
        headers: { 'content-type': OCI_MANIFEST },
      });
      await c.call('PUT', '/v2/dist/del/manifests/t3', {
        body: img.manifest,
        headers: { 'content-type': OCI_MANIFEST },
      });
      const paged = await c.call('GET', '/v2/dist/del/tags/list?n=1');
      expect(paged.json().tags.sort()).toEqual(['t1', 't2', 't3']);
      expect(paged.headers['link']).toBeUndefined();
      const byTag = await c.call('DELETE', '/v2/dist/del/manifests/t1');
      expect(byTag.json()).toEqual({
        errors: [
          { code: 'DIGEST_INVALID', message: 'provided digest did not match uploaded content' },
        ],
      });
      expect((await c.call('DELETE', `/v2/dist/del/manifests/${img.digest}`)).status).toBe(202);
      const again = await c.call('DELETE', `/v2/dist/del/manifests/${img.digest}`);
      expect(again.json()).toEqual({
        errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }],
      });
      expect((await c.call('GET', '/v2/dist/del/tags/list')).json()).toEqual({
        name: 'dist/del',
        tags: null,
      });
      const unknown = await c.call('GET', '/v2/dist/zz/tags/list');
      expect(unknown.json()).toEqual({
        errors: [
          {
            code: 'NAME_UNKNOWN',
            message: 'repository name not known to registry',
            detail: { name: 'dist/zz' },
          },
        ],
      });
    });

    it('pages the catalog with relative Link headers and rejects n over 1000', async () => {
      const res = await c.call('GET', '/v2/_catalog?n=1');
      const first = res.json().repositories[0] as string;
      expect(res.headers['link']).toBe(
        `</v2/_catalog?last=${encodeURIComponent(first)}&n=1>; rel="next"`,
      );
      const big = await c.call('GET', '/v2/_catalog?n=100000');
      expect(big.json()).toEqual({
        errors: [
          {
            code: 'PAGINATION_NUMBER_INVALID',
            message: 'invalid number of results requested',
            detail: { n: 100000 },
          },
        ],
      });
      expect((await c.call('GET', '/v2/_catalog?n=0')).json()).toEqual({ repositories: [] });
    });
  },
);
