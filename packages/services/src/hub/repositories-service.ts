import { ValidationError } from '@llmdevops/docker-hub-core';
import type { CallOptions } from '../client/ref.js';
import { HubApi, type HubContext, type HubServiceOptions } from './hub-api.js';
import {
  HubRepositorySchema,
  HubSearchResultSchema,
  V1SearchPageSchema,
  hubPageSchema,
  type HubRepository,
  type HubSearchResult,
} from './hub-schemas.js';

/** `ordering` values the Hub API accepts for repositories. @public */
export type RepositoryOrdering =
  'name' | '-name' | 'last_updated' | '-last_updated' | 'pull_count' | '-pull_count';

/** Paging options shared by Hub lists. @public */
export interface HubPageOptions extends CallOptions {
  /** Items per page, 1..100 (Docker Hub's maximum; default 100). */
  readonly pageSize?: number;
  /** Pages fetched at most; iteration ends quietly there (default 100). */
  readonly maxPages?: number;
}

/** Options of {@link RepositoriesService.list}. @public */
export interface ListRepositoriesOptions extends HubPageOptions {
  /** Sort order. */
  readonly ordering?: RepositoryOrdering;
  /** Partial-match name filter. */
  readonly name?: string;
}

/** Options of {@link RepositoriesService.search}. @public */
export interface SearchOptions extends HubPageOptions {
  /** Registry index for the `/v1/search` fallback (default `https://index.docker.io` for Docker Hub, else the Hub URL). */
  readonly indexUrl?: string;
}

const NAMESPACE = /^[a-z0-9][a-z0-9_.-]{0,254}$/i;
const REPO = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const DOCKER_HUB_API = 'https://hub.docker.com';

/**
 * Checks paging options.
 * @param options - the options
 * @returns page size and cap
 * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} for a page size outside 1..100 or a cap below 1
 * @internal
 */
export function pageLimits(options: HubPageOptions): { pageSize: number; maxPages: number } {
  const pageSize = options.pageSize ?? 100;
  const maxPages = options.maxPages ?? 100;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
    throw new ValidationError(
      'INVALID_ARGUMENT',
      'pageSize must be a whole number from 1 to 100 (Docker Hub maximum)',
      String(pageSize),
    );
  }
  if (!Number.isInteger(maxPages) || maxPages < 1)
    throw new ValidationError(
      'INVALID_ARGUMENT',
      'maxPages must be a positive whole number',
      String(maxPages),
    );
  return { pageSize, maxPages };
}

/**
 * Checks a namespace and optional repository name before they go into a URL.
 * @param namespace - user or organization
 * @param name - repository name
 * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} (`INVALID_NAMESPACE`, `INVALID_NAME`)
 * @internal
 */
export function checkNames(namespace: string, name?: string): void {
  if (!NAMESPACE.test(namespace))
    throw new ValidationError(
      'INVALID_NAMESPACE',
      'namespace must be a Docker Hub user or organization name',
      namespace,
    );
  if (name !== undefined && !REPO.test(name))
    throw new ValidationError(
      'INVALID_NAME',
      'repository name must match [a-z0-9]+([._-][a-z0-9]+)*',
      name,
    );
}

/**
 * Docker Hub repositories through the Hub API: list a namespace, get one, search (seed F-06, F-07).
 * @example
 * ```ts
 * for await (const repo of client.repositories.list('library', { ordering: '-pull_count' })) console.log(repo.name);
 * ```
 * @public
 */
export class RepositoriesService {
  readonly #api: HubApi;
  readonly #hubUrl: string;

  /**
   * @param ctx - transport, Hub URL and session (the client's `ClientContext` fits)
   * @param options - shared Hub rate-limit tracker, clock
   */
  constructor(ctx: HubContext, options: HubServiceOptions = {}) {
    this.#api = new HubApi(ctx, options);
    this.#hubUrl = ctx.config.hubUrl;
  }

  /**
   * The repositories of a namespace, page by page, from `GET /v2/namespaces/{ns}/repositories`,
   * falling back to the legacy `GET /v2/repositories/{ns}/` where the former is missing. Private
   * repositories appear when Hub credentials allow. A page past the end (404) ends iteration.
   * @param namespace - user or organization (`library` for official images)
   * @param options - ordering, name filter, page size, page cap, signal
   * @returns an async iterable of pages
   * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError}; {@link @llmdevops/docker-hub-core!NotFoundError | NotFoundError} for an unknown namespace; {@link @llmdevops/docker-hub-core!RateLimitError | RateLimitError}
   */
  async *pages(
    namespace: string,
    options: ListRepositoriesOptions = {},
  ): AsyncIterable<HubRepository[]> {
    checkNames(namespace);
    const { pageSize, maxPages } = pageLimits(options);
    const query = { page_size: pageSize, ordering: options.ordering, name: options.name };
    const ns = encodeURIComponent(namespace);
    yield* this.#api.pages(
      {
        method: 'GET',
        url: this.#api.url(`v2/namespaces/${ns}/repositories`, query),
        operation: 'hub.repositories.list',
        what: `list repositories of ${namespace}`,
        auth: 'optional',
        signal: options.signal,
      },
      hubPageSchema(HubRepositorySchema),
      { maxPages, fallback: this.#api.url(`v2/repositories/${ns}/`, query) },
    );
  }

