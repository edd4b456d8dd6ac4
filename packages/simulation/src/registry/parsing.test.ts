import { describe, expect, it } from 'vitest';
import { parseRange } from './blobs.js';
import { paginate } from './listing.js';
import { acceptsExplicitly, parseManifestBody } from './manifest-parse.js';
import { parseRegistryRoute } from './routes.js';
import { parseContentRange } from './upload-session.js';

describe('registry parsing', () => {
  it('routes paths, rejecting bad names and tags', () => {
    expect(parseRegistryRoute('/v2/')).toEqual({ kind: 'ping' });
    expect(parseRegistryRoute('/v2/a/b/manifests/v1')).toEqual({
      kind: 'manifest',
      name: 'a/b',
      reference: 'v1',
    });
    expect(parseRegistryRoute('/v2/a/blobs/uploads/')).toEqual({ kind: 'upload-start', name: 'a' });
    expect(parseRegistryRoute('/v2/a/blobs/uploads/abc-1')).toEqual({
      kind: 'upload',
      name: 'a',
      id: 'abc-1',
    });
    expect(parseRegistryRoute('/v2/A/tags/list')).toEqual({ kind: 'invalid-name', name: 'A' });
    expect(parseRegistryRoute(`/v2/a/manifests/${'t'.repeat(129)}`)).toEqual({
      kind: 'invalid-reference',
      name: 'a',
      reference: 't'.repeat(129),
    });
    expect(parseRegistryRoute('/v2/A/manifests/.bad')).toEqual({ kind: 'invalid-name', name: 'A' });
    expect(parseRegistryRoute('/v2/users/login')).toBeUndefined();
  });

  it('parses Range and Content-Range', () => {
    expect(parseRange(null, 10)).toBeUndefined();
    expect(parseRange('bytes=2-', 10)).toEqual({ start: 2, end: 9 });
    expect(parseRange('bytes=-3', 10)).toEqual({ start: 7, end: 9 });
    expect(parseRange('bytes=5-100', 10)).toEqual({ start: 5, end: 9 });
    expect(parseRange('bytes=10-11', 10)).toBe('unsatisfiable');
    expect(parseRange('items=1-2', 10)).toBe('unsatisfiable');
    expect(parseContentRange('0-4')).toEqual({ start: 0, end: 4 });
    expect(parseContentRange('bytes 5-9/*')).toEqual({ start: 5, end: 9 });
    expect(parseContentRange('9-5')).toBe('invalid');
    expect(parseContentRange('x')).toBe('invalid');
  });

  it('pages lists with n/last and a relative Link', () => {
    const url = new URL('http://r/v2/x/tags/list?n=2&last=b');
    const page = paginate(['a', 'b', 'c', 'd', 'e'], url);
    expect(page).toEqual({
      page: ['c', 'd'],
      headers: { link: '</v2/x/tags/list?last=d&n=2>; rel="next"' },
    });
    expect(paginate(['a'], new URL('http://r/v2/_catalog?n=-1'))).toEqual({
      page: ['a'],
      headers: {},
    });
    expect(paginate(['a'], new URL('http://r/v2/_catalog?n=1001'))).toBeInstanceOf(Response);
  });

  it('validates manifests like distribution', () => {
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v));
    expect(parseManifestBody(enc({}), 'text/plain')).toMatch(/unsupported/);
    expect(parseManifestBody(Buffer.from('{'), 'application/vnd.oci.image.manifest.v1+json')).toBe(
      'invalid JSON',
    );
    expect(
      parseManifestBody(enc({ schemaVersion: 1 }), 'application/vnd.oci.image.manifest.v1+json'),
    ).toMatch(/schemaVersion/);
    expect(
      parseManifestBody(
        enc({ schemaVersion: 2, layers: 'x', config: { digest: 'd' } }),
        'application/vnd.oci.image.manifest.v1+json',
      ),
    ).toBe('malformed descriptors');
    expect(acceptsExplicitly('a/b;q=0.9, C/D', 'c/d')).toBe(true);
    expect(acceptsExplicitly('*/*', 'c/d')).toBe(false);
  });
});
