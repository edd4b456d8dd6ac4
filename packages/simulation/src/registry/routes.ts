const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const NAME_RE = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const DIGEST_LIKE_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** A parsed registry API path. @internal */
export type RegistryRoute =
  | { readonly kind: 'ping' }
  | { readonly kind: 'ping-redirect' }
  | { readonly kind: 'catalog' }
  | { readonly kind: 'manifest'; readonly name: string; readonly reference: string }
  | { readonly kind: 'blob'; readonly name: string; readonly digest: string }
  | { readonly kind: 'upload-start'; readonly name: string }
  | { readonly kind: 'upload'; readonly name: string; readonly id: string }
  | { readonly kind: 'tags'; readonly name: string }
  | { readonly kind: 'referrers'; readonly name: string; readonly digest: string }
  | { readonly kind: 'invalid-name'; readonly name: string }
  | { readonly kind: 'invalid-reference'; readonly name: string; readonly reference: string };

/** Route kinds that name a repository. @internal */
export type RepositoryRoute = Extract<RegistryRoute, { name: string }>;

const PATTERNS: readonly [RegExp, (m: RegExpExecArray) => RegistryRoute | undefined][] = [
  [/^\/v2\/$/, () => ({ kind: 'ping' })],
  [/^\/v2$/, () => ({ kind: 'ping-redirect' })],
  [/^\/v2\/_catalog$/, () => ({ kind: 'catalog' })],
  [/^\/v2\/(.+)\/blobs\/uploads\/?$/, (m) => ({ kind: 'upload-start', name: m[1] ?? '' })],
  [
    /^\/v2\/(.+)\/blobs\/uploads\/([A-Za-z0-9-]+)$/,
    (m) => ({ kind: 'upload', name: m[1] ?? '', id: m[2] ?? '' }),
  ],
  [/^\/v2\/(.+)\/blobs\/([^/]+)$/, (m) => ({ kind: 'blob', name: m[1] ?? '', digest: m[2] ?? '' })],
  [/^\/v2\/(.+)\/tags\/list$/, (m) => ({ kind: 'tags', name: m[1] ?? '' })],
  [
    /^\/v2\/(.+)\/referrers\/([^/]+)$/,
    (m) => ({ kind: 'referrers', name: m[1] ?? '', digest: m[2] ?? '' }),
  ],
  [
    /^\/v2\/(.+)\/manifests\/([^/]+)$/,
    (m) => {
      const reference = m[2] ?? '';
      if (!TAG_RE.test(reference) && !DIGEST_LIKE_RE.test(reference)) {
        return { kind: 'invalid-reference', name: m[1] ?? '', reference };
      }
      return { kind: 'manifest', name: m[1] ?? '', reference };
    },
  ],
];

/**
 * Parses a registry API path (already percent-decoded).
 * @param pathname - the URL path
 * @returns the route, or `undefined` when the path is not a registry route
 * @internal
 */
export function parseRegistryRoute(pathname: string): RegistryRoute | undefined {
  for (const [re, build] of PATTERNS) {
    const m = re.exec(pathname);
    if (m === null) continue;
    const route = build(m);
    if (route === undefined) return undefined;
    if ('name' in route && (!NAME_RE.test(route.name) || route.name.length > 255)) {
      return { kind: 'invalid-name', name: route.name };
    }
    return route;
  }
  return undefined;
}

/**
 * Whether a string is a digest-shaped manifest reference (as opposed to a tag).
 * @param reference - tag or digest
 * @returns true for `alg:hex`
 * @internal
 */
export function isDigestReference(reference: string): boolean {
  return reference.includes(':');
}