  /**
   * The repositories of a namespace, one by one (lazily, across pages).
   * @param namespace - user or organization
   * @param options - ordering, name filter, page size, page cap, signal
   * @returns an async iterable of repositories
   * @throws see {@link RepositoriesService.pages}
   */
  async *list(
    namespace: string,
    options: ListRepositoriesOptions = {},
  ): AsyncIterable<HubRepository> {
    for await (const page of this.pages(namespace, options)) yield* page;
  }

  /**
   * One repository (`GET /v2/namespaces/{ns}/repositories/{repo}`, legacy route as fallback).
   * @param namespace - user or organization
   * @param name - repository name
   * @param options - signal
   * @returns the repository
   * @throws {@link @llmdevops/docker-hub-core!NotFoundError | NotFoundError} when it does not exist or is private to others
   */
  async get(namespace: string, name: string, options: CallOptions = {}): Promise<HubRepository> {
    checkNames(namespace, name);
    const attributes = { 'docker_hub.namespace': namespace, 'docker_hub.repository': `${namespace}/${name}` };
    return this.#api.run('hub.repositories.get', attributes, () => this.#get(namespace, name, options));
  }

  async #get(namespace: string, name: string, options: CallOptions): Promise<HubRepository> {
    const ns = encodeURIComponent(namespace);
    return this.#api.getWithLegacyRoute(
      { operation: 'hub.repositories.get', what: `get repository ${namespace}/${name}`, auth: 'optional', signal: options.signal },
      {
        current: this.#api.url(`v2/namespaces/${ns}/repositories/${name}`),
        legacy: this.#api.url(`v2/repositories/${ns}/${name}/`),
      },
      HubRepositorySchema,
    );
  }


  /**
   * Searches Docker Hub: `GET /v2/search/repositories/?query=` (the route the ecosystem uses;
   * undocumented), falling back to the registry's `GET /v1/search?q=` (what `docker search`
   * calls) where it is missing.
   * @param query - search text
   * @param options - page size, page cap, fallback index URL, signal
   * @returns an async iterable of results
   * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} for an empty query; the typed Hub errors
   */
  async *search(query: string, options: SearchOptions = {}): AsyncIterable<HubSearchResult> {
    if (query.trim() === '')
      throw new ValidationError('INVALID_ARGUMENT', 'search query must not be empty', query);
    const { pageSize, maxPages } = pageLimits(options);
    const what = `search ${JSON.stringify(query)}`;
    const call = {
      method: 'GET',
      operation: 'hub.search',
      what,
      auth: 'optional',
      signal: options.signal,
    } as const;
    const route = { missing: false };
    const pages = this.#api.pages(
      { ...call, url: this.#api.url('v2/search/repositories/', { query, page_size: pageSize }) },
      hubPageSchema(HubSearchResultSchema),
      {
        maxPages,
        onMissingRoute: () => {
          route.missing = true;
        },
      },
    );
    for await (const page of pages) yield* page;
    if (route.missing) yield* this.#v1Search(query, options, { pageSize, maxPages });
  }

  async *#v1Search(
    query: string,
    options: SearchOptions,
    limits: { pageSize: number; maxPages: number },
  ): AsyncIterable<HubSearchResult> {
    const index =
      options.indexUrl ??
      (this.#hubUrl === DOCKER_HUB_API ? 'https://index.docker.io' : this.#hubUrl);
    const what = `search ${JSON.stringify(query)} (/v1/search)`;
    for (let page = 1; page <= limits.maxPages; page++) {
      const url = new URL('v1/search', index.endsWith('/') ? index : `${index}/`);
      url.searchParams.set('q', query);
      url.searchParams.set('n', String(limits.pageSize));
      url.searchParams.set('page', String(page));
      const res = await this.#api.send({
        method: 'GET',
        url,
        operation: 'hub.search.v1',
        what,
        auth: 'none',
        signal: options.signal,
      });
      if (res.status === 404 && page > 1) {
        await res.dump();
        return;
      }
      const body = await this.#api.parse(
        await this.#api.check(res, what, [200]),
        V1SearchPageSchema,
        what,
      );
      yield* body.results;
      if (body.results.length === 0 || (body.num_pages ?? 1) <= page) return;
    }
  }
}
