import { InvalidReferenceError } from '../errors/validation-errors.js';
import { inspectDigest } from '../digest/digest.js';
import { asText, notString, quote } from '../validation/describe.js';
import { pathProblem } from '../validation/path-problem.js';
import { REPOSITORY_MAX_LENGTH } from '../validation/patterns.js';
import { tagProblem } from '../validation/validate.js';
import {
  DEFAULT_TAG,
  DOCKER_HUB_DOMAIN,
  LEGACY_DOCKER_HUB_DOMAIN,
  OFFICIAL_PREFIX,
  domainProblem,
  looksLikeDomain,
  normalizeRepository,
  splitReference,
  type ReferenceParts,
} from './split-reference.js';

/** Docker Hub's registry domain as written in references. @public */
export const DOCKER_HUB_REGISTRY: string = DOCKER_HUB_DOMAIN;

/** The HTTP host of Docker Hub's registry API. @public */
export const DOCKER_HUB_REGISTRY_HOST = 'registry-1.docker.io';

/** Parts accepted by {@link ImageReference.from}. @public */
export interface ImageReferenceInit {
  /** Registry domain such as `ghcr.io` or `localhost:5000`; defaults to `docker.io`. */
  readonly registry?: string;
  /** Repository path such as `library/alpine`, `alpine` (Docker Hub) or `team/app`. */
  readonly repository: string;
  /** Tag; `latest` is implied when neither tag nor digest is given. */
  readonly tag?: string;
  /** Digest such as `sha256:<64 hex>`. */
  readonly digest?: string;
}

/**
 * An image reference (`[registry/]repository[:tag][@digest]`) parsed with distribution's grammar
 * and Docker Hub normalization: `alpine` is `docker.io/library/alpine:latest`, `index.docker.io`
 * is `docker.io`, and the first component is a registry only when it contains `.` or `:`, is
 * `localhost`, or has an upper-case letter. Immutable.
 * @example
 * ```ts
 * const ref = ImageReference.parse('alpine:3.19');
 * ref.registry;    // 'docker.io'
 * ref.repository;  // 'library/alpine'
 * ref.toString();  // 'docker.io/library/alpine:3.19'
 * ref.familiar();  // 'alpine:3.19'
 * ```
 * @public
 */
export class ImageReference {
  /** Registry domain as written in references: `docker.io`, `localhost:5000`, `ghcr.io`. */
  readonly registry: string;
  /** Repository path: `library/alpine`, `bitnami/redis`. */
  readonly repository: string;
  /** Tag; `latest` when neither tag nor digest was given, undefined for digest-only references. */
  readonly tag: string | undefined;
  /** Digest (`sha256:<hex>`), when the reference pins one. */
  readonly digest: string | undefined;

  private constructor(parts: ReferenceParts) {
    this.registry = parts.registry;
    this.repository = parts.repository;
    this.tag = parts.tag;
    this.digest = parts.digest;
  }

  /**
   * Parses and normalizes a reference.
   * @param text - e.g. `alpine`, `bitnami/redis:7`, `localhost:5000/team/app@sha256:...`
   * @returns the normalized reference
   * @throws {@link InvalidReferenceError} (code `INVALID_REFERENCE`) saying what is wrong and where
   */
  static parse(text: string): ImageReference {
    const type = notString(text, 'reference');
    if (type !== undefined) throw new InvalidReferenceError(type, asText(text));
    const parts = splitReference(text);
    if (typeof parts === 'string') {
      throw new InvalidReferenceError(`invalid reference ${quote(text)}: ${parts}`, text);
    }
    return new ImageReference(parts);
  }

  /**
   * Like {@link ImageReference.parse} but returns undefined instead of throwing.
   * @param text - a reference
   * @returns the reference, or undefined when `text` is invalid
   */
  static tryParse(text: string): ImageReference | undefined {
    if (notString(text, 'reference') !== undefined) return undefined;
    const parts = splitReference(text);
    return typeof parts === 'string' ? undefined : new ImageReference(parts);
  }

