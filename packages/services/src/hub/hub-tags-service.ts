import { ValidationError } from '@llmdevops/docker-hub-core';
import type { CallOptions } from '../client/ref.js';
import { HubApi, type HubContext, type HubServiceOptions } from './hub-api.js';
import { HubTagSchema, hubPageSchema, type HubTag } from './hub-schemas.js';
import { checkNames, pageLimits, type HubPageOptions } from './repositories-service.js';

/** `ordering` values for Hub tag lists. @public */
export type TagOrdering = 'last_updated' | '-last_updated' | 'name' | '-name';

/** Options of {@link HubTagsService.list}. @public */
export interface ListHubTagsOptions extends HubPageOptions {
  /** Sort order (Docker Hub's default is newest first). */
  readonly ordering?: TagOrdering;
  /** Partial-match tag name filter (used by the Hub UI; not in the OpenAPI spec). */
  readonly name?: string;
}

const TAG = /^[\w][\w.-]{0,127}$/;

function checkTag(tag: string): void {
  if (!TAG.test(tag))
    throw new ValidationError('INVALID_TAG', 'tag must match [\\w][\\w.-]{0,127}', tag);
}

/** Span attributes of a Hub tag (never tokens). */
function tagAttributes(namespace: string, repository: string, tag: string): Record<string, string> {
  return {
    'docker_hub.namespace': namespace,
    'docker_hub.repository': `${namespace}/${repository}`,
    'docker_hub.reference': tag,
  };
}

/**
 * Docker Hub's tag metadata beside the registry's plain tag list: digest, media type, sizes,
 * `last_updated`/`last_pushed`/`last_pulled` and per-platform `images` (seed F-08); and tag
 * deletion through the Hub API, the only way on Docker Hub (its registry answers 405).
 * @example
 * ```ts
 * const tag = await client.hubTags.get('library', 'alpine', '3.19');
 * console.log(tag.lastPushed, tag.images.map((i) => `${i.platform} ${i.digest}`));
 * ```
 * @public
 */
export class HubTagsService {
  readonly #api: HubApi;

  /**
   * @param ctx - transport, Hub URL and session (the client's `ClientContext` fits)
   * @param options - shared Hub rate-limit tracker, clock
   */
  constructor(ctx: HubContext, options: HubServiceOptions = {}) {
    this.#api = new HubApi(ctx, options);
  }

  /**
   * Tag metadata page by page (`GET /v2/namespaces/{ns}/repositories/{repo}/tags`, the legacy
   * `/v2/repositories/{ns}/{repo}/tags/` as fallback). A page past the end (404) ends iteration.
   * @param namespace - user or organization (`library` for official images)
   * @param repository - repository name
   * @param options - ordering, name filter, page size, page cap, signal
   * @returns an async iterable of pages
   * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError}; {@link @llmdevops/docker-hub-core!NotFoundError | NotFoundError} for an unknown repository
   */
  async *pages(
    namespace: string,
    repository: string,
    options: ListHubTagsOptions = {},
  ): AsyncIterable<HubTag[]> {
    checkNames(namespace, repository);
    const { pageSize, maxPages } = pageLimits(options);
    const query = { page_size: pageSize, ordering: options.ordering, name: options.name };
    const ns = encodeURIComponent(namespace);
    yield* this.#api.pages(
      {
        method: 'GET',
        url: this.#api.url(`v2/namespaces/${ns}/repositories/${repository}/tags`, query),
        operation: 'hub.tags.list',
        what: `list Hub tags of ${namespace}/${repository}`,
        auth: 'optional',
        signal: options.signal,
      },
      hubPageSchema(HubTagSchema),
      { maxPages, fallback: this.#api.url(`v2/repositories/${ns}/${repository}/tags/`, query) },
    );
  }

  /**
   * Tag metadata one by one (lazily, across pages).
   * @param namespace - user or organization
   * @param repository - repository name
   * @param options - ordering, name filter, page size, page cap, signal
   * @returns an async iterable of tags
   * @throws see {@link HubTagsService.pages}
   */
  async *list(
    namespace: string,
    repository: string,
    options: ListHubTagsOptions = {},
  ): AsyncIterable<HubTag> {
    for await (const page of this.pages(namespace, repository, options)) yield* page;
  }

  /**
   * One tag's metadata (`GET .../tags/{tag}`, legacy route as fallback).
   * @param namespace - user or organization
   * @param repository - repository name
   * @param tag - the tag
   * @param options - signal
   * @returns the tag with its per-platform images
   * @throws {@link @llmdevops/docker-hub-core!NotFoundError | NotFoundError} when the tag does not exist
   */
  async get(
    namespace: string,
    repository: string,
    tag: string,
    options: CallOptions = {},
  ): Promise<HubTag> {
    checkNames(namespace, repository);
    checkTag(tag);
    return this.#api.run('hub.tags.get', tagAttributes(namespace, repository, tag), () =>
      this.#get(namespace, repository, tag, options),
    );
  }

  async #get(
    namespace: string,
    repository: string,
    tag: string,
    options: CallOptions,
  ): Promise<HubTag> {
    const ns = encodeURIComponent(namespace);
    return this.#api.getWithLegacyRoute(
      {
        operation: 'hub.tags.get',
        what: `get Hub tag ${namespace}/${repository}:${tag}`,
        auth: 'optional',
        signal: options.signal,
      },
      {
        current: this.#api.url(`v2/namespaces/${ns}/repositories/${repository}/tags/${tag}`),
        legacy: this.#api.url(`v2/repositories/${ns}/${repository}/tags/${tag}/`),
      },
      HubTagSchema,
    );
  }

  /**
   * Deletes one tag through the Hub API (`DELETE /v2/repositories/{ns}/{repo}/tags/{tag}/`);
   * other tags on the same digest stay. Needs Hub credentials with delete rights.
   * @param namespace - user or organization
   * @param repository - repository name
   * @param tag - the tag
   * @param options - signal
   * @returns when deleted
   * @throws {@link @llmdevops/docker-hub-core!AuthenticationError | AuthenticationError} without or with refused credentials; {@link @llmdevops/docker-hub-core!AuthorizationError | AuthorizationError}
   *   (403, e.g. a read-only token); {@link @llmdevops/docker-hub-core!NotFoundError | NotFoundError}
   */
  async delete(
    namespace: string,
    repository: string,
    tag: string,
    options: CallOptions = {},
  ): Promise<void> {
    checkNames(namespace, repository);
    checkTag(tag);
    return this.#api.run('hub.tags.delete', tagAttributes(namespace, repository, tag), () =>
      this.#delete(namespace, repository, tag, options),
    );
  }

  async #delete(
    namespace: string,
    repository: string,
    tag: string,
    options: CallOptions,
  ): Promise<void> {
    const res = await this.#api.expect(
      {
        method: 'DELETE',
        url: this.#api.url(
          `v2/repositories/${encodeURIComponent(namespace)}/${repository}/tags/${tag}/`,
        ),
        operation: 'hub.tags.delete',
        what: `delete Hub tag ${namespace}/${repository}:${tag}`,
        auth: 'required',
        signal: options.signal,
        scope: 'repo:admin',
      },
      [200, 202, 204],
    );
    await res.dump();
  }
}
