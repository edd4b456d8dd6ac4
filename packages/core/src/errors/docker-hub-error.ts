import { type DockerHubErrorCode } from './codes.js';

const kDockerHubError = Symbol.for('@llmdevops/docker-hub.error');

/** Options every toolkit error accepts. @public */
export interface DockerHubErrorOptions {
  /** The underlying error (an undici error, a zod error, `signal.reason`, ...). */
  readonly cause?: unknown;
  /** HTTP status of the answer that caused the error, if there was one. */
  readonly status?: number;
  /** Whether repeating the same call may succeed; read by the retry middleware. */
  readonly retryable?: boolean;
}

/** The JSON form of an error: no headers, bodies or secrets, only what is safe to log. @public */
export interface DockerHubErrorJSON {
  readonly name: string;
  readonly code: DockerHubErrorCode;
  readonly message: string;
  readonly status: number | undefined;
  readonly retryable: boolean;
}

/**
 * Base class of every error the toolkit throws. Match on {@link DockerHubError.code} (stable)
 * or on the subclass; `instanceof` works across duplicate copies of the package because it
 * checks a `Symbol.for` brand and the class name rather than object identity.
 * @public
 */
export class DockerHubError extends Error {
  /** Stable code, documented in `ERROR_CODES`. */
  readonly code: DockerHubErrorCode;
  /** Whether repeating the same call may succeed. */
  readonly retryable: boolean;
  /** HTTP status of the answer that caused the error, if any. */
  readonly status: number | undefined;

  /**
   * @param code - stable code
   * @param message - what went wrong and where; never a secret or raw header value
   * @param options - cause, status and retryability
   */
  constructor(code: DockerHubErrorCode, message: string, options: DockerHubErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.status = options.status;
  }

  /** Brand shared by every copy of this package. @internal */
  get [kDockerHubError](): true {
    return true;
  }

  /**
   * `instanceof` that also recognises errors created by another copy of the package: the value
   * must carry the brand and have a class of the same name in its prototype chain.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return false;
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if ((value as Record<symbol, unknown>)[kDockerHubError] !== true) return false;
    for (let p: unknown = Object.getPrototypeOf(value); p !== null; p = Object.getPrototypeOf(p)) {
      const ctor = (p as { constructor?: { name?: string } }).constructor;
      if (ctor?.name === this.name) return true;
    }
    return false;
  }

  /** A safe, loggable form: code, name, message, status and retryability only. */
  toJSON(): DockerHubErrorJSON {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      status: this.status,
      retryable: this.retryable,
    };
  }
}

/**
 * Type guard for toolkit errors, for callers who prefer functions to `instanceof`.
 * @param value - anything caught
 * @returns true when `value` is a {@link DockerHubError} from any copy of the package
 * @public
 */
export function isDockerHubError(value: unknown): value is DockerHubError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[kDockerHubError] === true
  );
}
