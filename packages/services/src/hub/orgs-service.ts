import { systemClock, ValidationError } from '@llmdevops/docker-hub-core';
import type { CallOptions } from '../client/ref.js';
import {
  checkExpiry,
  checkLabel,
  checkUuid,
  createdToken,
  expiryField,
  takeSecret,
} from './access-tokens-service.js';
import type { Secret } from '@llmdevops/docker-hub-core';
import type { z } from 'zod';
import { HubApi, type HubContext, type HubServiceOptions } from './hub-api.js';
import {
  HubGroupSchema,
  HubMemberSchema,
  HubOrgAccessTokenSchema,
  HubOrgTokenPageSchema,
  hubPageSchema,
  type HubGroup,
  type HubMember,
  type HubOrgAccessToken,
} from './hub-schemas.js';
import { checkNames, pageLimits, type HubPageOptions } from './repositories-service.js';

/** One resource an organisation access token may use. @public */
export interface OrgTokenResource {
  /** `TYPE_REPO` (a repository, `org/name` or `org/*`) or `TYPE_ORG`. */
  readonly type: 'TYPE_REPO' | 'TYPE_ORG';
  /** The repository path (`myorg/app`, `myorg/*`) or the organisation. */
  readonly path: string;
  /** Scopes on it, e.g. `repo-pull`, `repo-push`. */
  readonly scopes: readonly string[];
}

/** What {@link OrgsService.createAccessToken} needs. @public */
export interface CreateOrgAccessTokenOptions extends CallOptions {
  /** Label, 1 to 100 characters. */
  readonly label: string;
  /** Free text. */
  readonly description?: string;
  /** What the token may use (at least one). */
  readonly resources: readonly OrgTokenResource[];
  /** When the token stops working (default never). */
  readonly expiresAt?: Date;
}

/** What {@link OrgsService.updateAccessToken} changes. @public */
export interface UpdateOrgAccessTokenOptions extends CallOptions {
  /** New label. */
  readonly label?: string;
  /** New description. */
  readonly description?: string;
  /** Enable (true) or disable (false). */
  readonly isActive?: boolean;
}

/** A created organisation access token: its details and, once, its secret. @public */
export interface CreatedOrgAccessToken {
  /** The token's details. */
  readonly token: HubOrgAccessToken;
  /** The token itself (`dckr_oat_...`), shown only in this answer; prints as `[REDACTED]`. */
  readonly secret: Secret;
}

const RESOURCE_TYPES = ['TYPE_REPO', 'TYPE_ORG'];

/**
 * Docker Hub organisations: members and groups (teams), read only, and organisation access
 * tokens (`/v2/orgs/{org}/access-tokens`), which organisation owners manage.
 * @example
 * ```ts
 * for await (const m of client.orgs.members('myorg')) console.log(m.username, m.role);
 * for await (const g of client.orgs.groups('myorg')) console.log(g.name, g.memberCount);
 * ```
 * @public
 */
export class OrgsService {
  readonly #api: HubApi;
  readonly #now: () => number;

  /**
   * @param ctx - transport, Hub URL and session (the client's `ClientContext` fits)
   * @param options - shared Hub rate-limit tracker, clock
   */
  constructor(ctx: HubContext, options: HubServiceOptions = {}) {
    this.#api = new HubApi(ctx, options);
    const clock = options.clock ?? systemClock;
    this.#now = () => clock.now();
  }

  /**
   * The members of an organisation (`GET /v2/orgs/{org}/members`), one by one across pages.
   * @param org - the organisation
   * @param options - page size, page cap, signal
   * @returns an async iterable of members
   * @throws {@link @llmdevops/docker-hub-core!AuthorizationError | AuthorizationError} when not a member; {@link @llmdevops/docker-hub-core!NotFoundError | NotFoundError}
   */
  async *members(org: string, options: HubPageOptions = {}): AsyncIterable<HubMember> {
    yield* this.#list(org, 'members', options, HubMemberSchema);
  }

