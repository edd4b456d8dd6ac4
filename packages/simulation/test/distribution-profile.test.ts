// The `distribution` profile against the real CNCF distribution 2.8.2 registry, with identical
// expectations: every quirk in distribution-observed.md, checked with raw HTTP on both backends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealRegistry, type RealRegistry } from '../../../tooling/registry/real-registry.js';
import { type Client, makeClient, OCI_MANIFEST, pushBlob, sha256 } from './helpers.js';
import { createSimulator, type Simulator } from '../src/index.js';

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
  },
);
