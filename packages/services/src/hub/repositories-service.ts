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

/** What {@link RepositoriesService.create} sets. @public */
export interface CreateRepositoryOptions extends CallOptions {
  /** Short description, at most 100 characters. */
  readonly description?: string;
  /** Full description (the README, Markdown), at most 25,000 characters. */
  readonly fullDescription?: string;
  /** Private repository (default public). */
  readonly isPrivate?: boolean;
}

/** What {@link RepositoriesService.update} changes; fields left out stay as they are. @public */
export interface UpdateRepositoryOptions extends CallOptions {
  /** Short description, at most 100 characters. */
  readonly description?: string;
  /** Full description (the README, Markdown), at most 25,000 characters. */
  readonly fullDescription?: string;
  /** Visibility: true private, false public. */
  readonly isPrivate?: boolean;
}

/**
 * Longest short description: `repo_creation_request.description` `maxLength` in Docker's Hub API
 * spec (and the Hub UI's limit).
 * @public
 */
export const HUB_DESCRIPTION_MAX_CHARS = 100;
/**
 * Longest full description (README): `repo_creation_request.full_description` `maxLength` in
 * Docker's Hub API spec, counted in characters (Unicode code points, as JSON Schema counts).
 * @public
 */
export const HUB_FULL_DESCRIPTION_MAX_CHARS = 25_000;

/**
 * Characters in a text as JSON Schema's `maxLength` counts them (Unicode code points).
 * @param text - the text
 * @returns the count
 * @internal
 */
export function charCount(text: string): number {
  // A surrogate pair is one code point.
  return text.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '_').length;
}

