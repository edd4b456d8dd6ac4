import { isValidNamespace } from '@llmdevops/docker-hub-core';
import { type RegistryState, type RepositoryRecord } from '../registry/state.js';
import { type BlobStore } from '../storage/blob-store.js';
import { type Caller, fieldError, jsonObject, refuse } from './hub-caller.js';
import { repositoryEntry, type RepoPermissions, tagEntry } from './hub-entries.js';
import { hubError, hubJson, hubPage } from './hub-response.js';

/** What the repository, tag and search routes need. @internal */
export interface RepoRoutesOptions {
  readonly state: RegistryState;
  readonly store: BlobStore;
  readonly now: () => number;
  /** Public origin for paging links (default the request's). */
  readonly baseUrl?: string | undefined;
  /** Persists metadata after a change (tag delete, repository create). */
  readonly save: () => Promise<void>;
}

/** One call to a Hub API route. */
interface HubCall {
  readonly caller: Caller;
  readonly request: Request;
  readonly url: URL;
}

/** A call to one existing, visible repository (`namespace/name`). */
interface RepoCall extends HubCall {
  readonly namespace: string;
  readonly name: string;
  readonly repo: RepositoryRecord;
}

/** The parts of a repository route path. */
interface RepoTarget {
  readonly namespace: string;
  readonly repoName: string | undefined;
  readonly sub: string | undefined;
  readonly tag: string | undefined;
}

const SEARCH_ROUTE = /^\/v2\/search\/repositories\/?$/;
/** Docker Hub repository names: lowercase letters and digits, single separators, 2 to 255 characters. */
const REPOSITORY_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
/** `repo_creation_request.description` maxLength in the Hub API spec. */
const DESCRIPTION_MAX = 100;
/** `repo_creation_request.full_description` maxLength in the Hub API spec. */
const FULL_DESCRIPTION_MAX = 25_000;

const ORDERINGS = ['name', '-name', 'last_updated', '-last_updated', 'pull_count', '-pull_count'];
const REPO_ROUTE =
  /^\/v2\/(?:namespaces\/([^/]+)\/repositories|repositories\/([^/]+))(?:\/([^/]+)(?:\/(tags|privacy)(?:\/([^/]+))?)?)?\/?$/;

const notAllowed = (): Response => hubError(405, 'Method not allowed');
const emptyOk = (): Response => new Response(null, { status: 200 });

function sortKey(entry: Record<string, unknown>, field: string): string | number {
  const v = entry[field];
  return typeof v === 'number' ? v : typeof v === 'string' ? v : '';
}

function order(entries: Record<string, unknown>[], ordering: string): Record<string, unknown>[] {
  const field = ordering.replace(/^-/, '');
  const sign = ordering.startsWith('-') ? -1 : 1;
  return entries.sort((a, b) => {
    const x = sortKey(a, field);
    const y = sortKey(b, field);
    return (x < y ? -1 : x > y ? 1 : 0) * sign;
  });
}

/** Checks the optional `description` / `full_description` fields of a create or update body. */
function descriptions(b: Record<string, unknown>): Response | undefined {
  const d = b['description'];
  if (d !== undefined && (typeof d !== 'string' || d.length > DESCRIPTION_MAX))
    return fieldError(
      'description',
      `description must be text of at most ${DESCRIPTION_MAX} characters`,
    );
  const f = b['full_description'];
  if (f !== undefined && (typeof f !== 'string' || f.length > FULL_DESCRIPTION_MAX))
    return fieldError(
      'full_description',
      `full_description must be text of at most ${FULL_DESCRIPTION_MAX} characters`,
    );
  return undefined;
}

/** What the caller may do in `namespace`. */
function permissions(caller: Caller, namespace: string): RepoPermissions {
  const owner = caller.user !== undefined && caller.owns(namespace);
  return {
    read: true,
    write: owner && caller.allows('repo:write'),
    admin: owner && caller.allows('repo:admin'),
  };
}

