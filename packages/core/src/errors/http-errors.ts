import { type DockerHubErrorCode, REGISTRY_CODES } from './codes.js';
import { DockerHubError } from './docker-hub-error.js';

/** One entry of a distribution error body `{"errors":[{code,message,detail}]}`. @public */
export interface RegistryErrorDetail {
  /** The registry's code, e.g. `MANIFEST_UNKNOWN`. */
  readonly code: string;
  /** The registry's message. */
  readonly message: string;
  /** The registry's detail, if any (arbitrary JSON). */
  readonly detail?: unknown;
}

/** Options of errors built from an HTTP answer. @public */
export interface HttpErrorOptions {
  /** HTTP status. */
  readonly status?: number;
  /** Parsed registry error entries. */
  readonly registryErrors?: readonly RegistryErrorDetail[];
  /** The underlying cause. */
  readonly cause?: unknown;
  /** Overrides the default retryability. */
  readonly retryable?: boolean;
}

function pickCode(
  fallback: DockerHubErrorCode,
  errors: readonly RegistryErrorDetail[],
): DockerHubErrorCode {
  const first = errors[0]?.code;
  return first !== undefined && REGISTRY_CODES.has(first)
    ? (first as DockerHubErrorCode)
    : fallback;
}

/**
 * The registry or Hub API answered with an error. `code` is the registry's own code when it is
 * one of the documented ones (e.g. `MANIFEST_UNKNOWN`), otherwise the class's default.
 * @public
 */
export class RegistryError extends DockerHubError {
  /** Every error entry the registry sent, in order. */
  readonly registryErrors: readonly RegistryErrorDetail[];

  /**
   * @param message - what failed, e.g. `GET manifest library/alpine:3.19`
   * @param options - status, registry errors and cause
   * @param fallback - the code used when the registry sent none this toolkit knows
   */
  constructor(
    message: string,
    options: HttpErrorOptions = {},
    fallback: DockerHubErrorCode = 'REGISTRY_ERROR',
  ) {
    const errors = options.registryErrors ?? [];
    super(pickCode(fallback, errors), message, {
      cause: options.cause,
      ...(options.status === undefined ? {} : { status: options.status }),
      retryable: options.retryable ?? false,
    });
    this.registryErrors = errors;
  }

  /** The registry's first error code, exactly as sent, if any. */
  get registryCode(): string | undefined {
    return this.registryErrors[0]?.code;
  }
}

/** Credentials missing, wrong or expired (status 401, code `UNAUTHORIZED` or `TWO_FACTOR_REQUIRED`). @public */
export class AuthenticationError extends RegistryError {
  /**
   * @param message - what was refused; never the credential
   * @param options - status, registry errors, cause
   * @param code - `UNAUTHORIZED` (default) or `TWO_FACTOR_REQUIRED`
   */
  constructor(
    message: string,
    options: HttpErrorOptions = {},
    code: 'UNAUTHORIZED' | 'TWO_FACTOR_REQUIRED' = 'UNAUTHORIZED',
  ) {
    super(message, { status: 401, ...options }, code);
  }
}

/** Valid credentials without the right (status 403, code `DENIED`). @public */
export class AuthorizationError extends RegistryError {
  /**
   * @param message - what was refused
   * @param options - status, registry errors, cause
   */
  constructor(message: string, options: HttpErrorOptions = {}) {
    super(message, { status: 403, ...options }, 'DENIED');
  }
}

/** The thing does not exist (status 404; code `MANIFEST_UNKNOWN`, `BLOB_UNKNOWN`, `NAME_UNKNOWN` or `NOT_FOUND`). @public */
export class NotFoundError extends RegistryError {
  /**
   * @param message - what was not found
   * @param options - status, registry errors, cause
   */
  constructor(message: string, options: HttpErrorOptions = {}) {
    super(message, { status: 404, ...options }, 'NOT_FOUND');
  }
}

/** The server failed (5xx, code `SERVER_ERROR`); retryable. @public */
export class ServerError extends RegistryError {
  /**
   * @param message - what failed
   * @param options - status, registry errors, cause
   */
  constructor(message: string, options: HttpErrorOptions = {}) {
    super(message, { retryable: true, ...options }, 'SERVER_ERROR');
  }
}

/** The registry does not support this operation (status 405, code `UNSUPPORTED`). @public */
export class UnsupportedError extends RegistryError {
  /**
   * @param message - what is unsupported
   * @param options - status, registry errors, cause
   */
  constructor(message: string, options: HttpErrorOptions = {}) {
    super(message, { status: 405, ...options }, 'UNSUPPORTED');
  }
}

/** Options of a {@link RateLimitError}. @public */
export interface RateLimitErrorOptions extends HttpErrorOptions {
  /** When the limit resets (from `Retry-After`, `X-RateLimit-Reset` or the window). */
  readonly resetAt?: Date;
  /** The limit, when the registry said. */
  readonly limit?: number;
  /** Remaining budget (normally 0). */
  readonly remaining?: number;
}

/**
 * The rate limit is spent (status 429, code `TOOMANYREQUESTS`). Retryable after `resetAt`;
 * the transport waits on its own when the wait is acceptable and throws this when it is not.
 * @public
 */
export class RateLimitError extends RegistryError {
  /** When the limit resets, if known. */
  readonly resetAt: Date | undefined;
  /** The limit, if known. */
  readonly limit: number | undefined;
  /** Remaining budget, if known. */
  readonly remaining: number | undefined;

  /**
   * @param message - what was limited
   * @param options - reset time, limit, and the HTTP details
   */
  constructor(message: string, options: RateLimitErrorOptions = {}) {
    const when =
      options.resetAt === undefined ? '' : `; resets at ${options.resetAt.toISOString()}`;
    super(`${message}${when}`, { status: 429, retryable: true, ...options }, 'TOOMANYREQUESTS');
    this.resetAt = options.resetAt;
    this.limit = options.limit;
    this.remaining = options.remaining;
  }

  /** Milliseconds from `now` until the reset (0 when unknown or past). */
  retryAfterMs(now: number = Date.now()): number {
    return this.resetAt === undefined ? 0 : Math.max(0, this.resetAt.getTime() - now);
  }
}
