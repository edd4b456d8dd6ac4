import { ValidationError, type Descriptor, type ImageReference } from '@llmdevops/docker-hub-core';
import type { ClientContext } from '../client/context.js';
import { refAttributes } from '../client/telemetry.js';
import { toReference, type CallOptions, type ReferenceInput } from '../client/ref.js';
import type { BlobsService } from '../blobs/blobs-service.js';
import type { ManifestsService } from '../manifests/manifests-service.js';
import { attachArtifact, type AttachArtifactOptions, type AttachedArtifact } from './attach-artifact.js';
import { listReferrers } from '../vulnerabilities/referrers.js';
import { walkManifestGraph } from '../images/manifest-graph.js';
import { copyReferrers, type CopiedReferrers } from './copy-referrers.js';

/** Options of {@link ReferrersService.list}. @public */
export interface ListReferrersOptions extends CallOptions {
  /** Only referrers of this artifact type (e.g. `application/vnd.dev.cosign.artifact.sig.v1+json`). */
  readonly artifactType?: string;
}

/** Options of {@link ReferrersService.tree}. @public */
export interface ReferrerTreeOptions extends ListReferrersOptions {
  /** How many levels of referrers of referrers to follow (default 4, at most 16). */
  readonly maxDepth?: number;
}

/** The referrers of one manifest. @public */
export interface Referrers {
  /** The subject's digest. */
  readonly subject: string;
  /** `referrers`: the registry's referrers API; `referrers-tag`: the `<alg>-<hex>` tag fallback. */
  readonly via: 'referrers' | 'referrers-tag';
  readonly referrers: readonly Descriptor[];
}

/** One referrer in a tree, with the referrers that refer to it in turn. @public */
export interface ReferrerNode {
  readonly descriptor: Descriptor;
  readonly referrers: readonly ReferrerNode[];
  /** True when the depth cap stopped the walk below this node. */
  readonly truncated: boolean;
}

const DEFAULT_TREE_DEPTH = 4;
const MAX_TREE_DEPTH = 16;

/**
 * Artifacts that refer to an image (OCI 1.1 `subject`): signatures, SBOMs, attestations, scan
 * reports. Uses the registry's referrers API and, where the registry has none (distribution 2.8
 * answers 404), the referrers tag schema (`sha256-<hex>` tag holding an index).
 * @public
 */
export class ReferrersService {
  readonly #ctx: ClientContext;
  readonly #manifests: ManifestsService;
  readonly #blobs: BlobsService;

  /**
   * @param ctx - the client context
   * @param services - the manifests service (to resolve tags to digests) and the blobs service (to attach)
   */
  constructor(ctx: ClientContext, services: { readonly manifests: ManifestsService; readonly blobs: BlobsService }) {
    this.#ctx = ctx;
    this.#manifests = services.manifests;
    this.#blobs = services.blobs;
  }

