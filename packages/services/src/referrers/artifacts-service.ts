import type { ClientContext } from '../client/context.js';
import { refAttributes } from '../client/telemetry.js';
import { toReference, type ReferenceInput } from '../client/ref.js';
import type { BlobsService } from '../blobs/blobs-service.js';
import type { ManifestsService } from '../manifests/manifests-service.js';
import { pullArtifact, pushArtifact, type PullArtifactOptions, type PulledArtifact, type PushArtifactOptions, type PushedArtifact } from './artifacts.js';

/**
 * OCI 1.1 artifacts on their own (no subject): push files as a tagged artifact and pull an
 * artifact's files back into a directory. Artifacts that refer to an image are attached and
 * listed with {@link ReferrersService}.
 * @public
 */
export class ArtifactsService {
  readonly #ctx: ClientContext;
  readonly #manifests: ManifestsService;
  readonly #blobs: BlobsService;

  /**
   * @param ctx - the client context
   * @param services - the manifests and blobs services
   */
  constructor(ctx: ClientContext, services: { readonly manifests: ManifestsService; readonly blobs: BlobsService }) {
    this.#ctx = ctx;
    this.#manifests = services.manifests;
    this.#blobs = services.blobs;
  }

  /**
   * Pushes files as an OCI 1.1 artifact: `artifactType` set, the empty config, one layer per file
   * titled `org.opencontainers.image.title`. Type, files and titles are checked before the first
   * request.
   * @param input - where it goes, usually `repo:tag`
   * @param options - artifact type, files, annotations, signal
   * @returns the manifest digest and size, and the layers
   * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} (`INVALID_MEDIA_TYPE`) for a type that is not type/subtype; (`INVALID_ARGUMENT`) for no files or a title that is not a plain file name
   * @example
   * ```ts
   * await client.artifacts.push('registry.example/team/policy:v1', { artifactType: 'application/vnd.example.policy.v1+json', files: [{ title: 'policy.json', bytes }] });
   * ```
   */
  async push(input: ReferenceInput, options: PushArtifactOptions): Promise<PushedArtifact> {
    const ref = toReference(input);
    return this.#ctx.telemetry.run('artifacts.push', refAttributes(ref), () => pushArtifact({ manifests: this.#manifests, blobs: this.#blobs }, ref, options));
  }

  /**
   * Pulls an artifact's files into a directory, each layer under its title. Titles that are
   * absolute, contain `..` or a path separator are refused before anything is written; every blob
   * is verified against its digest and size, and files appear only when all are complete.
   * @param input - the artifact (tag or digest)
   * @param dir - the directory (created when missing; files of the same names are replaced)
   * @param options - signal
   * @returns the digest, artifact type, subject and the files written
   * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} for an index, a layer without a title, an unsafe or repeated title
   * @throws {@link @llmdevops/docker-hub-core!DigestMismatchError | DigestMismatchError} for a blob whose bytes do not match
   * @example
   * ```ts
   * const { files } = await client.artifacts.pull('registry.example/team/app@sha256:...', './sbom');
   * ```
   */
  async pull(input: ReferenceInput, dir: string, options: PullArtifactOptions = {}): Promise<PulledArtifact> {
    const ref = toReference(input);
    return this.#ctx.telemetry.run('artifacts.pull', refAttributes(ref), () => pullArtifact({ manifests: this.#manifests, blobs: this.#blobs }, ref, dir, options));
  }
}
