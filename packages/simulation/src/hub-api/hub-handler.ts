import { isValidNamespace } from '@llmdevops/docker-hub-core';
import { boundBody } from '../internal/bounded-body.js';
import { type RegistryState } from '../registry/state.js';
import { type BlobStore } from '../storage/blob-store.js';
import { type AccessTokenScope, scopeAllows, type SimulatorUser } from '../token-service/users.js';
import { hubAccount, hubLogin } from './hub-auth.js';
import { repositoryEntry, tagEntry } from './hub-entries.js';
import { hubError, hubJson, hubPage } from './hub-response.js';

/** Options of {@link createHubHandler}. @internal */
export interface HubHandlerOptions {
  readonly state: RegistryState;
  readonly store: BlobStore;
  readonly users: readonly SimulatorUser[];
  readonly now: () => number;
  readonly key: Uint8Array;
  readonly baseUrl?: string;
  /** Persists metadata after a change (tag delete, repository create). */
  readonly save: () => Promise<void>;
  /** Largest request body read; larger ones get 413 before authentication. */
  readonly maxBodyBytes: number;
}

const LOGIN_ROUTE = /^\/v2\/(?:auth\/token|users\/login|users\/2fa-login)\/?$/;
const SEARCH_ROUTE = /^\/v2\/search\/repositories\/?$/;
/** Docker Hub repository names: lowercase letters and digits, single separators, 2 to 255 characters. */
const REPOSITORY_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

const ORDERINGS = ['name', '-name', 'last_updated', '-last_updated', 'pull_count', '-pull_count'];
const REPO_ROUTE =
  /^\/v2\/(?:namespaces\/([^/]+)\/repositories|repositories\/([^/]+))(?:\/([^/]+)(?:\/tags(?:\/([^/]+))?)?)?\/?$/;

interface Caller {
  readonly user: SimulatorUser | undefined;
  owns(namespace: string): boolean;
  /** Whether the JWT's access-token scope covers `needed` (password logins cover every scope). */
  allows(needed: AccessTokenScope): boolean;
}

/** Docker Hub's answer when an access token's scope is too narrow for the call. */
const INSUFFICIENT_SCOPE = 'access denied: insufficient scope';

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

/**
 * The Hub API subset the client uses: logins, namespace repositories (current and legacy routes),
 * tags with metadata and DELETE, repository creation, and search; Docker Hub's paging throughout.
 * @param options - registry state, store, users, clock, signing key
 * @returns a handler answering Hub paths, or `undefined` for others
 * @internal
 */