  /**
   * Builds a reference from parts, validating and normalizing each (the registry must be one
   * that {@link ImageReference.parse} would recognise as a registry, so the result round-trips).
   * @param parts - registry (default `docker.io`), repository, tag, digest
   * @returns the normalized reference
   * @throws {@link InvalidReferenceError} naming the bad part
   */
  static from(parts: ImageReferenceInit): ImageReference {
    const fail = (problem: string): never => {
      const shown = `${parts.registry ?? DOCKER_HUB_DOMAIN}/${parts.repository}`;
      throw new InvalidReferenceError(
        `invalid reference parts for ${quote(shown)}: ${problem}`,
        shown,
      );
    };
    let registry = parts.registry ?? DOCKER_HUB_DOMAIN;
    if (!looksLikeDomain(registry)) {
      fail(
        `registry "${registry}" would read as a Docker Hub namespace; a registry contains '.' or ':' or is 'localhost'`,
      );
    }
    const badDomain = domainProblem(registry);
    if (badDomain !== undefined) fail(badDomain);
    if (registry === LEGACY_DOCKER_HUB_DOMAIN) registry = DOCKER_HUB_DOMAIN;
    const badPath = pathProblem(parts.repository);
    if (badPath !== undefined) fail(badPath);
    const repository = normalizeRepository(registry, parts.repository);
    if (repository.length > REPOSITORY_MAX_LENGTH) {
      fail(
        `repository name is ${repository.length} characters long; the maximum is ${REPOSITORY_MAX_LENGTH}`,
      );
    }
    const badTag = parts.tag === undefined ? undefined : tagProblem(parts.tag);
    if (badTag !== undefined) fail(badTag);
    const digest = parts.digest === undefined ? undefined : checkDigest(parts.digest, fail);
    const tag = parts.tag ?? (digest === undefined ? DEFAULT_TAG : undefined);
    return new ImageReference({ registry, repository, tag, digest });
  }

  /** `registry/repository`, e.g. `docker.io/library/alpine`. */
  get name(): string {
    return `${this.registry}/${this.repository}`;
  }

  /** What to ask the registry for: the digest when there is one, else the tag. */
  get reference(): string {
    // One of the two is always set: parse/from default the tag to `latest`, and the constructor
    // is private, so the last fallback cannot be reached; it only satisfies the type.
    /* v8 ignore next */
    return this.digest ?? this.tag ?? DEFAULT_TAG;
  }

  /** Whether the reference is on Docker Hub (`docker.io`, or `registry-1.docker.io` written out). */
  get isDockerHub(): boolean {
    return this.registry === DOCKER_HUB_DOMAIN || this.registry === DOCKER_HUB_REGISTRY_HOST;
  }

  /** The host (and port) to send registry API requests to: `registry-1.docker.io` for Docker Hub. */
  get registryHost(): string {
    return this.isDockerHub ? DOCKER_HUB_REGISTRY_HOST : this.registry;
  }

  /**
   * The same repository with another tag (and no digest, so the tag is what gets resolved).
   * @param tag - the new tag
   * @returns a new reference
   * @throws {@link InvalidReferenceError} when the tag is invalid
   */
  withTag(tag: string): ImageReference {
    return ImageReference.from({ registry: this.registry, repository: this.repository, tag });
  }

  /**
   * The same repository pinned to a digest (the tag, if any, is kept for display).
   * @param digest - a digest string or object with a `toString()` such as {@link Digest}
   * @returns a new reference
   * @throws {@link InvalidReferenceError} when the digest is invalid
   */
  withDigest(digest: string | { toString(): string }): ImageReference {
    const base = { registry: this.registry, repository: this.repository, digest: String(digest) };
    return ImageReference.from(this.tag === undefined ? base : { ...base, tag: this.tag });
  }

  /**
   * Whether two references name the same registry, repository, tag and digest.
   * @param other - another reference
   * @returns true when all parts are equal
   */
  equals(other: ImageReference): boolean {
    return (
      this.registry === other.registry &&
      this.repository === other.repository &&
      this.tag === other.tag &&
      this.digest === other.digest
    );
  }

  /** @returns the canonical full form, e.g. `docker.io/library/alpine:3.19` or `...:t@sha256:...` */
  toString(): string {
    return this.name + this.suffix();
  }

  /** @returns the canonical full form, so references serialize as strings */
  toJSON(): string {
    return this.toString();
  }

  /**
   * The short form people type: `alpine:3.19`, `bitnami/redis:latest`, `localhost:5000/x:t`.
   * Unlike distribution's `FamiliarString`, a Hub path whose first component looks like a
   * registry (`docker.io/a.b/c`) keeps its `docker.io/` prefix so the short form stays unambiguous.
   * @returns the familiar form, which parses back to an equal reference
   */
  familiar(): string {
    if (this.registry !== DOCKER_HUB_DOMAIN) return this.toString();
    const short = this.repository.startsWith(OFFICIAL_PREFIX)
      ? this.repository.slice(OFFICIAL_PREFIX.length)
      : this.repository;
    if (!short.includes('/')) return short + this.suffix();
    // `docker.io/a.b/c` must keep its registry: `a.b/c` would read as registry `a.b`.
    const first = this.repository.slice(0, this.repository.indexOf('/'));
    return (looksLikeDomain(first) ? this.name : this.repository) + this.suffix();
  }

  private suffix(): string {
    return (
      (this.tag === undefined ? '' : `:${this.tag}`) +
      (this.digest === undefined ? '' : `@${this.digest}`)
    );
  }
}

function checkDigest(text: string, fail: (problem: string) => never): string {
  const result = inspectDigest(text);
  return typeof result === 'string' ? fail(result) : `${result.algorithm}:${result.encoded}`;
}
