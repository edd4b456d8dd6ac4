import {
  ACCEPT_MANIFEST_HEADER,
  Digest,
  DigestMismatchError,
  ImageReference,
  MANIFEST_MAX_BYTES,
  NotFoundError,
  Platform,
  PlatformNotFoundError,
  ValidationError,
  buildManifest,
  normalizeMediaType,
  parseManifest,
  selectManifest,
  verifyBytes,
  type ImageIndex,
  type ImageManifest,
  type Manifest,
  type ParsedManifest,
} from '@llmdevops/docker-hub-core';
import type { ClientContext } from '../client/context.js';
import { refAttributes } from '../client/telemetry.js';
import { toReference, type CallOptions, type ReferenceInput } from '../client/ref.js';
import { ManifestCache } from './manifest-cache.js';

interface ManifestCommon {
  /** The digest of {@link ManifestCommon.bytes} (verified). */
  readonly digest: string;
  /** The manifest's media type (from the document or `Content-Type`). */
  readonly mediaType: string;
  /** The exact bytes the registry sent. */
  readonly bytes: Uint8Array;
  /** `bytes.byteLength`. */
  readonly size: number;
}

/** A manifest read from a registry; narrow on `kind`. @public */
export type ManifestResult =
  | (ManifestCommon & { readonly kind: 'image'; readonly manifest: ImageManifest })
  | (ManifestCommon & { readonly kind: 'index'; readonly manifest: ImageIndex });

/** What `HEAD` says about a manifest (no pull is counted on Docker Hub). @public */
export interface ManifestHead {
  readonly digest: string;
  readonly size: number;
  readonly mediaType: string;
}

/** Options of {@link ManifestsService.put}. @public */
export interface PutManifestOptions extends CallOptions {
  /** Media type of raw bytes when the document does not name one. */
  readonly mediaType?: string;
  /**
   * The tag to push under, for a reference that names only the repository (`team/app`) or a
   * digest (`team/app@sha256:…`, then the content must have that digest). A text reference
   * naming another tag is an error.
   */
  readonly tag?: string;
}

/** Whether a text reference writes a tag or a digest (in its last path component, after the registry). */
function namesTagOrDigest(text: string): boolean {
  const last = text.slice(text.lastIndexOf('/') + 1);
  return last.includes(':') || last.includes('@');
}

/**
 * Where a push goes. A text reference must write a tag or a digest, or come with `{ tag }`:
 * `ImageReference.parse('team/app')` fills in `latest`, and a push is the one place where that
 * silent default overwrites something. An `ImageReference` object always carries a tag or a digest.
 */
function putTarget(input: ReferenceInput, tag: string | undefined): ImageReference {
  const ref = toReference(input);
  const shown = typeof input === 'string' ? input : ref.toString();
  if (tag === undefined) {
    if (typeof input === 'string' && !namesTagOrDigest(input)) {
      throw new ValidationError(
        'TAG_REQUIRED',
        `manifests.put("${input}"): the reference names neither a tag nor a digest; write the tag ("${input}:v1"), pass { tag: 'v1' }, or push by digest ("${input}@sha256:…")`,
        input,
      );
    }
    return ref;
  }
  const written = typeof input === 'string' ? (namesTagOrDigest(input) ? ref.tag : undefined) : ref.tag;
  if (written !== undefined && written !== tag) {
    throw new ValidationError('INVALID_ARGUMENT', `manifests.put("${shown}", …, { tag: "${tag}" }): the reference names tag "${written}"; give the tag once`, shown);
  }
  return ImageReference.from({ registry: ref.registry, repository: ref.repository, tag, ...(ref.digest === undefined ? {} : { digest: ref.digest }) });
}

const notFound = (what: string): NotFoundError =>
  new NotFoundError(`${what}: HTTP 404`, { status: 404, registryErrors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] });

function toResult(parsed: ParsedManifest, digest: string): ManifestResult {
  const common = { digest, mediaType: parsed.mediaType, bytes: parsed.bytes, size: parsed.bytes.byteLength };
  return parsed.kind === 'image' ? { ...common, kind: 'image', manifest: parsed.manifest } : { ...common, kind: 'index', manifest: parsed.manifest };
}

