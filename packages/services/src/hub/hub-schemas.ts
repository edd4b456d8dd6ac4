import { lazySchema } from '@llmdevops/docker-hub-core';
import * as z from 'zod';

// Docker Hub API shapes (registry-api.md 1.6-1.11). Every object is loose: Docker Hub adds fields
// without notice, so unknown fields are kept and never rejected. Fields the OpenAPI spec marks as
// nullable, or that older routes leave out, are optional here.

const asRecord = (o: Record<string, unknown>): Readonly<Record<string, unknown>> => o;

/** An RFC 3339 time that may be null, missing or garbage: a Date or undefined. */
const time = lazySchema(() =>
  z
    .string()
    .nullish()
    .transform((s) => {
      if (s === undefined || s === null || s === '') return undefined;
      const ms = Date.parse(s);
      return Number.isFinite(ms) ? new Date(ms) : undefined;
    }),
);
const text = lazySchema(() =>
  z
    .string()
    .nullish()
    .transform((s) => s ?? undefined),
);
const count = lazySchema(() =>
  z
    .number()
    .nullish()
    .transform((n) => n ?? 0),
);

/** A repository as `GET /v2/namespaces/{ns}/repositories[/{repo}]` and the legacy routes return it. */
export const HubRepositorySchema = lazySchema(() =>
  z
    .looseObject({
      name: z.string(),
      namespace: z.string().nullish(),
      user: z.string().nullish(),
      repository_type: text,
      status: z.number().nullish(),
      status_description: text,
      description: text,
      full_description: text,
      is_private: z.boolean().nullish(),
      star_count: count,
      pull_count: count,
      last_updated: time,
      last_modified: time,
      date_registered: time,
      storage_size: z.number().nullish(),
      media_types: z.array(z.string()).nullish(),
      content_types: z.array(z.string()).nullish(),
      categories: z
        .array(z.looseObject({ name: z.string(), slug: z.string().nullish() }))
        .nullish(),
      permissions: z
        .looseObject({
          read: z.boolean().nullish(),
          write: z.boolean().nullish(),
          admin: z.boolean().nullish(),
        })
        .nullish(),
    })
    .transform((r) => ({
      namespace: r.namespace ?? r.user ?? '',
      name: r.name,
      type: r.repository_type,
      active:
        r.status_description === undefined ? r.status !== 0 : r.status_description === 'active',
      description: r.description ?? '',
      fullDescription: r.full_description,
      isPrivate: r.is_private ?? false,
      starCount: r.star_count,
      pullCount: r.pull_count,
      lastUpdated: r.last_updated,
      lastModified: r.last_modified,
      dateRegistered: r.date_registered,
      storageSize: r.storage_size ?? undefined,
      mediaTypes: r.media_types ?? [],
      contentTypes: r.content_types ?? [],
      categories: (r.categories ?? []).map((c) => c.name),
      permissions:
        r.permissions === undefined || r.permissions === null
          ? undefined
          : {
              read: r.permissions.read ?? false,
              write: r.permissions.write ?? false,
              admin: r.permissions.admin ?? false,
            },
      raw: asRecord(r),
    })),
);

/** One platform image of a Hub tag (`images[]`). */
export const HubTagImageSchema = lazySchema(() =>
  z
    .looseObject({
      architecture: text,
      os: text,
      variant: text,
      os_version: text,
      features: text,
      os_features: text,
      digest: text,
      size: z.number().nullish(),
      status: text,
      last_pulled: time,
      last_pushed: time,
    })
    .transform((i) => ({
      os: i.os ?? '',
      architecture: i.architecture ?? '',
      variant: i.variant === '' ? undefined : i.variant,
      osVersion: i.os_version === '' ? undefined : i.os_version,
      platform: [i.os ?? '', i.architecture ?? '', i.variant ?? '']
        .filter((p) => p !== '')
        .join('/'),
      digest: i.digest === '' ? undefined : i.digest,
      size: i.size ?? undefined,
      status: i.status,
      lastPulled: i.last_pulled,
      lastPushed: i.last_pushed,
    })),
);

