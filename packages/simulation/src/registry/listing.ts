import { type RegistryCall, type RegistryContext } from './context.js';
import { jsonResponse, registryError } from './errors.js';
import { MANIFEST_TYPES } from './manifest-parse.js';

const MAX_PAGE = 1000;
/** Referrers per answer of the referrers API; more are paged with `Link` (the spec lets the registry choose). */
const REFERRERS_PAGE = 50;

/**
 * Applies `n` and `last` to a sorted list and builds the relative `Link` for the next page.
 * @param items - the full sorted list
 * @param url - the request URL
 * @returns the page and headers, or the error for a bad `n`
 * @internal
 */
export function paginate(
  items: readonly string[],
  url: URL,
): { page: string[]; headers: Record<string, string> } | Response {
  const nRaw = url.searchParams.get('n');
  const last = url.searchParams.get('last');
  const n = nRaw !== null && /^\d+$/.test(nRaw) ? Number(nRaw) : undefined;
  if (n !== undefined && n > MAX_PAGE) {
    return registryError(400, { code: 'PAGINATION_NUMBER_INVALID', detail: { n } });
  }
  const after = last === null ? items : items.filter((t) => t > last);
  const page = n === undefined ? [...after] : after.slice(0, n);
  const headers: Record<string, string> = {};
  const lastItem = page.at(-1);
  if (n !== undefined && n > 0 && after.length > n && lastItem !== undefined) {
    const next = new URLSearchParams({ last: lastItem, n: String(n) });
    headers['link'] = `<${url.pathname}?${next.toString()}>; rel="next"`;
  }
  return { page, headers };
}

/**
 * `GET /v2/<name>/tags/list`, paged or not per the profile.
 * @param ctx - registry context
 * @param call - the request
 * @param name - repository name
 * @returns the tag list
 * @internal
 */
export function listTags(ctx: RegistryContext, call: RegistryCall, name: string): Response {
  const repo = ctx.state.repos.get(name);
  if (repo === undefined) return registryError(404, { code: 'NAME_UNKNOWN', detail: { name } });
  const pushed = [...repo.tags.keys()];
  const tags = ctx.rules.tagOrder === 'pushed' ? pushed : pushed.sort();
  if (tags.length === 0 && ctx.rules.emptyTagList === 'null')
    return jsonResponse(200, { name, tags: null });
  if (ctx.rules.tagListPaging === 'ignored') return jsonResponse(200, { name, tags });
  const paged = paginate(tags, call.url);
  if (paged instanceof Response) return paged;
  return jsonResponse(200, { name, tags: paged.page }, paged.headers);
}

/**
 * `GET /v2/_catalog`: repositories with blobs or manifests, sorted, paged.
 * @param ctx - registry context
 * @param call - the request
 * @returns the catalog
 * @internal
 */
export function listCatalog(ctx: RegistryContext, call: RegistryCall): Response {
  if (ctx.rules.catalog === 'unauthorized-401') {
    return registryError(401, {
      code: 'UNAUTHORIZED',
      detail: [{ Type: 'registry', Class: '', Name: 'catalog', Action: '*' }],
    });
  }
  const names = [...ctx.state.repos]
    .filter(([, r]) => r.blobs.size > 0 || r.manifests.size > 0)
    .map(([n]) => n)
    .sort();
  const paged = paginate(names, call.url);
  if (paged instanceof Response) return paged;
  return jsonResponse(200, { repositories: paged.page }, paged.headers);
}

/**
 * `GET /v2/<name>/referrers/<digest>`: an image index of the manifests whose `subject` is the
 * digest, filtered by `artifactType` (with `OCI-Filters-Applied`), in digest order, at most
 * {@link REFERRERS_PAGE} per answer with a `Link` to the next page (`last=<digest>`).
 * @param ctx - registry context
 * @param call - the request
 * @param target - repository and subject digest
 * @returns the index (200 even when empty)
 * @internal
 */
export function listReferrers(
  ctx: RegistryContext,
  call: RegistryCall,
  target: { name: string; digest: string },
): Response {
  const filter = call.url.searchParams.get('artifactType');
  const last = call.url.searchParams.get('last');
  const all = [...(ctx.state.repos.get(target.name)?.manifests ?? [])]
    .filter(([, m]) => m.subject === target.digest)
    .filter(([, m]) => filter === null || m.artifactType === filter)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const after = last === null ? all : all.filter(([digest]) => digest > last);
  const manifests = after.slice(0, REFERRERS_PAGE).map(([digest, m]) => ({
    mediaType: m.mediaType,
    digest,
    size: m.size,
    ...(m.artifactType === undefined ? {} : { artifactType: m.artifactType }),
    ...(m.annotations === undefined ? {} : { annotations: m.annotations }),
  }));
  const headers: Record<string, string> = { 'content-type': MANIFEST_TYPES.ociIndex };
  if (filter !== null) headers['oci-filters-applied'] = 'artifactType';
  const lastShown = manifests.at(-1)?.digest;
  if (after.length > REFERRERS_PAGE && lastShown !== undefined) {
    const next = new URLSearchParams({
      last: lastShown,
      ...(filter === null ? {} : { artifactType: filter }),
    });
    headers['link'] = `<${call.url.pathname}?${next.toString()}>; rel="next"`;
  }
  return jsonResponse(
    200,
    { schemaVersion: 2, mediaType: MANIFEST_TYPES.ociIndex, manifests },
    headers,
  );
}
