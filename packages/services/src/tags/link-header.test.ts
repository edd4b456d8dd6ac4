import { describe, expect, it } from 'vitest';
import { nextLink } from './link-header.js';

const base = new URL('http://127.0.0.1:5000/v2/a/b/tags/list?n=2');

describe('nextLink', () => {
  it('resolves a relative next link against the request URL', () => {
    expect(nextLink('</v2/a/b/tags/list?n=2&last=t2>; rel="next"', base)?.href).toBe('http://127.0.0.1:5000/v2/a/b/tags/list?n=2&last=t2');
  });
  it('keeps absolute links and finds next among several relations', () => {
    const h = '<https://r.example/v2/x?p=1>; rel="prev", <https://r.example/v2/x?p=3>; rel=next';
    expect(nextLink(h, base)?.href).toBe('https://r.example/v2/x?p=3');
  });
  it('accepts next inside a space-separated relation list', () => {
    expect(nextLink('</v2/x?p=2>; rel="last next"', base)?.pathname).toBe('/v2/x');
  });
  it('returns undefined without a next link, for other schemes and for garbage', () => {
    expect(nextLink(undefined, base)).toBeUndefined();
    expect(nextLink('</v2/x>; rel="prev"', base)).toBeUndefined();
    expect(nextLink('<javascript:alert(1)>; rel="next"', base)).toBeUndefined();
    expect(nextLink('garbage', base)).toBeUndefined();
    expect(nextLink('<http://[::1>; rel="next"', base)).toBeUndefined();
  });
});
