import { createHash } from 'node:crypto';
import { type BlobStore } from '../storage/blob-store.js';
import { type RepositoryRecord } from '../registry/state.js';

const iso = (ms: number | undefined): string | null =>
  ms === undefined ? null : new Date(ms).toISOString();
const numericId = (text: string): number =>
  createHash('sha256').update(text).digest().readUInt32BE(0);

function lastPushed(repo: RepositoryRecord): number | undefined {
  const times = [...repo.tags.values()].map((t) => t.pushedAt);
  return times.length === 0 ? undefined : Math.max(...times);
}

/** What the caller may do with a repository (`repository_info.permissions`). @internal */
export interface RepoPermissions {
  readonly read: boolean;
  readonly write: boolean;
  readonly admin: boolean;
}

const READ_ONLY: RepoPermissions = { read: true, write: false, admin: false };

/**
 * A repository in the Hub API's `repository_list_entry`/`repository_info` shape. `last_updated`
 * is the last push, or the creation time before any push (as the spec's own example shows).
 * @param name - `namespace/name`
 * @param repo - the record
 * @param permissions - what the caller may do (default read only)
 * @returns the entry
 * @internal
 */
export function repositoryEntry(
  name: string,
  repo: RepositoryRecord,
  permissions: RepoPermissions = READ_ONLY,
): Record<string, unknown> {
  const slash = name.indexOf('/');
  const updated = iso(lastPushed(repo) ?? repo.createdAt);
  return {
    user: name.slice(0, slash),
    name: name.slice(slash + 1),
    namespace: name.slice(0, slash),
    repository_type: 'image',
    status: 1,
    status_description: 'active',
    description: repo.description,
    full_description: repo.fullDescription,
    is_private: repo.isPrivate,
    is_automated: false,
    star_count: 0,
    pull_count: repo.pullCount,
    last_updated: updated,
    last_modified: updated,
    date_registered: iso(repo.createdAt),
    collaborator_count: 0,
    affiliation: '',
    hub_user: name.slice(0, slash),
    has_starred: false,
    permissions: { ...permissions },
    media_types: [...new Set([...repo.manifests.values()].map((m) => m.mediaType))].sort(),
    content_types: ['image'],
    categories: [],
    storage_size: [...repo.manifests.values()].reduce((n, m) => n + m.contentSize, 0),
    immutable_tags_settings: { enabled: false, rules: [] },
  };
}

async function configPlatform(
  store: BlobStore,
  digest: string | undefined,
): Promise<{ os: string; architecture: string; variant?: string }> {
  const size = digest === undefined ? undefined : await store.stat(digest);
  if (digest === undefined || size === undefined || size > 1_000_000)
    return { os: '', architecture: '' };
  try {
    const doc = JSON.parse(Buffer.from(await store.readAll(digest)).toString('utf8')) as Record<
      string,
      unknown
    >;
    return {
      os: typeof doc['os'] === 'string' ? doc['os'] : '',
      architecture: typeof doc['architecture'] === 'string' ? doc['architecture'] : '',
      ...(typeof doc['variant'] === 'string' ? { variant: doc['variant'] } : {}),
    };
  } catch {
    return { os: '', architecture: '' };
  }
}

/**
 * A tag in the Hub API's tag shape, with per-platform `images`.
 * @param name - `namespace/name`
 * @param repo - the record
 * @param tag - the tag name
 * @param store - blob store (image configs give os/architecture)
 * @returns the tag object, or `undefined` when the tag does not exist
 * @internal
 */
export async function tagEntry(
  name: string,
  repo: RepositoryRecord,
  tag: string,
  store: BlobStore,
): Promise<Record<string, unknown> | undefined> {
  const rec = repo.tags.get(tag);
  const m = rec === undefined ? undefined : repo.manifests.get(rec.digest);
  if (rec === undefined || m === undefined) return undefined;
  const pushed = iso(rec.pushedAt);
  const pulled = (key: string): number | undefined => repo.lastPulled.get(key);
  const latest = (...times: (number | undefined)[]): string | null =>
    iso(
      times.reduce<number | undefined>(
        (a, b) => (b === undefined ? a : a === undefined ? b : Math.max(a, b)),
        undefined,
      ),
    );
  const image = (
    digest: string,
    p: { os: string; architecture: string; variant?: string },
    size: number,
  ) => ({
    architecture: p.architecture,
    features: '',
    variant: p.variant ?? null,
    digest,
    os: p.os,
    os_features: '',
    os_version: null,
    size,
    status: 'active',
    last_pulled: latest(pulled(digest), pulled(rec.digest), pulled(tag)),
    last_pushed: pushed,
  });
  const images =
    m.platforms !== undefined
      ? m.platforms.map((p) =>
          image(p.digest, p, repo.manifests.get(p.digest)?.contentSize ?? p.size),
        )
      : [image(rec.digest, await configPlatform(store, m.config), m.contentSize)];
  const namespace = name.slice(0, name.indexOf('/'));
  return {
    id: numericId(`${name}:${tag}`),
    name: tag,
    creator: 1,
    last_updater: 1,
    last_updater_username: namespace,
    repository: numericId(name),
    full_size: images.reduce((n, i) => n + i.size, 0),
    v2: true,
    tag_status: 'active',
    status: 'active',
    last_updated: pushed,
    tag_last_pulled: latest(pulled(tag), pulled(rec.digest)),
    tag_last_pushed: pushed,
    media_type: m.mediaType,
    content_type: 'image',
    digest: rec.digest,
    images,
  };
}