function checkDescriptions(options: { description?: string; fullDescription?: string }): void {
  const { description, fullDescription } = options;
  if (description !== undefined && charCount(description) > HUB_DESCRIPTION_MAX_CHARS)
    throw new ValidationError(
      'INVALID_ARGUMENT',
      `description must be at most ${HUB_DESCRIPTION_MAX_CHARS} characters (Docker Hub API), got ${charCount(description)}`,
      description.slice(0, 40),
    );
  if (fullDescription !== undefined && charCount(fullDescription) > HUB_FULL_DESCRIPTION_MAX_CHARS)
    throw new ValidationError(
      'INVALID_ARGUMENT',
      `full description (README) must be at most ${HUB_FULL_DESCRIPTION_MAX_CHARS.toLocaleString('en-US')} characters (Docker Hub API), got ${charCount(fullDescription).toLocaleString('en-US')}`,
      `${charCount(fullDescription)} characters`,
    );
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
    const attributes = {
      'docker_hub.namespace': namespace,
      'docker_hub.repository': `${namespace}/${name}`,
    };
    return this.#api.run('hub.repositories.get', attributes, () =>
      this.#get(namespace, name, options),
    );
  }

  async #get(namespace: string, name: string, options: CallOptions): Promise<HubRepository> {
    const ns = encodeURIComponent(namespace);
    return this.#api.getWithLegacyRoute(
      {
        operation: 'hub.repositories.get',
        what: `get repository ${namespace}/${name}`,
        auth: 'optional',
        signal: options.signal,
      },
      {
        current: this.#api.url(`v2/namespaces/${ns}/repositories/${name}`),
        legacy: this.#api.url(`v2/repositories/${ns}/${name}/`),
      },
      HubRepositorySchema,
    );
  }

  /**
   * Creates a repository (`POST /v2/namespaces/{ns}/repositories`): name, short and full
   * description, visibility. Needs Hub credentials allowed to create in `namespace` (an access
   * token with `repo:write`).
   * @param namespace - user or organization
   * @param name - repository name (`[a-z0-9]+([._-][a-z0-9]+)*`, 2 to 255 characters)
   * @param options - descriptions, visibility, signal
   * @returns the repository as Docker Hub created it
   * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} for a bad name or a description over its limit (nothing is sent);
   *   {@link @llmdevops/docker-hub-core!AuthorizationError | AuthorizationError} (403) naming the missing scope; {@link @llmdevops/docker-hub-core!AuthenticationError | AuthenticationError} without credentials
   */
  async create(
    namespace: string,
    name: string,
    options: CreateRepositoryOptions = {},
  ): Promise<HubRepository> {
    checkNames(namespace, name);
    if (name.length < 2 || name.length > 255)
      throw new ValidationError(
        'INVALID_NAME',
        'repository name must be 2 to 255 characters',
        name,
      );
    checkDescriptions(options);
    const attributes = {
      'docker_hub.namespace': namespace,
      'docker_hub.repository': `${namespace}/${name}`,
    };
    return this.#api.run('hub.repositories.create', attributes, async () => {
      const what = `create repository ${namespace}/${name}`;
      const res = await this.#api.expect(
        {
          method: 'POST',
          url: this.#api.url(`v2/namespaces/${encodeURIComponent(namespace)}/repositories`),
          operation: 'hub.repositories.create',
          what,
          auth: 'required',
          signal: options.signal,
          scope: 'repo:write',
          body: {
            namespace,
            name,
            is_private: options.isPrivate ?? false,
            ...(options.description === undefined ? {} : { description: options.description }),
            ...(options.fullDescription === undefined
              ? {}
              : { full_description: options.fullDescription }),
          },
        },
        [200, 201],
      );
      return this.#api.parse(res, HubRepositorySchema, what);
    });
  }

  /**
   * Changes a repository's short description, full description (README) and visibility. The
   * descriptions go in one `PATCH /v2/repositories/{ns}/{name}/` (what Docker's own tools and the
   * dockerhub-description action send; the spec has no update route), the visibility through
   * `POST /v2/repositories/{ns}/{name}/privacy/`. Needs `repo:admin` for an access token.
   * @param namespace - user or organization
   * @param name - repository name
   * @param options - what to change (at least one), signal
   * @returns the repository after the change
   * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} when nothing is to change or a description is over its limit (nothing is sent);
   *   {@link @llmdevops/docker-hub-core!AuthorizationError | AuthorizationError} naming the missing scope; {@link @llmdevops/docker-hub-core!NotFoundError | NotFoundError}
   */
  async update(
    namespace: string,
    name: string,
    options: UpdateRepositoryOptions,
  ): Promise<HubRepository> {
    checkNames(namespace, name);
    checkDescriptions(options);
    const { description, fullDescription, isPrivate } = options;
    if (description === undefined && fullDescription === undefined && isPrivate === undefined)
      throw new ValidationError(
        'INVALID_ARGUMENT',
        'repositories.update needs description, fullDescription or isPrivate',
        `${namespace}/${name}`,
      );
    const attributes = {
      'docker_hub.namespace': namespace,
      'docker_hub.repository': `${namespace}/${name}`,
    };
    return this.#api.run('hub.repositories.update', attributes, async () => {
      const base = `v2/repositories/${encodeURIComponent(namespace)}/${name}/`;
      const what = `update repository ${namespace}/${name}`;
      const call = {
        auth: 'required',
        signal: options.signal,
        scope: 'repo:admin',
        idempotent: true,
      } as const;
      if (description !== undefined || fullDescription !== undefined) {
        const res = await this.#api.expect(
          {
            ...call,
            method: 'PATCH',
            url: this.#api.url(base),
            operation: 'hub.repositories.update',
            what,
            body: {
              ...(description === undefined ? {} : { description }),
              ...(fullDescription === undefined ? {} : { full_description: fullDescription }),
            },
          },
          [200],
        );
        await res.dump();
      }
      if (isPrivate !== undefined) {
        const res = await this.#api.expect(
          {
            ...call,
            method: 'POST',
            url: this.#api.url(`${base}privacy/`),
            operation: 'hub.repositories.privacy',
            what: `make ${namespace}/${name} ${isPrivate ? 'private' : 'public'}`,
            body: { is_private: isPrivate },
          },
          [200, 201, 204],
        );
        await res.dump();
      }
      return this.#get(namespace, name, options);
    });
  }

  /**
   * Deletes a repository with all its tags and images (`DELETE /v2/repositories/{ns}/{name}/`,
   * as docker/hub-tool sends it; not in the spec). Cannot be undone. Needs `repo:admin` for an
   * access token.
   * @param namespace - user or organization
   * @param name - repository name
   * @param options - signal
   * @returns when deleted
   * @throws {@link @llmdevops/docker-hub-core!AuthorizationError | AuthorizationError} naming the missing scope; {@link @llmdevops/docker-hub-core!NotFoundError | NotFoundError}
   */
  async delete(namespace: string, name: string, options: CallOptions = {}): Promise<void> {
    checkNames(namespace, name);
    const attributes = {
      'docker_hub.namespace': namespace,
      'docker_hub.repository': `${namespace}/${name}`,
    };
    await this.#api.run('hub.repositories.delete', attributes, async () => {
      const res = await this.#api.expect(
        {
          method: 'DELETE',
          url: this.#api.url(`v2/repositories/${encodeURIComponent(namespace)}/${name}/`),
          operation: 'hub.repositories.delete',
          what: `delete repository ${namespace}/${name}`,
          auth: 'required',
          signal: options.signal,
          scope: 'repo:admin',
        },
        [200, 202, 204],
      );
      await res.dump();
    });
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
