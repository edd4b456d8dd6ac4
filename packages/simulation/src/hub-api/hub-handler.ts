import { isValidNamespace } from '@llmdevops/docker-hub-core';
import { boundBody } from '../internal/bounded-body.js';
import { type RegistryState, type RepositoryRecord } from '../registry/state.js';
import { type BlobStore } from '../storage/blob-store.js';
import { scopeAllows, type SimulatorUser } from '../token-service/users.js';
import { hubAccount, hubLogin } from './hub-auth.js';
import { type Caller, fieldError, jsonObject, refuse } from './hub-caller.js';
import { repositoryEntry, type RepoPermissions, tagEntry } from './hub-entries.js';
import { createOrgRoutes, isOrganization, isOrgRoute } from './hub-orgs.js';
import { HubApiRateLimiter, type HubApiRateLimitOptions } from './hub-rate-limit.js';
import { hubError, hubJson, hubPage } from './hub-response.js';
import { createTokenRoutes, isTokenRoute, syncAccessTokens } from './hub-tokens.js';

/** Options of {@link createHubHandler}. @internal */
export interface HubHandlerOptions {
  readonly state: RegistryState;
  readonly store: BlobStore;
  /**
   * The accounts every part of the simulator reads. The Hub handler rewrites this array's entries
   * so access tokens created through the Hub API log in everywhere; `baseUsers` keeps the
   * configured accounts.
   */
  readonly users: SimulatorUser[];
  /** The accounts as configured (default: a copy of `users`). */
  readonly baseUsers?: readonly SimulatorUser[];
  readonly now: () => number;
  readonly key: Uint8Array;
  readonly baseUrl?: string;
  /** Persists metadata after a change (tag delete, repository create). */
  readonly save: () => Promise<void>;
  /** Largest request body read; larger ones get 413 before authentication. */
  readonly maxBodyBytes: number;
  /** The Hub API rate limit (`X-RateLimit-*`, 429); `false` turns it off. */
  readonly rateLimit?: HubApiRateLimitOptions | false;
}

/** The Hub handler and the hook that applies stored access tokens to the accounts. @internal */
export interface HubHandler {
  (request: Request): Promise<Response | undefined>;
  /** Re-applies the stored access tokens to the accounts (after the state was restored). */
  syncAccessTokens(): void;
}

const LOGIN_ROUTE = /^\/v2\/(?:auth\/token|users\/login|users\/2fa-login)\/?$/;
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

/**
 * The Hub API the client uses: logins, namespace repositories (current and legacy routes) with
 * create, update, privacy and delete, tags with metadata and DELETE, search, personal and
 * organisation access tokens, organisation members and groups; Docker Hub's paging and its
 * documented API rate limit throughout.
 * @param options - registry state, store, users, clock, signing key
 * @returns a handler answering Hub paths, or `undefined` for others
 * @internal
 */
