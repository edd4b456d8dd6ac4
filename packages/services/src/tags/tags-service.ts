import { RegistryError, UnsupportedError, ValidationError } from '@llmdevops/docker-hub-core';
import type { ClientContext } from '../client/context.js';
import { refAttributes } from '../client/telemetry.js';
import type { ManifestsService } from '../manifests/manifests-service.js';
import { toReference, type CallOptions, type ReferenceInput } from '../client/ref.js';
import { HubApi } from '../hub/hub-api.js';
import { nextLink } from './link-header.js';
import { systemClock, type Clock } from '@llmdevops/docker-hub-core';
import type { HubTagsService } from '../hub/hub-tags-service.js';
import { pruneTags, type PrunePolicy, type PruneResult } from './prune.js';

/** A tag with what is known about it: from the Docker Hub API on Docker Hub, else from the registry. @public */
export interface TagDetail {
  /** The tag. */
  readonly name: string;
  /** The manifest (or index) digest it points at. */
  readonly digest?: string | undefined;
  /** The manifest's media type, when the registry said. */
  readonly mediaType?: string | undefined;
  /** Total size of the image's layers and configs in bytes (Docker Hub's `full_size`). */
  readonly size?: number | undefined;
  /** When the tag was last pushed (Docker Hub only). */
  readonly lastPushed?: Date | undefined;
  /** When the tag was last pulled (Docker Hub only; undefined when never). */
  readonly lastPulled?: Date | undefined;
  /** `os/arch[/variant]` of each image under the tag (Docker Hub only). */
  readonly platforms: readonly string[];
  /** `hub-api` or `registry`: where the details came from. */
  readonly source: 'hub-api' | 'registry';
}

/** Options of {@link TagsService.prune}. @public */
export interface PruneOptions extends CallOptions {
  /** Plan only: list every tag with its action and rule, delete nothing. */
  readonly dryRun?: boolean;
}

/** Options of {@link TagsService.pages} and {@link TagsService.list}. @public */
export interface TagPageOptions extends CallOptions {
  /** `n`: tags per page asked for (the registry may ignore it, as distribution 2.8 does). */
  readonly pageSize?: number;
  /** Most pages followed before giving up with an error (default 1000), against `Link` loops. */
  readonly maxPages?: number;
}

/** Result of {@link TagsService.delete}. @public */
export interface TagDeleteResult {
  /** `hub-api` (Docker Hub's tag API: only this tag) or `registry` (manifest digest: every tag on it). */
  readonly via: 'hub-api' | 'registry';
  /** The manifest digest deleted (registry path only). */
  readonly digest?: string;
}

interface TagListBody {
  readonly tags?: unknown;
}

/**
 * Tags: listing with `n`/`last` and `Link` pagination, and deletion (seed F-14, F-15).
 * @public
 */
export class TagsService {
  readonly #ctx: ClientContext;
  readonly #manifests: ManifestsService;
  readonly #hubTags: HubTagsService | undefined;
  readonly #clock: Pick<Clock, 'now'>;

  /**
   * @param ctx - the client context
   * @param manifests - used to delete by digest
   * @param extras - Hub tag metadata and deletion (for {@link TagsService.prune} on Docker Hub), clock
   */
  constructor(
    ctx: ClientContext,
    manifests: ManifestsService,
    extras: { readonly hubTags?: HubTagsService; readonly clock?: Pick<Clock, 'now'> } = {},
  ) {
    this.#ctx = ctx;
    this.#manifests = manifests;
    this.#hubTags = extras.hubTags;
    this.#clock = extras.clock ?? systemClock;
  }