/** The full repository entry (`repository_info`) as the caller sees it. */
function entry(caller: Caller, name: string, repo: RepositoryRecord): Record<string, unknown> {
  return repositoryEntry(name, repo, permissions(caller, name.slice(0, name.indexOf('/'))));
}

/** Whether the repository exists and the caller may see it (public, or private and its own). */
function visible(options: RepoRoutesOptions, caller: Caller, name: string): boolean {
  const repo = options.state.repos.get(name);
  return (
    repo !== undefined &&
    (!repo.isPrivate || (caller.owns(name.split('/')[0] ?? '') && caller.allows('repo:read')))
  );
}

/** The public origin for paging links. */
function baseOf(options: RepoRoutesOptions, url: URL): string {
  return options.baseUrl ?? url.origin;
}

/** `GET` a namespace's repositories: filtered, ordered, paged list entries. */
function listRepos(options: RepoRoutesOptions, call: HubCall, namespace: string): Response {
  const { caller, url } = call;
  const ordering = url.searchParams.get('ordering') ?? 'name';
  if (!ORDERINGS.includes(ordering)) {
    return hubJson(400, {
      fields: { ordering: [`Invalid ordering value. Must be one of: ${ORDERINGS.join(', ')}`] },
      text: 'Invalid ordering value',
    });
  }
  const filter = url.searchParams.get('name') ?? url.searchParams.get('query') ?? '';
  const entries = [...options.state.repos.entries()]
    .filter(
      ([n]) => n.startsWith(`${namespace}/`) && n.includes(filter) && visible(options, caller, n),
    )
    .map(([n, r]) => {
      // The list entry (`repository_list_entry`) has no README or permissions.
      const full = entry(caller, n, r);
      delete full['full_description'];
      delete full['permissions'];
      return full;
    });
  return hubPage(order(entries, ordering), url, baseOf(options, url));
}

/** `GET /v2/search/repositories`: visible repositories whose name or description has `query`. */
function search(options: RepoRoutesOptions, call: HubCall): Response {
  const { caller, url } = call;
  const query = url.searchParams.get('query') ?? '';
  const results = [...options.state.repos.entries()]
    .filter(
      ([n, r]) =>
        visible(options, caller, n) && (n.includes(query) || r.description.includes(query)),
    )
    .map(([n, r]) => ({
      repo_name: n.startsWith('library/') ? n.slice(8) : n,
      short_description: r.description,
      star_count: 0,
      pull_count: r.pullCount,
      repo_owner: '',
      is_automated: false,
      is_official: n.startsWith('library/'),
    }));
  return hubPage(results, url, baseOf(options, url));
}

/** Whether the caller may create a repository in `namespace`: 401, 400 or 403 when not. */
function refuseCreate(caller: Caller, namespace: string): Response | undefined {
  if (caller.user === undefined)
    return hubJson(401, { detail: 'Authentication credentials were not provided.' });
  if (!isValidNamespace(namespace))
    return hubJson(400, {
      fields: { namespace: ['Invalid namespace.'] },
      text: 'Invalid namespace',
    });
  return refuse(caller, namespace, 'repo:write');
}

/** Checks a creation body: its `name`, `namespace` and descriptions; the name when valid. */
function newRepoName(b: Record<string, unknown>, namespace: string): string | Response {
  const n = b['name'];
  if (typeof n !== 'string' || !REPOSITORY_NAME.test(n) || n.length < 2 || n.length > 255) {
    return hubJson(400, {
      fields: { name: ['Invalid repository name.'] },
      text: 'Invalid repository name',
    });
  }
  if (b['namespace'] !== undefined && b['namespace'] !== namespace)
    return fieldError('namespace', 'namespace in the body differs from the one in the path');
  return descriptions(b) ?? n;
}

