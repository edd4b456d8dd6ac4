import { OTHER_ROUTE } from '@llmdevops/docker-hub-transport';

/** Registry and Hub paths turned into templates so no repository, tag or digest becomes a label. */
const TEMPLATES: readonly (readonly [RegExp, string])[] = [
  [/^\/v2\/?$/, '/v2/'],
  [/^\/v2\/_catalog$/, '/v2/_catalog'],
  [/^\/v2\/.+\/manifests\/[^/]+$/, '/v2/{name}/manifests/{reference}'],
  [/^\/v2\/.+\/blobs\/uploads\/?$/, '/v2/{name}/blobs/uploads/'],
  [/^\/v2\/.+\/blobs\/uploads\/[^/]+$/, '/v2/{name}/blobs/uploads/{uuid}'],
  [/^\/v2\/.+\/blobs\/[^/]+$/, '/v2/{name}/blobs/{digest}'],
  [/^\/v2\/.+\/tags\/list$/, '/v2/{name}/tags/list'],
  [/^\/v2\/.+\/referrers\/[^/]+$/, '/v2/{name}/referrers/{digest}'],
  [/^\/token\/?$/, '/token'],
  [/^\/v2\/users\/login\/?$/, '/v2/users/login'],
  [/^\/v2\/auth\/token\/?$/, '/v2/auth/token'],
  [/^\/v2\/repositories\/[^/]+\/?$/, '/v2/repositories/{namespace}'],
  [/^\/v2\/repositories\/[^/]+\/[^/]+\/?$/, '/v2/repositories/{namespace}/{repository}'],
  [/^\/v2\/repositories\/[^/]+\/[^/]+\/tags\/?$/, '/v2/repositories/{namespace}/{repository}/tags'],
  [
    /^\/v2\/repositories\/[^/]+\/[^/]+\/tags\/[^/]+\/?$/,
    '/v2/repositories/{namespace}/{repository}/tags/{tag}',
  ],
];


/**
 * A low-cardinality route for spans and metrics: a caller's template (`context.route`, anything
 * containing `{`) is kept; a registry or Hub API path becomes its template; anything else is
 * `OTHER_ROUTE` (`{other}`), so names, tags and digests never become labels.
 * @param route - `context.route` or the URL path (never a query)
 * @returns the template
 * @public
 */
export function routeTemplate(route: string): string {
  if (route.includes('{')) return route;
  const path = route.split('?')[0] ?? '';
  for (const [pattern, template] of TEMPLATES) {
    if (pattern.test(path)) return template;
  }
  return OTHER_ROUTE;
}
