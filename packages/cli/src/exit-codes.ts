import { isDockerHubError, type DockerHubErrorCode } from '@llmdevops/docker-hub-core';

/** Process exit codes of `dhub`: scripts rely on them. @public */
export const EXIT = {
  /** The command did what was asked. */
  OK: 0,
  /** The operation failed; stderr has one line `CODE: message`. */
  FAILED: 1,
  /** The command line was wrong; stderr has the usage line. */
  USAGE: 2,
} as const;

/** One of the exit codes in {@link EXIT}. @public */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A wrong command line (exit code 2). @internal */
export class UsageError extends Error {
  /** The usage line of the command concerned. */
  readonly usage: string;

  /**
   * @param message - what is wrong with the command line
   * @param usage - the usage line to print
   */
  constructor(message: string, usage: string) {
    super(message);
    this.name = 'UsageError';
    this.usage = usage;
  }
}

const FAILED = EXIT.FAILED;

/**
 * The exit code for every error code of the toolkit, in one table. Every typed
 * failure of an operation is 1: arguments are validated before any I/O and reported as usage
 * errors (2), so an input error met later (a bad name in a registry answer, a bad config file) is
 * a failed operation. The table is exhaustive, so a new code cannot be forgotten.
 * @public
 */
export const EXIT_CODE_BY_ERROR_CODE: Readonly<Record<DockerHubErrorCode, ExitCode>> = {
  INVALID_REFERENCE: FAILED,
  INVALID_DIGEST: FAILED,
  INVALID_TAG: FAILED,
  INVALID_NAME: FAILED,
  INVALID_NAMESPACE: FAILED,
  INVALID_PLATFORM: FAILED,
  INVALID_MEDIA_TYPE: FAILED,
  INVALID_ARGUMENT: FAILED,
  TAG_REQUIRED: FAILED,
  CONFIG_INVALID: FAILED,
  MANIFEST_INVALID: FAILED,
  PAYLOAD_TOO_LARGE: FAILED,
  PLATFORM_NOT_FOUND: FAILED,
  LIMIT_EXCEEDED: FAILED,
  DIGEST_MISMATCH: FAILED,
  SIZE_MISMATCH: FAILED,
  UNAUTHORIZED: FAILED,
  DENIED: FAILED,
  TWO_FACTOR_REQUIRED: FAILED,
  NOT_FOUND: FAILED,
  NAME_UNKNOWN: FAILED,
  MANIFEST_UNKNOWN: FAILED,
  BLOB_UNKNOWN: FAILED,
  BLOB_UPLOAD_UNKNOWN: FAILED,
  BLOB_UPLOAD_INVALID: FAILED,
  MANIFEST_BLOB_UNKNOWN: FAILED,
  DIGEST_INVALID: FAILED,
  NAME_INVALID: FAILED,
  TAG_INVALID: FAILED,
  SIZE_INVALID: FAILED,
  RANGE_INVALID: FAILED,
  UNSUPPORTED: FAILED,
  TOOMANYREQUESTS: FAILED,
  SERVER_ERROR: FAILED,
  REGISTRY_ERROR: FAILED,
  NETWORK: FAILED,
  TIMEOUT: FAILED,
  ABORTED: FAILED,
  CIRCUIT_OPEN: FAILED,
  INSECURE_TRANSPORT: FAILED,
  REDIRECT_INVALID: FAILED,
  WEBHOOK_INVALID: FAILED,
  WEBHOOK_UNAUTHORIZED: FAILED,
  WEBHOOK_UNCONFIRMED: FAILED,
  CASSETTE_MISS: FAILED,
  CASSETTE_INVALID: FAILED,
};

/**
 * The exit code for something a command threw.
 * @param err - what was thrown
 * @returns 2 for a usage error, the table's code for a typed error, else 1
 * @public
 */
export function exitCodeFor(err: unknown): ExitCode {
  if (err instanceof UsageError) return EXIT.USAGE;
  if (isDockerHubError(err)) return EXIT_CODE_BY_ERROR_CODE[err.code];
  return EXIT.FAILED;
}

/** Node's system error codes worth naming (`ENOENT`, `EACCES`...). */
function systemCode(err: Error): string | undefined {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : undefined;
}

/** How deep {@link describeFailure} follows `cause`. */
const MAX_CAUSES = 3;

/**
 * The causes worth printing after a failure's line: toolkit errors (`CODE: message`) and system
 * errors (`connect ECONNREFUSED 127.0.0.1:5000`, `getaddrinfo ENOTFOUND host`), skipping any whose
 * message the line already holds; other errors are passed through to their own cause.
 */
function causesOf(err: unknown, line: string): string {
  let said = line;
  let out = '';
  let cause = err instanceof Error ? err.cause : undefined;
  for (let depth = 0; depth < MAX_CAUSES && cause instanceof Error; depth++) {
    const text = isDockerHubError(cause) ? `${cause.code}: ${cause.message}` : systemCode(cause) === undefined ? undefined : cause.message;
    if (text !== undefined && !said.includes(cause.message)) {
      out += ` (cause: ${text})`;
      said += text;
    }
    cause = cause.cause;
  }
  return out;
}

/**
 * One line describing a failure for stderr: the typed error's code and message, then what caused
 * it (e.g. the `ECONNREFUSED` behind a `CIRCUIT_OPEN`), never a stack.
 * @param err - what was thrown
 * @returns `CODE: message (cause: ...)` on one line
 * @internal
 */
export function describeFailure(err: unknown): string {
  let line: string;
  if (isDockerHubError(err)) line = `${err.code}: ${err.message}`;
  else if (err instanceof Error) line = `${systemCode(err) ?? 'ERROR'}: ${err.message}`;
  else line = `ERROR: ${String(err)}`;
  return `${line}${causesOf(err, line)}`.replace(/\s*[\r\n]+\s*/g, ' ');
}
