import { type DockerHubErrorCode } from './codes.js';
import { DockerHubError } from './docker-hub-error.js';

/** Codes a {@link ValidationError} may carry. @public */
export type ValidationErrorCode = Extract<
  DockerHubErrorCode,
  | 'INVALID_REFERENCE'
  | 'INVALID_DIGEST'
  | 'INVALID_TAG'
  | 'INVALID_NAME'
  | 'INVALID_NAMESPACE'
  | 'INVALID_PLATFORM'
  | 'INVALID_MEDIA_TYPE'
  | 'INVALID_ARGUMENT'
  | 'TAG_REQUIRED'
>;

/**
 * Bad input detected before any I/O: the message names the input, what rule it broke and,
 * where it helps, the position. Never retried.
 * @public
 */
export class ValidationError extends DockerHubError {
  /** The offending input (already known to the caller; never a secret). */
  readonly input: string;

  /**
   * @param code - which kind of input was bad
   * @param message - what is wrong and where
   * @param input - the offending input
   */
  constructor(code: ValidationErrorCode, message: string, input: string) {
    super(code, message);
    this.input = input;
  }
}

/** An image reference that does not follow the grammar (code `INVALID_REFERENCE`). @public */
export class InvalidReferenceError extends ValidationError {
  /**
   * @param message - what is wrong and where
   * @param input - the reference as given
   */
  constructor(message: string, input: string) {
    super('INVALID_REFERENCE', message, input);
  }
}

/** A malformed or unsupported digest (code `INVALID_DIGEST`). @public */
export class InvalidDigestError extends ValidationError {
  /**
   * @param message - what is wrong
   * @param input - the digest as given
   */
  constructor(message: string, input: string) {
    super('INVALID_DIGEST', message, input);
  }
}

/** A manifest that is not JSON or fails its schema (code `MANIFEST_INVALID`). @public */
export class ManifestInvalidError extends DockerHubError {
  /** Where in the document the problem is, as a JSON path such as `layers.0.digest`. */
  readonly path: string | undefined;

  /**
   * @param message - what is wrong
   * @param options - the JSON path and the underlying cause
   */
  constructor(message: string, options: { path?: string; cause?: unknown } = {}) {
    super('MANIFEST_INVALID', message, { cause: options.cause });
    this.path = options.path;
  }
}

/** Content over the limit for its kind (code `PAYLOAD_TOO_LARGE`, status 413). @public */
export class PayloadTooLargeError extends DockerHubError {
  /** The limit in bytes. */
  readonly limit: number;

  /**
   * @param what - the kind of content, e.g. `manifest`
   * @param limit - the limit in bytes
   */
  constructor(what: string, limit: number) {
    super('PAYLOAD_TOO_LARGE', `${what} exceeds the limit of ${limit} bytes`, { status: 413 });
    this.limit = limit;
  }
}

/** One problem found in a configuration. @public */
export interface ConfigIssue {
  /** Dotted path of the field, e.g. `resilience.max_retries`. */
  readonly path: string;
  /** What is wrong with it (never the value, which may be a secret). */
  readonly message: string;
}

/** A configuration that failed validation; lists every bad field at once (code `CONFIG_INVALID`). @public */
export class ConfigError extends DockerHubError {
  /** Every problem found. */
  readonly issues: readonly ConfigIssue[];

  /**
   * @param issues - every problem found
   * @param options - `subject` names what was configured in the message, e.g.
   * `createTransport options` (default `configuration`)
   */
  constructor(issues: readonly ConfigIssue[], options: { readonly subject?: string } = {}) {
    const lines = issues.map((i) => `  - ${i.path === '' ? '(root)' : i.path}: ${i.message}`);
    super('CONFIG_INVALID', `invalid ${options.subject ?? 'configuration'}:\n${lines.join('\n')}`);
    this.issues = issues;
  }
}

/** No manifest of an index matches the requested platform (code `PLATFORM_NOT_FOUND`). @public */
export class PlatformNotFoundError extends DockerHubError {
  /** The platform asked for, as `os/arch[/variant]`. */
  readonly requested: string;
  /** The platforms the index offers (attestations excluded). */
  readonly available: readonly string[];

  /**
   * @param requested - the platform asked for
   * @param available - the platforms offered
   */
  constructor(requested: string, available: readonly string[]) {
    const offer = available.length === 0 ? 'none' : available.join(', ');
    super('PLATFORM_NOT_FOUND', `no manifest for platform ${requested}; available: ${offer}`);
    this.requested = requested;
    this.available = available;
  }
}
