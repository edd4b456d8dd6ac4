import { describe, expect, it } from 'vitest';
import { OTHER_ROUTE } from '@llmdevops/docker-hub-transport';
import { routeTemplate } from './route-template.js';

describe('routeTemplate', () => {
  it.each([
    ['/v2/', '/v2/'],
    ['/v2', '/v2/'],
    ['/v2/_catalog', '/v2/_catalog'],
    ['/v2/library/alpine/manifests/3.19', '/v2/{name}/manifests/{reference}'],
    ['/v2/a/b/c/manifests/sha256:abc', '/v2/{name}/manifests/{reference}'],
    ['/v2/x/blobs/uploads/', '/v2/{name}/blobs/uploads/'],
    ['/v2/x/blobs/uploads/0f2c-uuid', '/v2/{name}/blobs/uploads/{uuid}'],
    ['/v2/x/blobs/sha256:00', '/v2/{name}/blobs/{digest}'],
    ['/v2/x/tags/list', '/v2/{name}/tags/list'],
    ['/v2/x/referrers/sha256:00', '/v2/{name}/referrers/{digest}'],
    ['/token', '/token'],
    ['/v2/users/login', '/v2/users/login'],
    ['/v2/auth/token', '/v2/auth/token'],
    ['/v2/repositories/me', '/v2/repositories/{namespace}'],
    ['/v2/repositories/me/app', '/v2/repositories/{namespace}/{repository}'],
    ['/v2/repositories/me/app/tags', '/v2/repositories/{namespace}/{repository}/tags'],
    ['/v2/repositories/me/app/tags/v1', '/v2/repositories/{namespace}/{repository}/tags/{tag}'],
    ['/v2/x/manifests/v1?secret=1', '/v2/{name}/manifests/{reference}'],
    ['/somewhere/else/private', OTHER_ROUTE],
    ['/v2/{name}/custom', '/v2/{name}/custom'],
  ])('%s -> %s', (input, expected) => {
    expect(routeTemplate(input)).toBe(expected);
  });
});