/**
 * Manifests: get (verified), head, get for a platform, put and delete (seed F-09..F-13).
 * @public
 */
export class ManifestsService {
  readonly #ctx: ClientContext;
  readonly #cache: ManifestCache<ManifestResult>;

  /** @param ctx - the client context */
  constructor(ctx: ClientContext) {
    this.#ctx = ctx;
    this.#cache = new ManifestCache({ enabled: ctx.config.cache.enabled, ttlMs: ctx.config.cache.manifestTtlSeconds * 1000 });
  }

  #key(ref: ImageReference, reference = ref.reference): string {
    return `${this.#ctx.registryBase(ref).origin}/${ref.repository}@${reference}`;
  }

  /**
   * Reads a manifest by tag or digest, asking for every manifest type, and verifies its bytes
   * against the requested digest, else `Docker-Content-Digest`. Tag lookups are cached for
   * `cache.manifestTtlSeconds`, digest lookups for good.
   * @param input - the reference
   * @param options - signal
   * @returns the manifest, its digest, media type and exact bytes
   * @throws {@link @llmdevops/docker-hub-core!NotFoundError | NotFoundError} (`MANIFEST_UNKNOWN`, `NAME_UNKNOWN`), {@link @llmdevops/docker-hub-core!DigestMismatchError | DigestMismatchError}, {@link @llmdevops/docker-hub-core!ManifestInvalidError | ManifestInvalidError}
   * @example
   * ```ts
   * const { manifest, digest } = await client.manifests.get('alpine:3.19');
   * ```
   */
  async get(input: ReferenceInput, options: CallOptions = {}): Promise<ManifestResult> {
    const ref = toReference(input);
    return this.#ctx.telemetry.run('manifests.get', refAttributes(ref), async (span) => {
      const result = await this.#get(ref, options);
      span.setAttribute('docker_hub.digest', result.digest);
      span.setAttribute('docker_hub.manifest.size', result.size);
      return result;
    });
  }

  async #get(ref: ImageReference, options: CallOptions): Promise<ManifestResult> {
    const key = this.#key(ref);
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    const what = `GET manifest ${ref.toString()}`;
    const { res, bytes } = await this.#ctx.retrying(what, options.signal, async () => {
      const r = await this.#ctx.expect(
        { method: 'GET', ref, path: `manifests/${ref.reference}`, headers: { accept: ACCEPT_MANIFEST_HEADER }, signal: options.signal, operation: 'manifests' },
        [200],
        what,
      );
      return { res: r, bytes: await r.bytes(MANIFEST_MAX_BYTES) };
    });
    // The digest asked for wins over the header (OCI distribution spec); both are verified.
    const header = res.header('docker-content-digest');
    const expected = ref.digest ?? (header !== undefined && Digest.tryParse(header) !== undefined ? header : undefined);
    if (expected !== undefined) verifyBytes(bytes, expected);
    const parsed = parseManifest(bytes, res.header('content-type'));
    const result = toResult(parsed, expected ?? parsed.digest.toString());
    this.#cache.set(key, result, ref.digest !== undefined);
    this.#cache.set(this.#key(ref, result.digest), result, true);
    return result;
  }

  /**
   * `HEAD` of a manifest: digest, size and media type without the body (no pull counted on Hub).
   * @param input - the reference
   * @param options - signal
   * @returns digest, size and media type
   * @throws {@link @llmdevops/docker-hub-core!NotFoundError | NotFoundError} (`MANIFEST_UNKNOWN`) when absent
   */
  async head(input: ReferenceInput, options: CallOptions = {}): Promise<ManifestHead> {
    const ref = toReference(input);
    return this.#ctx.telemetry.run('manifests.head', refAttributes(ref), async (span) => {
      const head = await this.#head(ref, options);
      span.setAttribute('docker_hub.digest', head.digest);
      return head;
    });
  }

  async #head(ref: ImageReference, options: CallOptions): Promise<ManifestHead> {
    const what = `HEAD manifest ${ref.toString()}`;
    const res = await this.#ctx.send({
      method: 'HEAD', ref, path: `manifests/${ref.reference}`, headers: { accept: ACCEPT_MANIFEST_HEADER }, signal: options.signal, operation: 'manifests',
    });
    await res.dump();
    if (res.status === 404) throw notFound(what);
    if (res.status !== 200) {
      // HEAD has no error body; a GET gives the registry's typed error.
      const full = await this.get(ref, options);
      return { digest: full.digest, size: full.size, mediaType: full.mediaType };
    }
    const digest = ref.digest ?? res.header('docker-content-digest');
    const mediaType = res.header('content-type');
    if (digest === undefined || mediaType === undefined) {
      const full = await this.get(ref, options);
      return { digest: full.digest, size: full.size, mediaType: full.mediaType };
    }
    return { digest, size: Number(res.header('content-length') ?? '0'), mediaType: normalizeMediaType(mediaType) };
  }

  /**
   * Whether a manifest exists (`HEAD`).
   * @param input - the reference
   * @param options - signal
   * @returns true when the registry has it
   */
  async exists(input: ReferenceInput, options: CallOptions = {}): Promise<boolean> {
    try {
      await this.head(input, options);
      return true;
    } catch (err) {
      if (err instanceof NotFoundError) return false;
      throw err;
    }
  }

  /**
   * The image manifest for one platform: an index or manifest list is resolved to its matching
   * entry; a single-platform manifest is checked against its config's `os`/`architecture`.
   * @param input - the reference
   * @param platform - e.g. `linux/arm64/v8`
   * @param options - signal
   * @returns the platform's image manifest
   * @throws {@link @llmdevops/docker-hub-core!PlatformNotFoundError | PlatformNotFoundError} listing the platforms available
   */
  async getForPlatform(input: ReferenceInput, platform: Platform | string, options: CallOptions = {}): Promise<ManifestResult> {
    const ref = toReference(input);
    const wanted = typeof platform === 'string' ? Platform.parse(platform) : platform;
    return this.#ctx.telemetry.run('manifests.getForPlatform', { ...refAttributes(ref), 'docker_hub.platform': wanted.toString() }, async (span) => {
      const result = await this.#getForPlatform(ref, wanted, options);
      span.setAttribute('docker_hub.digest', result.digest);
      return result;
    });
  }

  async #getForPlatform(ref: ImageReference, wanted: Platform, options: CallOptions): Promise<ManifestResult> {
    const top = await this.get(ref, options);
    if (top.kind === 'index') {
      const entry = selectManifest(top.manifest, wanted);
      return this.get(ref.withDigest(entry.digest), options);
    }
    const bytes = await this.#ctx.retrying(`GET config ${ref.toString()}`, options.signal, async () => {
      const config = await this.#ctx.expect(
        { method: 'GET', ref, path: `blobs/${top.manifest.config.digest}`, signal: options.signal, operation: 'blobs' },
        [200],
        `GET config ${ref.toString()}`,
      );
      return config.bytes(MANIFEST_MAX_BYTES);
    });
    verifyBytes(bytes, top.manifest.config.digest, top.manifest.config.size);
    const parsed = JSON.parse(new TextDecoder().decode(bytes)) as { os?: unknown; architecture?: unknown; variant?: unknown };
    const os = typeof parsed.os === 'string' ? parsed.os : 'unknown';
    const architecture = typeof parsed.architecture === 'string' ? parsed.architecture : 'unknown';
    const variant = typeof parsed.variant === 'string' ? parsed.variant : undefined;
    const own = { os, architecture, ...(variant === undefined ? {} : { variant }) };
    if (!wanted.matches(own)) throw new PlatformNotFoundError(wanted.toString(), [[os, architecture, variant].filter((p) => p !== undefined).join('/')]);
    return top;
  }

  /**
   * Pushes a manifest (an object, serialized once, or exact bytes, sent unchanged) by tag or
   * digest and checks the `Docker-Content-Digest` the registry echoes. A text reference must name
   * a tag or a digest (or come with `{ tag }`): `team/app` alone is refused rather than pushed
   * as `team/app:latest`.
   * @param input - where to push (`repo:tag`, `repo@digest`, or `repo` with `{ tag }`)
   * @param manifest - the manifest object or its exact bytes
   * @param options - media type for raw bytes, tag, signal
   * @returns the manifest's digest
   * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} `TAG_REQUIRED` when a text reference names neither tag nor digest and no `{ tag }` is given;
   *   `INVALID_ARGUMENT` when the reference and `{ tag }` name different tags
   * @throws {@link @llmdevops/docker-hub-core!InvalidReferenceError | InvalidReferenceError} for a bad reference or `{ tag }`
   * @throws {@link @llmdevops/docker-hub-core!DigestMismatchError | DigestMismatchError} when the bytes do not match a digest reference or the echo differs;
   *   {@link @llmdevops/docker-hub-core!RegistryError | RegistryError} `MANIFEST_BLOB_UNKNOWN`, `MANIFEST_INVALID`, `DENIED`, ...
   * @example
   * ```ts
   * await client.manifests.put('127.0.0.1:5000/team/app:v1', manifest);
   * await client.manifests.put('127.0.0.1:5000/team/app', manifest, { tag: 'v1' });
   * await client.manifests.put(`127.0.0.1:5000/team/app@${digest}`, bytes, { mediaType });
   * ```
   */
  async put(input: ReferenceInput, manifest: Manifest | Uint8Array, options: PutManifestOptions = {}): Promise<string> {
    const ref = putTarget(input, options.tag);
    return this.#ctx.telemetry.run('manifests.put', refAttributes(ref), async (span) => {
      const digest = await this.#put(ref, manifest, options);
      span.setAttribute('docker_hub.digest', digest);
      return digest;
    });
  }

  async #put(ref: ImageReference, manifest: Manifest | Uint8Array, options: PutManifestOptions): Promise<string> {
    const parsed = manifest instanceof Uint8Array ? parseManifest(manifest, options.mediaType) : buildManifest(manifest);
    const digest = parsed.digest.toString();
    if (ref.digest !== undefined && !parsed.digest.equals(ref.digest)) {
      throw new DigestMismatchError(ref.digest, digest, 'manifest');
    }
    // `{ tag }` pushes under the tag, also with a digest reference (whose digest was checked above).
    const pushed = options.tag ?? ref.reference;
    const res = await this.#ctx.expect(
      {
        method: 'PUT', ref, path: `manifests/${pushed}`, headers: { 'content-type': parsed.mediaType },
        body: parsed.bytes, signal: options.signal, operation: 'manifests',
      },
      [201, 200, 202],
      `PUT manifest ${ref.toString()}`,
    );
    await res.dump();
    const echoed = res.header('docker-content-digest');
    if (echoed !== undefined && !parsed.digest.equals(echoed)) throw new DigestMismatchError(digest, echoed, 'manifest digest echoed by the registry');
    this.#cache.delete(this.#key(ref, pushed));
    this.#cache.set(this.#key(ref, digest), toResult(parsed, digest), true);
    return digest;
  }

  /**
   * Deletes a manifest. A tag is first resolved to its digest (distribution answers
   * `400 DIGEST_INVALID` to delete-by-tag); deleting a digest removes **every tag** pointing at it.
   * @param input - the reference (tag or digest)
   * @param options - signal
   * @returns the digest deleted
   * @throws {@link @llmdevops/docker-hub-core!NotFoundError | NotFoundError} when absent; {@link @llmdevops/docker-hub-core!UnsupportedError | UnsupportedError} when the registry disables deletes (Docker Hub)
   */
  async delete(input: ReferenceInput, options: CallOptions = {}): Promise<string> {
    const ref = toReference(input);
    return this.#ctx.telemetry.run('manifests.delete', refAttributes(ref), async (span) => {
      const digest = await this.#delete(ref, options);
      span.setAttribute('docker_hub.digest', digest);
      return digest;
    });
  }

  async #delete(ref: ImageReference, options: CallOptions): Promise<string> {
    const digest = ref.digest ?? (await this.head(ref, options)).digest;
    const res = await this.#ctx.expect(
      { method: 'DELETE', ref, path: `manifests/${digest}`, signal: options.signal, operation: 'manifests' },
      [202, 200, 204],
      `DELETE manifest ${ref.toString()}`,
    );
    await res.dump();
    this.#cache.deletePrefix(`${this.#ctx.registryBase(ref).origin}/${ref.repository}@`);
    return digest;
  }
}