export function createHubHandler(
  options: HubHandlerOptions,
): (request: Request) => Promise<Response | undefined> {
  const visible = (caller: Caller, name: string): boolean => {
    const repo = options.state.repos.get(name);
    return (
      repo !== undefined &&
      (!repo.isPrivate || (caller.owns(name.split('/')[0] ?? '') && caller.allows('repo:read')))
    );
  };
  const listRepos = (caller: Caller, url: URL, namespace: string | undefined): Response => {
    const ordering = url.searchParams.get('ordering') ?? 'name';
    if (!ORDERINGS.includes(ordering)) {
      return hubJson(400, {
        fields: { ordering: [`Invalid ordering value. Must be one of: ${ORDERINGS.join(', ')}`] },
        text: 'Invalid ordering value',
      });
    }
    const filter = url.searchParams.get('name') ?? url.searchParams.get('query') ?? '';
    const entries = [...options.state.repos.keys()]
      .filter(
        (n) =>
          (namespace === undefined || n.startsWith(`${namespace}/`)) &&
          n.includes(filter) &&
          visible(caller, n),
      )
      .map((n) =>
        repositoryEntry(n, options.state.repos.get(n) ?? options.state.ensure(n, options.now())),
      );
    return hubPage(order(entries, ordering), url, options.baseUrl ?? url.origin);
  };
  const search = (caller: Caller, url: URL): Response => {
    const query = url.searchParams.get('query') ?? '';
    const results = [...options.state.repos.entries()]
      .filter(
        ([n, r]) => visible(caller, n) && (n.includes(query) || r.description.includes(query)),
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
    return hubPage(results, url, options.baseUrl ?? url.origin);
  };
  const repoRoute = async (
    caller: Caller,
    request: Request,
    url: URL,
    m: RegExpExecArray,
  ): Promise<Response> => {
    const namespace = m[1] ?? m[2] ?? '';
    const repoName = m[3];
    const tag = m[4] === undefined ? undefined : decodeURIComponent(m[4]);
    const method = request.method;
    if (repoName === undefined) {
      if (method === 'POST') return createRepo(caller, request, namespace);
      return method === 'GET'
        ? listRepos(caller, url, namespace)
        : hubError(405, 'Method not allowed');
    }
    const name = `${namespace}/${repoName}`;
    const repo = options.state.repos.get(name);
    if (repo === undefined || !visible(caller, name)) return hubError(404, 'Object not found');
    const tagsRoute = url.pathname.includes('/tags');
    if (!tagsRoute)
      return method === 'GET' || method === 'HEAD'
        ? hubJson(200, repositoryEntry(name, repo))
        : hubError(405, 'Method not allowed');
    if (tag === undefined) {
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
        options.baseUrl ?? url.origin,
      );
    }
    if (method === 'DELETE') {
      if (caller.user === undefined)
        return hubJson(401, { detail: 'Authentication credentials were not provided.' });
      if (!caller.owns(namespace))
        return hubJson(403, { detail: 'You do not have permission to perform this action.' });
      if (!caller.allows('repo:admin')) return hubError(403, INSUFFICIENT_SCOPE);
      if (!repo.tags.delete(tag)) return hubError(404, 'Tag not found');
      await options.save();
      return new Response(null, { status: 204 });
    }
    const entry = await tagEntry(name, repo, tag, options.store);
    return entry === undefined ? hubError(404, 'Tag not found') : hubJson(200, entry);
  };
  const createRepo = async (
    caller: Caller,
    request: Request,
    namespace: string,
  ): Promise<Response> => {
    if (caller.user === undefined)
      return hubJson(401, { detail: 'Authentication credentials were not provided.' });
    if (!isValidNamespace(namespace))
      return hubJson(400, {
        fields: { namespace: ['Invalid namespace.'] },
        text: 'Invalid namespace',
      });
    if (!caller.owns(namespace))
      return hubJson(403, { detail: 'You do not have permission to perform this action.' });
    if (!caller.allows('repo:write')) return hubError(403, INSUFFICIENT_SCOPE);
    const b = (await request.json().catch(() => ({}))) as {
      name?: unknown;
      is_private?: unknown;
      description?: unknown;
    };
    if (
      typeof b.name !== 'string' ||
      !REPOSITORY_NAME.test(b.name) ||
      b.name.length < 2 ||
      b.name.length > 255
    ) {
      return hubJson(400, {
        fields: { name: ['Invalid repository name.'] },
        text: 'Invalid repository name',
      });
    }
    const repo = options.state.ensure(
      `${namespace}/${b.name}`,
      options.now(),
      b.is_private === true,
    );
    if (typeof b.description === 'string') repo.description = b.description;
    await options.save();
    return hubJson(201, repositoryEntry(`${namespace}/${b.name}`, repo));
  };
  return async (incoming) => {
    const url = new URL(incoming.url);
    const path = url.pathname;
    if (!LOGIN_ROUTE.test(path) && !SEARCH_ROUTE.test(path) && !REPO_ROUTE.test(path))
      return undefined;
    // Before any credential check: an anonymous sender cannot make the Hub hold a large body.
    const request = await boundBody(incoming, options.maxBodyBytes, () =>
      hubError(413, 'Request body too large'),
    );
    if (request instanceof Response) return request;
    if (request.method === 'POST' && path === '/v2/auth/token')
      return hubLogin(options, 'token', request);
    if (request.method === 'POST' && /^\/v2\/users\/login\/?$/.test(path))
      return hubLogin(options, 'login', request);
    if (request.method === 'POST' && /^\/v2\/users\/2fa-login\/?$/.test(path))
      return hubLogin(options, '2fa', request);
    const m = REPO_ROUTE.exec(path);
    const isSearch = SEARCH_ROUTE.test(path);
    if (m === null && !isSearch) return undefined;
    const account = hubAccount(options, request.headers.get('authorization'));
    if (account === 'invalid')
      return hubJson(401, { detail: 'Given token not valid for any token type' });
    const user = account?.user;
    const caller: Caller = {
      user,
      owns: (ns) =>
        user !== undefined && (user.namespaces === undefined || user.namespaces.includes(ns)),
      allows: (needed) => scopeAllows(account?.tokenScope, needed),
    };
    return m === null ? search(caller, url) : repoRoute(caller, request, url, m);
  };
}