  /**
   * Every tag with its digest and, on Docker Hub, its size, last push, last pull and platforms
   * (from the Hub API, which counts no pull). Elsewhere the registry is asked for the tag list
   * and a HEAD per tag (digest and media type; a HEAD counts no pull).
   * @param input - the repository
   * @param options - signal
   * @returns the tags in the order the source gave them
   * @throws {@link @llmdevops/docker-hub-core!NotFoundError | NotFoundError} for an unknown repository; the typed errors of the listing
   */
  async details(input: ReferenceInput, options: CallOptions = {}): Promise<TagDetail[]> {
    const ref = toReference(input);
    const call = options.signal === undefined ? {} : { signal: options.signal };
    const hub = this.#ctx.usesHubApi(ref) ? this.#hubTags : undefined;
    return this.#ctx.telemetry.run('tags.details', refAttributes(ref), async () => {
      const out: TagDetail[] = [];
      if (hub !== undefined) {
        const slash = ref.repository.indexOf('/');
        const pages = hub.list(
          ref.repository.slice(0, slash),
          ref.repository.slice(slash + 1),
          call,
        );
        for await (const t of pages)
          out.push({
            name: t.name,
            digest: t.digest,
            mediaType: t.mediaType,
            size: t.fullSize,
            lastPushed: t.lastPushed ?? t.lastUpdated,
            lastPulled: t.lastPulled,
            platforms: t.images.map((i) => i.platform).filter((p) => p !== ''),
            source: 'hub-api',
          });
        return out;
      }
      for (const tag of await this.list(ref, call)) {
        const head = await this.#manifests.head(ref.withTag(tag), call);
        out.push({
          name: tag,
          digest: head.digest,
          mediaType: head.mediaType,
          platforms: [],
          source: 'registry',
        });
      }
      return out;
    });
  }

  /**
   * Deletes the tags a retention policy selects, or (with `dryRun`) only plans it. On Docker Hub
   * the tags, their digests and last push and pull times come from the Hub API and each selected
   * tag is deleted through it (waiting out the Hub API's rate limit as the server asks); elsewhere
   * the tags come from the registry with a HEAD per tag for its digest (a HEAD counts no pull), no
   * times are known, and a selected tag is deleted through its manifest only when no kept tag
   * shares that digest. See {@link PrunePolicy} for the rules.
   * @param input - the repository
   * @param policy - keepLast, olderThanMs, unpulledForMs, include, exclude
   * @param options - dryRun, signal
   * @returns every tag with its action and rule, and the tags deleted
   * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} for a policy without a rule or with bad values (nothing is listed or deleted); the typed errors of listing and deleting
   */
  async prune(
    input: ReferenceInput,
    policy: PrunePolicy,
    options: PruneOptions = {},
  ): Promise<PruneResult> {
    const ref = toReference(input);
    const hub = this.#ctx.usesHubApi(ref) ? this.#hubTags : undefined;
    const slash = ref.repository.indexOf('/');
    const namespace = ref.repository.slice(0, slash);
    const name = ref.repository.slice(slash + 1);
    const signal = options.signal;
    const call = signal === undefined ? {} : { signal };
    return this.#ctx.telemetry.run('tags.prune', refAttributes(ref), () =>
      pruneTags(ref, policy, options.dryRun === true, {
        usesHubApi: hub !== undefined,
        now: () => this.#clock.now(),
        candidates: async () =>
          (await this.details(ref, call)).map((t) => ({
            name: t.name,
            digest: t.digest,
            lastPushed: t.lastPushed,
            lastPulled: t.lastPulled,
          })),
        deleteHubTag: async (tag) => {
          await hub?.delete(namespace, name, tag, call);
        },
        deleteManifest: async (digest) => {
          await this.#manifests.delete(ref.withDigest(digest), call);
        },
      }),
    );
  }

  /**
   * Lists tags page by page, lazily. Follows `Link: <...>; rel="next"` (relative or absolute);
   * without `Link`, asks for the page after the last tag (`last=`) only while full pages of
   * `pageSize` come back. A repository whose tags were all deleted yields `[]` (distribution
   * answers `tags: null`).
   * @param input - the repository (tag and digest are ignored)
   * @param options - page size, page cap, signal
   * @returns an async iterable of pages
   * @throws {@link @llmdevops/docker-hub-core!NotFoundError | NotFoundError} (`NAME_UNKNOWN`) for an unknown repository; {@link @llmdevops/docker-hub-core!RegistryError | RegistryError} when the page cap is exceeded
   */
  async *pages(input: ReferenceInput, options: TagPageOptions = {}): AsyncIterable<string[]> {
    const ref = toReference(input);
    const pageSize = options.pageSize;
    if (pageSize !== undefined && (!Number.isInteger(pageSize) || pageSize < 1)) {
      throw new ValidationError(
        'INVALID_ARGUMENT',
        'pageSize must be a positive whole number',
        String(pageSize),
      );
    }
    const maxPages = options.maxPages ?? 1000;
    let url: URL | undefined = this.#ctx.url(ref, 'tags/list');
    if (pageSize !== undefined) url.searchParams.set('n', String(pageSize));
    const seen = new Set<string>();
    for (let page = 0; url !== undefined; page++) {
      if (page >= maxPages || seen.has(url.href)) {
        throw new RegistryError(
          `listing tags of ${ref.name}: stopped after ${page} pages (page cap or a Link loop)`,
          {},
        );
      }
      seen.add(url.href);
      const pageUrl = url;
      const pageAttributes = { ...refAttributes(ref), 'docker_hub.page': page };
      const { res, body } = await this.#ctx.telemetry.run('tags.pages', pageAttributes, () =>
        this.#ctx.retrying(`GET tags ${ref.name}`, options.signal, async () => {
          const r = await this.#ctx.expect(
            { method: 'GET', ref, path: pageUrl, signal: options.signal, operation: 'tags' },
            [200],
            `GET tags ${ref.name}`,
          );
          return { res: r, body: await r.json<TagListBody>(16 * 1024 * 1024) };
        }),
      );
      const tags = Array.isArray(body.tags)
        ? body.tags.filter((t): t is string => typeof t === 'string')
        : [];
      yield tags;
      url = nextLink(res.header('link'), res.url);
      const last = tags[tags.length - 1];
      if (
        url === undefined &&
        pageSize !== undefined &&
        tags.length === pageSize &&
        last !== undefined
      ) {
        url = this.#ctx.url(ref, 'tags/list');
        url.searchParams.set('n', String(pageSize));
        url.searchParams.set('last', last);
      }
    }
  }

  /**
   * Every tag of a repository (all pages of {@link TagsService.pages}).
   * @param input - the repository
   * @param options - page size, page cap, signal
   * @returns the tags in the registry's order
   * @throws see {@link TagsService.pages}
   */
  async list(input: ReferenceInput, options: TagPageOptions = {}): Promise<string[]> {
    const ref = toReference(input);
    return this.#ctx.telemetry.run('tags.list', refAttributes(ref), async (span) => {
      const all: string[] = [];
      for await (const page of this.pages(ref, options)) all.push(...page);
      span.setAttribute('docker_hub.tag_count', all.length);
      return all;
    });
  }

  /**
   * Deletes a tag. On Docker Hub, through the Hub API
   * (`DELETE /v2/repositories/{namespace}/{repository}/tags/{tag}/`, only that tag; needs Hub
   * credentials). Elsewhere the OCI API cannot delete a tag alone: the tag is resolved to its
   * manifest digest and the manifest is deleted, which **removes every tag pointing at that digest**.
   * @param input - `repo:tag`
   * @param options - signal
   * @returns how it was deleted
   * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} without a tag; {@link @llmdevops/docker-hub-core!NotFoundError | NotFoundError}; {@link @llmdevops/docker-hub-core!AuthenticationError | AuthenticationError} without Hub credentials
   */
  async delete(input: ReferenceInput, options: CallOptions = {}): Promise<TagDeleteResult> {
    const ref = toReference(input);
    const tag = ref.tag;
    if (tag === undefined || ref.digest !== undefined) {
      throw new ValidationError(
        'INVALID_ARGUMENT',
        'tags.delete needs a tag reference without a digest',
        ref.toString(),
      );
    }
    return this.#ctx.telemetry.run('tags.delete', refAttributes(ref), async (span) => {
      if (this.#ctx.usesHubApi(ref)) {
        await this.#deleteOnHub(ref.repository, tag, options);
        span.setAttribute('docker_hub.via', 'hub-api');
        return { via: 'hub-api' };
      }
      const digest = await this.#manifests.delete(ref, options);
      span.setAttribute('docker_hub.via', 'registry');
      return { via: 'registry', digest };
    });
  }

  async #deleteOnHub(repository: string, tag: string, options: CallOptions): Promise<void> {
    const slash = repository.indexOf('/');
    const namespace = repository.slice(0, slash);
    const name = repository.slice(slash + 1);
    const session = await this.#ctx.hubSession(options.signal);
    if (session === undefined) {
      throw new UnsupportedError(
        `deleting ${repository}:${tag} needs Docker Hub credentials (DOCKER_HUB_USERNAME with DOCKER_HUB_PASSWORD or DOCKER_HUB_ACCESS_TOKEN, or docker login)`,
        {},
      );
    }
    // The Hub API plumbing sends it: the session's JWT, one re-login after a 401, Hub error hints.
    const hub = new HubApi(this.#ctx);
    const res = await hub.expect(
      {
        method: 'DELETE',
        url: hub.url(
          `v2/repositories/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/tags/${encodeURIComponent(tag)}/`,
        ),
        operation: 'hub.tags.delete',
        what: `DELETE Hub tag ${repository}:${tag}`,
        auth: 'required',
        signal: options.signal,
      },
      [200, 202, 204],
    );
    await res.dump();
  }
}