/** A tag as `GET /v2/namespaces/{ns}/repositories/{repo}/tags[/{tag}]` returns it. */
export const HubTagSchema = lazySchema(() =>
  z
    .looseObject({
      name: z.string(),
      id: z.number().nullish(),
      digest: text,
      media_type: text,
      content_type: text,
      full_size: z.number().nullish(),
      last_updated: time,
      tag_last_pushed: time,
      tag_last_pulled: time,
      last_updater_username: text,
      tag_status: text,
      status: text,
      // The OpenAPI spec declares an object; Docker Hub sends an array (registry-api.md 1.9).
      images: z.preprocess(
        (v): unknown[] =>
          v === null || v === undefined ? [] : Array.isArray(v) ? (v as unknown[]) : [v],
        z.array(HubTagImageSchema),
      ),
    })
    .transform((t) => ({
      name: t.name,
      digest: t.digest,
      mediaType: t.media_type,
      contentType: t.content_type,
      fullSize: t.full_size ?? undefined,
      lastUpdated: t.last_updated,
      lastPushed: t.tag_last_pushed,
      lastPulled: t.tag_last_pulled,
      lastUpdaterUsername: t.last_updater_username,
      status: t.tag_status ?? t.status,
      images: t.images,
      raw: asRecord(t),
    })),
);

/** A result of `GET /v2/search/repositories/`. */
export const HubSearchResultSchema = lazySchema(() =>
  z
    .looseObject({
      repo_name: z.string(),
      short_description: text,
      star_count: count,
      pull_count: count,
      repo_owner: text,
      is_official: z.boolean().nullish(),
      is_automated: z.boolean().nullish(),
    })
    .transform((r) => ({
      name: r.repo_name,
      description: r.short_description ?? '',
      starCount: r.star_count,
      pullCount: r.pull_count,
      isOfficial: r.is_official ?? false,
      isAutomated: r.is_automated ?? false,
    })),
);

/** A result of the registry's `GET /v1/search`. */
export const V1SearchResultSchema = lazySchema(() =>
  z
    .looseObject({
      name: z.string(),
      description: text,
      star_count: count,
      is_official: z.boolean().nullish(),
      is_automated: z.boolean().nullish(),
    })
    .transform((r) => ({
      name: r.name,
      description: r.description ?? '',
      starCount: r.star_count,
      pullCount: undefined,
      isOfficial: r.is_official ?? false,
      isAutomated: r.is_automated ?? false,
    })),
);

/** A `GET /v1/search` page. */
export const V1SearchPageSchema = lazySchema(() =>
  z.looseObject({
    num_pages: z.number().nullish(),
    page: z.union([z.number(), z.string()]).nullish(),
    results: z
      .array(V1SearchResultSchema)
      .nullish()
      .transform((r) => r ?? []),
  }),
);

/**
 * Docker Hub's page envelope `{count, next, previous, results}` around an item schema.
 * @param item - the item schema
 * @returns the page schema
 */
export function hubPageSchema<T extends z.ZodType>(item: T) {
  return z.looseObject({
    count: z.number().nullish(),
    next: z.string().nullish(),
    previous: z.string().nullish(),
    results: z.array(item),
  });
}

/** A Docker Hub repository (camelCase; `raw` keeps every field Docker Hub sent). @public */
export type HubRepository = z.output<typeof HubRepositorySchema>;
/** One platform image of a Hub tag. @public */
export type HubTagImage = z.output<typeof HubTagImageSchema>;
/** Hub tag metadata: digest, sizes, push/pull times and per-platform images. @public */
export type HubTag = z.output<typeof HubTagSchema>;
/** A search hit (from the Hub search route or the registry's `/v1/search`; `pullCount` only from the former). @public */
export type HubSearchResult =
  z.output<typeof HubSearchResultSchema> | z.output<typeof V1SearchResultSchema>;