/** `POST` a new repository into `namespace`. */
async function createRepo(
  options: RepoRoutesOptions,
  call: HubCall,
  namespace: string,
): Promise<Response> {
  const { caller, request } = call;
  const refused = refuseCreate(caller, namespace);
  if (refused !== undefined) return refused;
  const b = await jsonObject(request);
  if (b === undefined) return fieldError('body', 'expected a JSON object');
  const n = newRepoName(b, namespace);
  if (n instanceof Response) return n;
  const name = `${namespace}/${n}`;
  if (options.state.repos.has(name)) return hubError(400, `Repository ${name} already exists`);
  const repo = options.state.ensure(name, options.now(), b['is_private'] === true);
  if (typeof b['description'] === 'string') repo.description = b['description'];
  if (typeof b['full_description'] === 'string') repo.fullDescription = b['full_description'];
  await options.save();
  return hubJson(201, entry(caller, name, repo));
}

/** `PATCH` a repository's descriptions and privacy. */
async function updateRepo(options: RepoRoutesOptions, call: RepoCall): Promise<Response> {
  const { caller, request, name, repo } = call;
  const refused = refuse(caller, call.namespace, 'repo:admin');
  if (refused !== undefined) return refused;
  const b = await jsonObject(request);
  if (b === undefined) return fieldError('body', 'expected a JSON object');
  const bad = descriptions(b);
  if (bad !== undefined) return bad;
  if (b['is_private'] !== undefined && typeof b['is_private'] !== 'boolean')
    return fieldError('is_private', 'is_private must be true or false');
  if (typeof b['description'] === 'string') repo.description = b['description'];
  if (typeof b['full_description'] === 'string') repo.fullDescription = b['full_description'];
  if (typeof b['is_private'] === 'boolean') repo.isPrivate = b['is_private'];
  await options.save();
  return hubJson(200, entry(caller, name, repo));
}

/** `POST …/privacy`: sets `is_private`. */
async function setPrivacy(options: RepoRoutesOptions, call: RepoCall): Promise<Response> {
  const { caller, request, repo } = call;
  const refused = refuse(caller, call.namespace, 'repo:admin');
  if (refused !== undefined) return refused;
  const b = await jsonObject(request);
  if (typeof b?.['is_private'] !== 'boolean')
    return fieldError('is_private', 'is_private must be true or false');
  repo.isPrivate = b['is_private'];
  await options.save();
  return hubJson(200, { is_private: repo.isPrivate });
}

/** `DELETE` a repository. */
async function deleteRepo(options: RepoRoutesOptions, call: RepoCall): Promise<Response> {
  const refused = refuse(call.caller, call.namespace, 'repo:admin');
  if (refused !== undefined) return refused;
  options.state.repos.delete(call.name);
  await options.save();
  return new Response(null, { status: 202 });
}

/** `GET …/tags`: the repository's tags, ordered and paged. */
async function listTags(options: RepoRoutesOptions, call: RepoCall): Promise<Response> {
  const { url, name, repo } = call;
  const ordering = url.searchParams.get('ordering') ?? '-last_updated';
  const all = await Promise.all(
    [...repo.tags.keys()].sort().map((t) => tagEntry(name, repo, t, options.store)),
  );
  return hubPage(
    order(
      all.filter((t) => t !== undefined),
      ordering,
    ),
    url,
    baseOf(options, url),
  );
}

/** `DELETE …/tags/{tag}`. */
async function deleteTag(
  options: RepoRoutesOptions,
  call: RepoCall,
  tag: string,
): Promise<Response> {
  const refused = refuse(call.caller, call.namespace, 'repo:admin');
  if (refused !== undefined) return refused;
  if (!call.repo.tags.delete(tag)) return hubError(404, 'Tag not found');
  await options.save();
  return new Response(null, { status: 204 });
}

