import { Readable } from 'node:stream';
import { RedirectError } from '@llmdevops/docker-hub-core';
import { describe, expect, it } from 'vitest';
import { createResponse } from '../../dispatch/response.js';
import type { Next, TransportRequest, TransportResponse } from '../../pipeline/types.js';
import { createRedirectMiddleware, nextHop } from './redirect.js';

const start: TransportRequest = {
  method: 'GET',
  url: new URL('https://registry.example.com/v2/a/blobs/sha256:1'),
  headers: { authorization: 'Bearer t' },
};

function reply(status: number, location?: string): TransportResponse {
  return createResponse({
    status,
    headers: location === undefined ? {} : { location },
    url: start.url,
    body: Readable.from([]),
    what: 'r',
  });
}

/** A server that answers each request from a script, recording what it was sent. */
function scripted(replies: TransportResponse[]): { next: Next; sent: TransportRequest[] } {
  const sent: TransportRequest[] = [];
  const next: Next = async (req) => {
    sent.push(req);
    const res = replies.shift();
    if (res === undefined) throw new Error('no more replies');
    return Promise.resolve(res);
  };
  return { next, sent };
}

describe('redirect middleware following', () => {
  it('follows 301, 302, 303, 307 and 308, resolving relative locations against the current URL', async () => {
    const { next, sent } = scripted([
      reply(301, '/b'),
      reply(302, 'c'),
      reply(303, 'https://cdn.example.com/d/e'),
      reply(307, 'f'),
      reply(308, '?sig=1'),
      reply(200),
    ]);
    const res = await createRedirectMiddleware(5).handle(start, next);
    expect(res.status).toBe(200);
    expect(sent.map((r) => r.url.href)).toEqual([
      'https://registry.example.com/v2/a/blobs/sha256:1',
      'https://registry.example.com/b',
      'https://registry.example.com/c',
      'https://cdn.example.com/d/e',
      'https://cdn.example.com/d/f',
      'https://cdn.example.com/d/f?sig=1',
    ]);
    expect(sent.map((r) => r.headers['authorization'])).toEqual([
      'Bearer t',
      'Bearer t',
      'Bearer t',
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('returns other 3xx statuses and redirects without a Location as they are', async () => {
    for (const status of [300, 304, 305, 306, 309]) {
      const { next, sent } = scripted([reply(status, '/elsewhere')]);
      expect((await createRedirectMiddleware(3).handle(start, next)).status).toBe(status);
      expect(sent).toHaveLength(1);
    }
    const { next, sent } = scripted([reply(302)]);
    expect((await createRedirectMiddleware(3).handle(start, next)).status).toBe(302);
    expect(sent).toHaveLength(1);
  });

  it('follows exactly maxRedirects hops and refuses one more, naming the request and the limit', async () => {
    const ok = scripted([reply(302, '/1'), reply(302, '/2'), reply(200)]);
    expect((await createRedirectMiddleware(2).handle(start, ok.next)).status).toBe(200);
    const loop = scripted([reply(302, '/1'), reply(302, '/2'), reply(302, '/3'), reply(200)]);
    await expect(createRedirectMiddleware(2).handle(start, loop.next)).rejects.toThrow(
      new RedirectError(
        'GET https://registry.example.com/v2/a/blobs/sha256:1: more than 2 redirects',
      ),
    );
    expect(loop.sent).toHaveLength(3);
  });

  it('names the current URL when a Location cannot be parsed', async () => {
    const { next } = scripted([
      reply(302, 'https://registry.example.com/hop'),
      reply(302, 'http://[bad'),
    ]);
    await expect(createRedirectMiddleware(3).handle(start, next)).rejects.toThrow(
      'GET https://registry.example.com/hop: unusable Location header (TypeError)',
    );
  });
});

describe('nextHop method and body rules', () => {
  const url = new URL('https://registry.example.com/y');
  const put: TransportRequest = {
    ...start,
    method: 'PUT',
    body: 'x',
    headers: { 'content-type': 'a/b', 'content-length': '1', digest: 'd', accept: '*/*' },
  };

  it('turns a 303 into a GET without body headers, except for HEAD', () => {
    const hop = nextHop(put, 303, url);
    expect(hop.method).toBe('GET');
    expect('body' in hop).toBe(false);
    expect(hop.headers).toEqual({ accept: '*/*' });
    expect(nextHop({ ...start, method: 'HEAD' }, 303, url).method).toBe('HEAD');
  });

  it('keeps the method and body of a PUT on 301, 302, 307 and 308', () => {
    for (const status of [301, 302, 307, 308]) {
      const hop = nextHop(put, status, url);
      expect(hop.method).toBe('PUT');
      expect(hop.body).toBe('x');
      expect(hop.headers).toEqual(put.headers);
      expect(hop.url).toBe(url);
    }
  });

  it('turns a POST into a GET on 301 and 302 only', () => {
    const post: TransportRequest = { ...put, method: 'POST' };
    expect(nextHop(post, 301, url).method).toBe('GET');
    expect(nextHop(post, 308, url)).toMatchObject({ method: 'POST', body: 'x' });
  });

  it('keeps a bodiless request bodiless, and allows HTTP to HTTPS and HTTP to HTTP', () => {
    const plain: TransportRequest = { ...start, url: new URL('http://r.test/a') };
    const up = nextHop(plain, 307, new URL('https://r.test/a'));
    expect(up.url.href).toBe('https://r.test/a');
    expect('body' in up).toBe(false);
    expect(nextHop(plain, 307, new URL('http://r.test/b')).url.href).toBe('http://r.test/b');
  });

  it('says which redirect was refused for a downgrade and for a one-shot body', () => {
    expect(() => nextHop(start, 302, new URL('http://cdn.example.com/b'))).toThrow(
      'refusing redirect from https://registry.example.com/v2/a/blobs/sha256:1 to http://cdn.example.com/b: HTTPS to http: downgrade',
    );
    const oneShot: TransportRequest = {
      ...put,
      body: { stream: () => Readable.from([]), replayable: false },
    };
    expect(() => nextHop(oneShot, 307, url)).toThrow(
      'cannot follow 307 from https://registry.example.com/v2/a/blobs/sha256:1: the request body is a one-shot stream',
    );
  });
});