  /**
   * Attaches an artifact to an image: an OCI 1.1 manifest with `artifactType`, `subject` the
   * image's digest, one layer per file (titled `org.opencontainers.image.title`) and the empty
   * config. Where the registry has no referrers API, the `sha256-<hex>` fallback index is updated.
   * @param input - the image (tag or digest)
   * @param options - artifact type, files, annotations, signal
   * @returns the artifact's digest and how it can be found
   * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} for no files, an empty type or a title that is not a plain file name
   * @example
   * ```ts
   * await client.referrers.attach('registry.example/app:1.0', { artifactType: 'application/spdx+json', files: [{ title: 'sbom.json', bytes }] });
   * ```
   */
  async attach(input: ReferenceInput, options: AttachArtifactOptions): Promise<AttachedArtifact> {
    const ref = toReference(input);
    return this.#ctx.telemetry.run('referrers.attach', refAttributes(ref), () =>
      attachArtifact({ ctx: this.#ctx, manifests: this.#manifests, blobs: this.#blobs }, ref, options),
    );
  }

  /**
   * The referrers of an image (a tag is resolved to its digest with a HEAD request).
   * @param input - the subject image
   * @param options - artifact type filter, signal
   * @returns the subject digest, how the referrers were found, and their descriptors
   * @example
   * ```ts
   * const { referrers } = await client.referrers.list('registry.example/app:1.0', { artifactType: 'application/spdx+json' });
   * ```
   */
  async list(input: ReferenceInput, options: ListReferrersOptions = {}): Promise<Referrers> {
    const ref = toReference(input);
    return this.#ctx.telemetry.run('referrers.list', refAttributes(ref), async () => {
      const subject = await this.#subject(ref, options);
      return this.#list(ref, subject, options);
    });
  }

  /**
   * The referrers of an image and, recursively, the referrers of those (a signature of an SBOM),
   * each digest visited once, down to `maxDepth` levels.
   * @param input - the subject image
   * @param options - artifact type filter (applied at every level), depth cap, signal
   * @returns the subject digest and the tree
   * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} for a depth outside 1..16
   */
  async tree(input: ReferenceInput, options: ReferrerTreeOptions = {}): Promise<{ readonly subject: string; readonly referrers: readonly ReferrerNode[] }> {
    const maxDepth = options.maxDepth ?? DEFAULT_TREE_DEPTH;
    if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > MAX_TREE_DEPTH) {
      throw new ValidationError('INVALID_ARGUMENT', `maxDepth must be a whole number from 1 to ${MAX_TREE_DEPTH}`, String(maxDepth));
    }
    const ref = toReference(input);
    return this.#ctx.telemetry.run('referrers.tree', refAttributes(ref), async () => {
      const subject = await this.#subject(ref, options);
      const seen = new Set<string>([subject]);
      const walk = async (digest: string, depth: number): Promise<ReferrerNode[]> => {
        const { referrers } = await this.#list(ref, digest, options);
        const nodes: ReferrerNode[] = [];
        for (const descriptor of referrers) {
          if (seen.has(descriptor.digest)) continue;
          seen.add(descriptor.digest);
          const deeper = depth < maxDepth;
          nodes.push({ descriptor, referrers: deeper ? await walk(descriptor.digest, depth + 1) : [], truncated: !deeper });
        }
        return nodes;
      };
      return { subject, referrers: await walk(subject, 1) };
    });
  }

  /**
   * Copies the referrers of an image (of its index and of every manifest it lists) to the same
   * image in another repository or registry, recursively (referrers of referrers), each with its
   * exact bytes so digests and signatures still verify. The image itself must already be at the
   * destination (copy it with {@link ImagesService.copy}, or pass `referrers: true` there).
   * Whichever mechanism each side has is used: the referrers API or the `sha256-<hex>` fallback tag.
   * @param src - the image whose referrers travel
   * @param dst - the destination repository (a tag or digest in it is ignored)
   * @param options - signal
   * @returns the referrers copied and how the destination finds them
   * @throws {@link @llmdevops/docker-hub-core!LimitExceededError | LimitExceededError} past 8 levels or 1,000 referrers
   * @example
   * ```ts
   * await client.referrers.copy('registry.example/app:1.0', 'mirror.example/app');
   * ```
   */
  async copy(src: ReferenceInput, dst: ReferenceInput, options: CallOptions = {}): Promise<CopiedReferrers> {
    const from = toReference(src);
    const to = toReference(dst);
    return this.#ctx.telemetry.run('referrers.copy', { ...refAttributes(from, 'docker_hub.source'), ...refAttributes(to) }, async () => {
      const call = options.signal === undefined ? {} : { signal: options.signal };
      const top = await this.#manifests.get(from, call);
      const graph = await walkManifestGraph(top, (d, s) => this.#manifests.get(from.withDigest(d.digest), s === undefined ? {} : { signal: s }), { what: from.toString(), signal: options.signal });
      const deps = { ctx: this.#ctx, manifests: this.#manifests, blobs: this.#blobs };
      return copyReferrers(deps, { src: from, dst: to }, graph.manifests.map((m) => m.digest), call);
    });
  }

  async #subject(ref: ImageReference, options: CallOptions): Promise<string> {
    if (ref.digest !== undefined) return ref.digest;
    const head = await this.#manifests.head(ref, options.signal === undefined ? {} : { signal: options.signal });
    return head.digest;
  }

  async #list(ref: ImageReference, subject: string, options: ListReferrersOptions): Promise<Referrers> {
    const found = await listReferrers(this.#ctx, ref, subject, options.signal);
    const wanted = options.artifactType;
    const referrers = wanted === undefined ? found.descriptors : found.descriptors.filter((d) => d.artifactType === wanted);
    return { subject, via: found.via, referrers };
  }
}