export function createHubHandler(options: HubHandlerOptions): HubHandler {
  const baseUsers = options.baseUsers ?? [...options.users];
  const tokenOptions = {
    state: options.state,
    now: options.now,
    save: options.save,
    users: options.users,
    baseUsers,
    isOrg: (org: string) => isOrganization(baseUsers, org),
  };
  const tokens = createTokenRoutes(tokenOptions);
  const orgs = createOrgRoutes({
    users: baseUsers,
    startedAt: options.now(),
    baseUrl: options.baseUrl,
  });
  const limiter =
    options.rateLimit === false
      ? undefined
      : new HubApiRateLimiter(
          typeof options.rateLimit === 'object' ? options.rateLimit : {},
          options.now,
        );
  const permissions = (caller: Caller, namespace: string): RepoPermissions => {
    const owner = caller.user !== undefined && caller.owns(namespace);
    return {
      read: true,
      write: owner && caller.allows('repo:write'),
      admin: owner && caller.allows('repo:admin'),
    };
  };
  const entry = (caller: Caller, name: string, repo: RepositoryRecord): Record<string, unknown> =>
    repositoryEntry(name, repo, permissions(caller, name.slice(0, name.indexOf('/'))));
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
    const entries = [...options.state.repos.entries()]
      .filter(
        ([n]) =>
          (namespace === undefined || n.startsWith(`${namespace}/`)) &&
          n.includes(filter) &&
          visible(caller, n),
      )
      .map(([n, r]) => {
        // The list entry (`repository_list_entry`) has no README or permissions.
        const full = entry(caller, n, r);
        delete full['full_description'];
        delete full['permissions'];
        return full;
      });
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
  const updateRepo = async (
    caller: Caller,
    request: Request,
    name: string,
    repo: RepositoryRecord,
  ): Promise<Response> => {
    const refused = refuse(caller, name.slice(0, name.indexOf('/')), 'repo:admin');
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
  };
  const setPrivacy = async (
    caller: Caller,
    request: Request,
    name: string,
    repo: RepositoryRecord,
  ): Promise<Response> => {
    const refused = refuse(caller, name.slice(0, name.indexOf('/')), 'repo:admin');
    if (refused !== undefined) return refused;
    const b = await jsonObject(request);
    if (typeof b?.['is_private'] !== 'boolean')
      return fieldError('is_private', 'is_private must be true or false');
    repo.isPrivate = b['is_private'];
    await options.save();
    return hubJson(200, { is_private: repo.isPrivate });
  };
  const deleteRepo = async (caller: Caller, name: string): Promise<Response> => {
    const refused = refuse(caller, name.slice(0, name.indexOf('/')), 'repo:admin');
    if (refused !== undefined) return refused;
    options.state.repos.delete(name);
    await options.save();
    return new Response(null, { status: 202 });
  };
  const repoRoute = async (
    caller: Caller,
    request: Request,
    url: URL,
    m: RegExpExecArray,
  ): Promise<Response> => {
    const namespace = m[1] ?? m[2] ?? '';
    const repoName = m[3];
    const sub = m[4];
    const tag = m[5] === undefined ? undefined : decodeURIComponent(m[5]);
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
    if (sub === 'privacy')
      return method === 'POST' && tag === undefined
        ? setPrivacy(caller, request, name, repo)
        : hubError(405, 'Method not allowed');
    if (sub === undefined) {
      if (method === 'GET') return hubJson(200, entry(caller, name, repo));
      if (method === 'HEAD') return new Response(null, { status: 200 });
      if (method === 'PATCH') return updateRepo(caller, request, name, repo);
      if (method === 'DELETE') return deleteRepo(caller, name);
      return hubError(405, 'Method not allowed');
    }
    if (tag === undefined) {
      if (method === 'HEAD') return new Response(null, { status: 200 });
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
      const refused = refuse(caller, namespace, 'repo:admin');
      if (refused !== undefined) return refused;
      if (!repo.tags.delete(tag)) return hubError(404, 'Tag not found');
      await options.save();
      return new Response(null, { status: 204 });
    }
    const found = await tagEntry(name, repo, tag, options.store);
    if (found === undefined) return hubError(404, 'Tag not found');
    return method === 'HEAD' ? new Response(null, { status: 200 }) : hubJson(200, found);
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
    const refused = refuse(caller, namespace, 'repo:write');
    if (refused !== undefined) return refused;
    const b = await jsonObject(request);
    if (b === undefined) return fieldError('body', 'expected a JSON object');
    const n = b['name'];
    if (typeof n !== 'string' || !REPOSITORY_NAME.test(n) || n.length < 2 || n.length > 255) {
      return hubJson(400, {
        fields: { name: ['Invalid repository name.'] },
        text: 'Invalid repository name',
      });
    }
    if (b['namespace'] !== undefined && b['namespace'] !== namespace)
      return fieldError('namespace', 'namespace in the body differs from the one in the path');
    const bad = descriptions(b);
    if (bad !== undefined) return bad;
    const name = `${namespace}/${n}`;
    if (options.state.repos.has(name)) return hubError(400, `Repository ${name} already exists`);
    const repo = options.state.ensure(name, options.now(), b['is_private'] === true);
    if (typeof b['description'] === 'string') repo.description = b['description'];
    if (typeof b['full_description'] === 'string') repo.fullDescription = b['full_description'];
    await options.save();
    return hubJson(201, entry(caller, name, repo));
  };
  const answer = async (incoming: Request): Promise<Response | undefined> => {
    const url = new URL(incoming.url);
    const path = url.pathname;
    const m = REPO_ROUTE.exec(path);
    const isSearch = SEARCH_ROUTE.test(path);
    const isLogin = LOGIN_ROUTE.test(path);
    const isTokens = isTokenRoute(path);
    const isOrgs = isOrgRoute(path);
    if (!isLogin && !isSearch && m === null && !isTokens && !isOrgs) return undefined;
    // Before any credential check: an anonymous sender cannot make the Hub hold a large body.
    const request = await boundBody(incoming, options.maxBodyBytes, () =>
      hubError(413, 'Request body too large'),
    );
    if (request instanceof Response) return request;
    if (isLogin) {
      if (request.method !== 'POST') return hubError(405, 'Method not allowed');
      if (path.startsWith('/v2/auth/token')) return hubLogin(options, 'token', request);
      if (path.startsWith('/v2/users/login')) return hubLogin(options, 'login', request);
      return hubLogin(options, '2fa', request);
    }
    const account = hubAccount(options, request.headers.get('authorization'));
    if (account === 'invalid')
      return hubJson(401, { detail: 'Given token not valid for any token type' });
    const user = account?.user;
    const caller: Caller = {
      user,
      tokenScope: account?.tokenScope,
      owns: (ns) =>
        user !== undefined && (user.namespaces === undefined || user.namespaces.includes(ns)),
      allows: (needed) => scopeAllows(account?.tokenScope, needed),
    };
    if (isTokens) return (await tokens(caller, request, url)) ?? hubError(404, 'Not found');
    if (isOrgs) return orgs(caller, request, url) ?? hubError(404, 'Not found');
    return m === null ? search(caller, url) : repoRoute(caller, request, url, m);
  };
  const handler = async (incoming: Request): Promise<Response | undefined> => {
    const path = new URL(incoming.url).pathname;
    const hub =
      LOGIN_ROUTE.test(path) ||
      SEARCH_ROUTE.test(path) ||
      REPO_ROUTE.test(path) ||
      isTokenRoute(path) ||
      isOrgRoute(path);
    if (!hub) return undefined;
    // Expired tokens stop logging in as soon as the Hub API is called again.
    syncAccessTokens(tokenOptions);
    const caller = hubAccount(options, incoming.headers.get('authorization'));
    const taken = limiter?.take(typeof caller === 'object' ? caller.user.name : '');
    if (taken?.refused !== undefined) {
      await incoming.body?.cancel().catch(() => undefined);
      return taken.refused;
    }
    const response = await answer(incoming);
    if (response !== undefined && taken !== undefined)
      for (const [k, v] of Object.entries(taken.headers)) response.headers.set(k, v);
    return response;
  };
  return Object.assign(handler, {
    syncAccessTokens: () => {
      syncAccessTokens(tokenOptions);
    },
  });
}
