import { type ChildPlatform } from './manifest-parse.js';

/** What the registry knows about one stored manifest. @public */
export interface ManifestRecord {
  readonly mediaType: string;
  readonly size: number;
  /** The `subject` digest, when the manifest names one (referrers). */
  readonly subject?: string;
  /** `artifactType`, else the config media type (referrers descriptors). */
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
  /** Child manifests of an index, with their platforms (Hub tag metadata). */
  readonly children?: readonly string[];
  /** Sum of layer sizes (Hub `full_size`). */
  readonly contentSize: number;
  /** Platforms of index children (Hub tag `images`). */
  readonly platforms?: readonly ChildPlatform[];
  /** Config blob digest of an image manifest (Hub tag `images`). */
  readonly config?: string;
}

/** One tag with when it was last pushed (Hub metadata). @public */
export interface TagRecord {
  readonly digest: string;
  readonly pushedAt: number;
}

/** One repository. @public */
export interface RepositoryRecord {
  readonly blobs: Set<string>;
  readonly manifests: Map<string, ManifestRecord>;
  readonly tags: Map<string, TagRecord>;
  createdAt: number;
  isPrivate: boolean;
  description: string;
  pullCount: number;
  /** The Hub full description (README), up to 25,000 characters. */
  fullDescription: string;
  /** When each tag or digest was last pulled (manifest GET), ms (Hub `last_pulled`). */
  readonly lastPulled: Map<string, number>;
}

/** An access token created through the simulated Hub API; only a hash of its secret is kept. @public */
export interface StoredAccessToken {
  readonly uuid: string;
  /** `personal`: owned by user `owner`; `organization`: owned by organisation `owner`. */
  readonly kind: 'personal' | 'organization';
  readonly owner: string;
  /** The account that created it. */
  readonly createdBy: string;
  label: string;
  description: string;
  /** Personal tokens: `repo:read` etc.; organisation tokens: the union of their resources' scopes. */
  readonly scopes: readonly string[];
  /** Organisation tokens: `{type, path, scopes}` resources. */
  readonly resources: readonly {
    readonly type: string;
    readonly path: string;
    readonly scopes: readonly string[];
  }[];
  /** sha256 (hex) of the secret. */
  readonly sha256: string;
  readonly createdAt: number;
  readonly expiresAt: number | undefined;
  isActive: boolean;
  lastUsed: number | undefined;
}

interface SerializedRepo {
  blobs: string[];
  manifests: [string, ManifestRecord][];
  tags: [string, TagRecord][];
  createdAt: number;
  isPrivate: boolean;
  description: string;
  pullCount: number;
  fullDescription?: string;
  lastPulled?: [string, number][];
}

/**
 * The registry's metadata: repositories, their blob links, manifests and tags, and open upload
 * sessions. Bytes live in the blob store; this is small and saved whole after each change.
 * @public
 */
export class RegistryState {
  /** Repositories by name. */
  readonly repos = new Map<string, RepositoryRecord>();
  /** Open upload sessions: id to repository name. */
  readonly uploads = new Map<string, string>();
  /** Access tokens created through the Hub API (personal and organisation), by uuid. */
  readonly accessTokens = new Map<string, StoredAccessToken>();

  /**
   * The repository, created when missing.
   * @param name - repository name
   * @param now - creation time (ms)
   * @param isPrivate - visibility for a new repository
   * @returns the record
   */
  ensure(name: string, now: number, isPrivate = false): RepositoryRecord {
    let repo = this.repos.get(name);
    if (repo === undefined) {
      repo = {
        blobs: new Set(),
        manifests: new Map(),
        tags: new Map(),
        createdAt: now,
        isPrivate,
        description: '',
        pullCount: 0,
        fullDescription: '',
        lastPulled: new Map(),
      };
      this.repos.set(name, repo);
    }
    return repo;
  }

  /**
   * Serializes everything (for the directory store).
   * @returns JSON text
   */
  toJSON(): string {
    const repos: Record<string, SerializedRepo> = {};
    for (const [name, r] of this.repos) {
      repos[name] = {
        blobs: [...r.blobs],
        manifests: [...r.manifests],
        tags: [...r.tags],
        createdAt: r.createdAt,
        isPrivate: r.isPrivate,
        description: r.description,
        pullCount: r.pullCount,
        fullDescription: r.fullDescription,
        lastPulled: [...r.lastPulled],
      };
    }
    return JSON.stringify({
      version: 1,
      repos,
      uploads: [...this.uploads],
      accessTokens: [...this.accessTokens.values()],
    });
  }

  /**
   * Replaces the contents with what {@link RegistryState.toJSON} wrote.
   * @param json - the saved text
   */
  restore(json: string): void {
    const data = JSON.parse(json) as {
      repos: Record<string, SerializedRepo>;
      uploads: [string, string][];
      accessTokens?: StoredAccessToken[];
    };
    this.repos.clear();
    this.uploads.clear();
    for (const [name, r] of Object.entries(data.repos)) {
      this.repos.set(name, {
        blobs: new Set(r.blobs),
        manifests: new Map(r.manifests),
        tags: new Map(r.tags),
        createdAt: r.createdAt,
        isPrivate: r.isPrivate,
        description: r.description,
        pullCount: r.pullCount,
        fullDescription: r.fullDescription ?? '',
        lastPulled: new Map(r.lastPulled ?? []),
      });
    }
    for (const [id, repo] of data.uploads) this.uploads.set(id, repo);
    this.accessTokens.clear();
    for (const t of data.accessTokens ?? []) this.accessTokens.set(t.uuid, t);
  }
}