/** A personal access token as `/v2/access-tokens` returns it (`token` only in the creation answer). */
export const HubAccessTokenSchema = lazySchema(() =>
  z
    .looseObject({
      uuid: z.string(),
      token_label: text,
      scopes: z.array(z.string()).nullish(),
      is_active: z.boolean().nullish(),
      created_at: time,
      last_used: time,
      expires_at: time,
      generated_by: text,
      client_id: text,
      token: text,
    })
    .transform((t) => ({
      uuid: t.uuid,
      label: t.token_label ?? '',
      scopes: t.scopes ?? [],
      isActive: t.is_active ?? true,
      createdAt: t.created_at,
      lastUsed: t.last_used,
      expiresAt: t.expires_at,
      generatedBy: t.generated_by,
      /** Only in the creation answer; the services move it into a `Secret` at once. */
      token: t.token === '' ? undefined : t.token,
    })),
);

/** One resource of an organisation access token. */
export const HubOrgTokenResourceSchema = lazySchema(() =>
  z.looseObject({
    type: z.string(),
    path: z.string(),
    scopes: z.array(z.string()),
  }),
);

/** An organisation access token as `/v2/orgs/{org}/access-tokens` returns it. */
export const HubOrgAccessTokenSchema = lazySchema(() =>
  z
    .looseObject({
      id: z.string(),
      label: text,
      description: text,
      created_by: text,
      is_active: z.boolean().nullish(),
      created_at: time,
      expires_at: time,
      last_used_at: time,
      resources: z.array(HubOrgTokenResourceSchema).nullish(),
      token: text,
    })
    .transform((t) => ({
      id: t.id,
      label: t.label ?? '',
      description: t.description ?? '',
      createdBy: t.created_by,
      isActive: t.is_active ?? true,
      createdAt: t.created_at,
      expiresAt: t.expires_at,
      lastUsedAt: t.last_used_at,
      resources: (t.resources ?? []).map((r) => ({
        type: r.type,
        path: r.path,
        scopes: [...r.scopes],
      })),
      token: t.token === '' ? undefined : t.token,
    })),
);

/** An organisation access token list page (`total` where personal lists have `count`). */
export const HubOrgTokenPageSchema = lazySchema(() =>
  z.looseObject({
    total: z.number().nullish(),
    next: z.string().nullish(),
    previous: z.string().nullish(),
    results: z.array(HubOrgAccessTokenSchema),
  }),
);

/** A member of an organisation or group (`org_member`, `group_member`). */
export const HubMemberSchema = lazySchema(() =>
  z
    .looseObject({
      id: text,
      username: z.string(),
      full_name: text,
      email: text,
      type: text,
      role: text,
      groups: z.array(z.string()).nullish(),
      date_joined: time,
    })
    .transform((m) => ({
      id: m.id,
      username: m.username,
      fullName: m.full_name ?? '',
      email: m.email,
      type: m.type,
      role: m.role,
      groups: m.groups ?? [],
      dateJoined: m.date_joined,
    })),
);

/** An organisation group (team), `org_group`. */
export const HubGroupSchema = lazySchema(() =>
  z
    .looseObject({
      id: z.number().nullish(),
      uuid: text,
      name: z.string(),
      description: text,
      member_count: z.number().nullish(),
    })
    .transform((g) => ({
      id: g.id ?? undefined,
      uuid: g.uuid,
      name: g.name,
      description: g.description ?? '',
      memberCount: g.member_count ?? undefined,
    })),
);

/** A personal access token's details (never its secret). @public */
export type HubAccessToken = Omit<z.output<typeof HubAccessTokenSchema>, 'token'>;
/** An organisation access token's details (never its secret). @public */
export type HubOrgAccessToken = Omit<z.output<typeof HubOrgAccessTokenSchema>, 'token'>;
/** A member of a Docker Hub organisation or group. @public */
export type HubMember = z.output<typeof HubMemberSchema>;
/** A Docker Hub organisation group (team). @public */
export type HubGroup = z.output<typeof HubGroupSchema>;