  /**
   * The groups (teams) of an organisation (`GET /v2/orgs/{org}/groups`).
   * @param org - the organisation
   * @param options - page size, page cap, signal
   * @returns an async iterable of groups
   * @throws see {@link OrgsService.members}
   */
  async *groups(org: string, options: HubPageOptions = {}): AsyncIterable<HubGroup> {
    yield* this.#list(org, 'groups', options, HubGroupSchema);
  }

  /**
   * The members of one group (`GET /v2/orgs/{org}/groups/{group}/members`).
   * @param org - the organisation
   * @param group - the group name
   * @param options - page size, page cap, signal
   * @returns an async iterable of members
   * @throws see {@link OrgsService.members}
   */
  async *groupMembers(
    org: string,
    group: string,
    options: HubPageOptions = {},
  ): AsyncIterable<HubMember> {
    checkNames(group);
    yield* this.#list(org, `groups/${encodeURIComponent(group)}/members`, options, HubMemberSchema);
  }

  async *#list<T>(
    org: string,
    path: string,
    options: HubPageOptions,
    item: z.ZodType<T>,
  ): AsyncIterable<T> {
    checkNames(org);
    const { pageSize, maxPages } = pageLimits(options);
    const pages = this.#api.pages<T>(
      {
        method: 'GET',
        url: this.#api.url(`v2/orgs/${encodeURIComponent(org)}/${path}`, { page_size: pageSize }),
        operation: `hub.orgs.${path.split('/')[0] ?? path}`,
        what: `list ${path.replace(/\/.*\//, ' ')} of ${org}`,
        auth: 'required',
        signal: options.signal,
      },
      hubPageSchema(item),
      { maxPages },
    );
    for await (const page of pages) yield* page;
  }

  /**
   * Creates an organisation access token (`POST /v2/orgs/{org}/access-tokens`).
   * @param org - the organisation
   * @param options - label, description, resources, expiry, signal
   * @returns its details and its secret (shown only now)
   * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} for a bad label, resource or expiry (nothing is sent); {@link @llmdevops/docker-hub-core!AuthorizationError | AuthorizationError} for non-owners
   */
  async createAccessToken(
    org: string,
    options: CreateOrgAccessTokenOptions,
  ): Promise<CreatedOrgAccessToken> {
    checkNames(org);
    checkLabel(options.label);
    checkExpiry(options.expiresAt, this.#now());
    const resources: readonly OrgTokenResource[] = Array.isArray(options.resources)
      ? (options.resources as readonly OrgTokenResource[])
      : [];
    if (resources.length === 0)
      throw new ValidationError(
        'INVALID_ARGUMENT',
        'an organisation access token needs at least one resource',
        '[]',
      );
    for (const r of resources)
      if (!RESOURCE_TYPES.includes(r.type) || r.path === '' || r.scopes.length === 0)
        throw new ValidationError(
          'INVALID_ARGUMENT',
          `each resource needs type (${RESOURCE_TYPES.join(' or ')}), path and scopes`,
          JSON.stringify(r),
        );
    const what = `create access token "${options.label}" of ${org}`;
    return this.#api.run(
      'hub.orgs.access_tokens.create',
      { 'docker_hub.namespace': org },
      async () => {
        const res = await this.#api.expect(
          {
            method: 'POST',
            url: this.#api.url(`v2/orgs/${encodeURIComponent(org)}/access-tokens`),
            operation: 'hub.orgs.access_tokens.create',
            what,
            auth: 'required',
            signal: options.signal,
            body: {
              label: options.label,
              ...(options.description === undefined ? {} : { description: options.description }),
              resources: options.resources.map((r) => ({
                type: r.type,
                path: r.path,
                scopes: [...r.scopes],
              })),
              ...expiryField(options.expiresAt),
            },
          },
          [200, 201],
        );
        return createdToken(
          await this.#api.parse(res, HubOrgAccessTokenSchema, what),
          what,
          (t) => t.id,
        );
      },
    );
  }

  /**
   * The organisation's access tokens, one by one across pages.
   * @param org - the organisation
   * @param options - page size, page cap, signal
   * @returns an async iterable of tokens (never their secrets)
   * @throws {@link @llmdevops/docker-hub-core!AuthorizationError | AuthorizationError} for non-owners
   */
  async *listAccessTokens(
    org: string,
    options: HubPageOptions = {},
  ): AsyncIterable<HubOrgAccessToken> {
    checkNames(org);
    const { pageSize, maxPages } = pageLimits(options);
    const pages = this.#api.pages(
      {
        method: 'GET',
        url: this.#api.url(`v2/orgs/${encodeURIComponent(org)}/access-tokens`, {
          page_size: pageSize,
        }),
        operation: 'hub.orgs.access_tokens.list',
        what: `list access tokens of ${org}`,
        auth: 'required',
        signal: options.signal,
      },
      HubOrgTokenPageSchema,
      { maxPages },
    );
    for await (const page of pages) for (const t of page) yield takeSecret(t).details;
  }

  /**
   * One organisation access token.
   * @param org - the organisation
   * @param id - the token id (a UUID)
   * @param options - signal
   * @returns its details
   * @throws {@link @llmdevops/docker-hub-core!NotFoundError | NotFoundError}
   */
  async getAccessToken(
    org: string,
    id: string,
    options: CallOptions = {},
  ): Promise<HubOrgAccessToken> {
    checkNames(org);
    checkUuid(id);
    const what = `get access token ${id} of ${org}`;
    const res = await this.#api.expect(
      {
        method: 'GET',
        url: this.#api.url(`v2/orgs/${encodeURIComponent(org)}/access-tokens/${id}`),
        operation: 'hub.orgs.access_tokens.get',
        what,
        auth: 'required',
        signal: options.signal,
      },
      [200],
    );
    return takeSecret(await this.#api.parse(res, HubOrgAccessTokenSchema, what)).details;
  }

  /**
   * Changes an organisation access token's label or description, or enables/disables it.
   * @param org - the organisation
   * @param id - the token id
   * @param options - what to change, signal
   * @returns the token after the change
   * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} when nothing is to change; {@link @llmdevops/docker-hub-core!NotFoundError | NotFoundError}
   */
  async updateAccessToken(
    org: string,
    id: string,
    options: UpdateOrgAccessTokenOptions,
  ): Promise<HubOrgAccessToken> {
    checkNames(org);
    checkUuid(id);
    if (options.label !== undefined) checkLabel(options.label);
    if (
      options.label === undefined &&
      options.description === undefined &&
      options.isActive === undefined
    )
      throw new ValidationError(
        'INVALID_ARGUMENT',
        'updateAccessToken needs label, description or isActive',
        id,
      );
    const what = `update access token ${id} of ${org}`;
    const res = await this.#api.expect(
      {
        method: 'PATCH',
        url: this.#api.url(`v2/orgs/${encodeURIComponent(org)}/access-tokens/${id}`),
        operation: 'hub.orgs.access_tokens.update',
        what,
        auth: 'required',
        signal: options.signal,
        idempotent: true,
        body: {
          ...(options.label === undefined ? {} : { label: options.label }),
          ...(options.description === undefined ? {} : { description: options.description }),
          ...(options.isActive === undefined ? {} : { is_active: options.isActive }),
        },
      },
      [200],
    );
    return takeSecret(await this.#api.parse(res, HubOrgAccessTokenSchema, what)).details;
  }

  /**
   * Deletes an organisation access token for good.
   * @param org - the organisation
   * @param id - the token id
   * @param options - signal
   * @returns when deleted
   * @throws {@link @llmdevops/docker-hub-core!NotFoundError | NotFoundError}
   */
  async deleteAccessToken(org: string, id: string, options: CallOptions = {}): Promise<void> {
    checkNames(org);
    checkUuid(id);
    const res = await this.#api.expect(
      {
        method: 'DELETE',
        url: this.#api.url(`v2/orgs/${encodeURIComponent(org)}/access-tokens/${id}`),
        operation: 'hub.orgs.access_tokens.delete',
        what: `delete access token ${id} of ${org}`,
        auth: 'required',
        signal: options.signal,
      },
      [200, 202, 204],
    );
    await res.dump();
  }
}
