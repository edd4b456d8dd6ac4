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
