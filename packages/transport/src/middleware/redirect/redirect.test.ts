import { Readable } from 'node:stream';
import { RedirectError } from '@llmdevops/docker-hub-core';
import { describe, expect, it } from 'vitest';
import type { TransportRequest } from '../../pipeline/types.js';
import { createRedirectMiddleware, nextHop } from './redirect.js';

const base: TransportRequest = {
  method: 'GET',
  url: new URL('https://registry.example.com/v2/x/blobs/sha256:1'),
  headers: { authorization: 'Bearer t', cookie: 'c=1', 'proxy-authorization': 'Basic p', range: 'bytes=10-' },
};

describe('nextHop', () => {
  it('refuses HTTPS to HTTP downgrades', () => {
    expect(() => nextHop(base, 307, new URL('http://cdn.example.com/blob'))).toThrow(RedirectError);
  });

  it('drops credentials for another origin and keeps other headers', () => {
    const hop = nextHop(base, 307, new URL('https://cdn.example.com/blob?sig=1'));
    expect(hop.headers).toEqual({ range: 'bytes=10-' });
    expect(nextHop(base, 307, new URL('https://registry.example.com/other')).headers).toEqual(base.headers);
    expect(nextHop(base, 307, new URL('https://registry.example.com:8443/other')).headers['authorization']).toBeUndefined();
  });

  it('rewrites methods like fetch and refuses to replay one-shot bodies', () => {
    const post: TransportRequest = { ...base, method: 'POST', body: 'x', headers: { 'content-type': 'a/b' } };
    const hop = nextHop(post, 302, new URL('https://registry.example.com/y'));
    expect(hop.method).toBe('GET');
    expect(hop.body).toBeUndefined();
    expect(hop.headers['content-type']).toBeUndefined();
    expect(nextHop(post, 307, new URL('https://registry.example.com/y'))).toMatchObject({ method: 'POST', body: 'x' });
    expect(nextHop({ ...base, method: 'HEAD' }, 303, new URL('https://registry.example.com/y')).method).toBe('HEAD');
    const oneShot: TransportRequest = { ...base, method: 'PUT', body: { stream: () => Readable.from([]), replayable: false } };
    expect(() => nextHop(oneShot, 307, new URL('https://registry.example.com/y'))).toThrow(/one-shot/);
  });
});

describe('redirect middleware', () => {
  it('returns redirects unfollowed when maxRedirects is 0, and rejects a bad Location', async () => {
    const { createResponse } = await import('../../dispatch/response.js');
    const redirect = (location: string) => () =>
      Promise.resolve(createResponse({ status: 302, headers: { location }, url: base.url, body: Readable.from([]), what: 'r' }));
    expect((await createRedirectMiddleware(0).handle(base, redirect('/x'))).status).toBe(302);
    await expect(createRedirectMiddleware(3).handle(base, redirect('http://[bad'))).rejects.toBeInstanceOf(RedirectError);
  });
});
