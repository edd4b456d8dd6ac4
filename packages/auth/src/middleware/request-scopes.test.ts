import { describe, expect, it } from 'vitest';
import type { TransportRequest } from '@llmdevops/docker-hub-transport';
import { formatScope } from '@llmdevops/docker-hub-core';
import { scopesForRequest } from './request-scopes.js';

function req(
  method: TransportRequest['method'],
  path: string,
  context?: TransportRequest['context'],
): TransportRequest {
  return {
    method,
    url: new URL(`https://r.example${path}`),
    headers: {},
    ...(context === undefined ? {} : { context }),
  };
}

describe('scopesForRequest', () => {
  it.each([
    ['GET', '/v2/library/alpine/manifests/3.19', ['repository:library/alpine:pull']],
    ['HEAD', '/v2/a/blobs/sha256:00', ['repository:a:pull']],
    ['GET', '/v2/a/b/c/tags/list', ['repository:a/b/c:pull']],
    ['POST', '/v2/me/app/blobs/uploads/', ['repository:me/app:pull,push']],
    ['PATCH', '/v2/me/app/blobs/uploads/uuid', ['repository:me/app:pull,push']],
    ['DELETE', '/v2/me/app/manifests/sha256:00', ['repository:me/app:delete']],
    [
      'POST',
      '/v2/me/dst/blobs/uploads/?mount=sha256:00&from=other/src',
      ['repository:me/dst:pull,push', 'repository:other/src:pull'],
    ],
    ['GET', '/v2/_catalog', ['registry:catalog:*']],
    ['GET', '/v2/', []],
    ['GET', '/v2/%E0%A4%A/manifests/x', []],
    ['GET', '/other', []],
  ] as const)('%s %s', (method, path, expected) => {
    expect(scopesForRequest(req(method, path)).map(formatScope)).toEqual(expected);
  });

  it('prefers context hints', () => {
    expect(
      scopesForRequest(
        req('GET', '/v2/x/manifests/y', { repository: 'hint/repo', actions: ['push', 'pull'] }),
      ).map(formatScope),
    ).toEqual(['repository:hint/repo:pull,push']);
    expect(
      scopesForRequest(
        req('GET', '/v2/x/manifests/y', { repository: 'hint/repo', actions: [] }),
      ).map(formatScope),
    ).toEqual(['repository:x:pull']);
  });
});