/** `GET` (or `HEAD`) `…/tags/{tag}`. */
async function getTag(options: RepoRoutesOptions, call: RepoCall, tag: string): Promise<Response> {
  const found = await tagEntry(call.name, call.repo, tag, options.store);
  if (found === undefined) return hubError(404, 'Tag not found');
  return call.request.method === 'HEAD' ? emptyOk() : hubJson(200, found);
}

/** `…/repositories` of a namespace: `POST` creates, `GET` lists. */
function collectionRoute(
  options: RepoRoutesOptions,
  call: HubCall,
  namespace: string,
): Promise<Response> | Response {
  const method = call.request.method;
  if (method === 'POST') return createRepo(options, call, namespace);
  return method === 'GET' ? listRepos(options, call, namespace) : notAllowed();
}

/** `…/repositories/{name}`: read, probe, update or delete the repository. */
function repositoryRoute(options: RepoRoutesOptions, call: RepoCall): Promise<Response> | Response {
  switch (call.request.method) {
    case 'GET':
      return hubJson(200, entry(call.caller, call.name, call.repo));
    case 'HEAD':
      return emptyOk();
    case 'PATCH':
      return updateRepo(options, call);
    case 'DELETE':
      return deleteRepo(options, call);
    default:
      return notAllowed();
  }
}

/** `…/tags` (every method but `HEAD` lists) and `…/tags/{tag}` (`DELETE`, else read). */
function tagsRoute(
  options: RepoRoutesOptions,
  call: RepoCall,
  tag: string | undefined,
): Promise<Response> | Response {
  const method = call.request.method;
  if (tag === undefined) return method === 'HEAD' ? emptyOk() : listTags(options, call);
  return method === 'DELETE' ? deleteTag(options, call, tag) : getTag(options, call, tag);
}

/** Splits a repository route match; the tag is percent-decoded. */
function repoTarget(m: RegExpExecArray): RepoTarget {
  return {
    namespace: m[1] ?? m[2] ?? '',
    repoName: m[3],
    sub: m[4],
    tag: m[5] === undefined ? undefined : decodeURIComponent(m[5]),
  };
}

/** Answers a repository route: the collection, or one visible repository. */
function repoRoute(
  options: RepoRoutesOptions,
  call: HubCall,
  m: RegExpExecArray,
): Promise<Response> | Response {
  const { namespace, repoName, sub, tag } = repoTarget(m);
  if (repoName === undefined) return collectionRoute(options, call, namespace);
  const name = `${namespace}/${repoName}`;
  const repo = options.state.repos.get(name);
  if (repo === undefined || !visible(options, call.caller, name))
    return hubError(404, 'Object not found');
  const target: RepoCall = { ...call, namespace, name, repo };
  if (sub === 'privacy')
    return call.request.method === 'POST' && tag === undefined
      ? setPrivacy(options, target)
      : notAllowed();
  if (sub === undefined) return repositoryRoute(options, target);
  return tagsRoute(options, target, tag);
}

/**
 * Namespace repositories (current and legacy routes) with create, update, privacy and delete,
 * tags with metadata and `DELETE`, and repository search; Docker Hub's paging throughout.
 * @param options - registry state, store, clock, save and base URL
 * @returns a route handler, answering `undefined` for other paths
 * @internal
 */
export function createRepoRoutes(
  options: RepoRoutesOptions,
): (caller: Caller, request: Request, url: URL) => Promise<Response | undefined> {
  return async (caller, request, url) => {
    const call: HubCall = { caller, request, url };
    const m = REPO_ROUTE.exec(url.pathname);
    if (m !== null) return repoRoute(options, call, m);
    return SEARCH_ROUTE.test(url.pathname) ? search(options, call) : undefined;
  };
}

/**
 * Whether a path is one of the repository, tag or search routes.
 * @param path - the request path
 * @returns whether {@link createRepoRoutes} answers it
 * @internal
 */
export function isRepoRoute(path: string): boolean {
  return REPO_ROUTE.test(path) || SEARCH_ROUTE.test(path);
}
