/**
 * Every stable error code the toolkit uses. Match on `err.code`: it is the documented contract,
 * unlike messages, which may be reworded. Registry codes (`MANIFEST_UNKNOWN`, `BLOB_UNKNOWN`, ...)
 * are kept exactly as the registry sent them.
 * @public
 */
export const ERROR_CODES = {
  // Input validation (never retried).
  INVALID_REFERENCE: 'An image reference does not follow the reference grammar.',
  INVALID_DIGEST: 'A digest is malformed or uses an unsupported algorithm.',
  INVALID_TAG: 'A tag does not match [\\w][\\w.-]{0,127}.',
  INVALID_NAME: 'A repository name does not follow the repository name rules.',
  INVALID_NAMESPACE: 'A Docker Hub namespace does not follow the namespace rules.',
  INVALID_PLATFORM: 'A platform string is not os/arch[/variant].',
  INVALID_MEDIA_TYPE: 'A media type is unknown or does not match the content.',
  INVALID_ARGUMENT: 'An argument is out of range or otherwise unusable.',
  TAG_REQUIRED:
    'A manifest push names neither a tag nor a digest; pass { tag } or a digest reference.',
  CONFIG_INVALID: 'The client configuration failed validation.',
  MANIFEST_INVALID: 'A manifest is not valid JSON or does not match its schema.',
  PAYLOAD_TOO_LARGE: 'Content exceeds the size limit for its kind.',
  PLATFORM_NOT_FOUND: 'No manifest in an index matches the requested platform.',
  LIMIT_EXCEEDED:
    'An operation went past a cap (nesting depth, number of manifests, ...); the error names it.',
  // Integrity.
  DIGEST_MISMATCH: 'Content does not hash to the digest it was expected to have.',
  SIZE_MISMATCH: 'Content does not have the size it was expected to have.',
  // Authentication and authorization.
  UNAUTHORIZED: 'Credentials are missing, wrong or expired.',
  DENIED: 'The credentials are valid but not allowed to do this.',
  TWO_FACTOR_REQUIRED: 'The account needs a second factor and none was supplied.',
  // Registry and Hub API answers.
  NOT_FOUND: 'The thing asked for does not exist (or is hidden from these credentials).',
  NAME_UNKNOWN: 'The repository is not known to the registry.',
  MANIFEST_UNKNOWN: 'The manifest is not known to the registry.',
  BLOB_UNKNOWN: 'The blob is not known to the registry.',
  BLOB_UPLOAD_UNKNOWN: 'The upload session is not known to the registry (expired or cancelled).',
  BLOB_UPLOAD_INVALID: 'The registry rejected an upload (bad range, order or content).',
  MANIFEST_BLOB_UNKNOWN: 'A manifest references a blob the repository does not have.',
  DIGEST_INVALID: 'The registry rejected a digest as invalid or not matching the content.',
  NAME_INVALID: 'The registry rejected a repository name.',
  TAG_INVALID: 'The registry rejected a tag.',
  SIZE_INVALID: 'The registry rejected a declared size.',
  RANGE_INVALID: 'The registry rejected a content range (out of order chunk).',
  UNSUPPORTED: 'The registry does not support this operation.',
  TOOMANYREQUESTS: 'The rate limit is spent; it resets at the time given.',
  SERVER_ERROR: 'The server failed (5xx).',
  REGISTRY_ERROR: 'The registry answered with an error this toolkit has no finer code for.',
  // Transport.
  NETWORK: 'The connection failed or was reset.',
  TIMEOUT: 'A connect, headers or body timeout expired.',
  ABORTED: 'The caller aborted the operation through its AbortSignal.',
  CIRCUIT_OPEN: 'The circuit breaker for this host is open; calls fail fast until it half-opens.',
  INSECURE_TRANSPORT: 'A plain HTTP or downgraded connection was refused.',
  REDIRECT_INVALID: 'A redirect was refused (too many hops, or a downgrade).',
  // Webhooks and simulation.
  WEBHOOK_INVALID:
    'A webhook request was malformed, oversized, of the wrong type or failed its schema.',
  WEBHOOK_UNAUTHORIZED: 'A webhook request failed its shared secret, signature or source check.',
  WEBHOOK_UNCONFIRMED: 'A webhook event could not be confirmed against the registry.',
  CASSETTE_MISS: 'A replayed request matched no recorded interaction.',
  CASSETTE_INVALID: 'A cassette file is malformed.',
} as const;

/** A stable error code; see {@link ERROR_CODES} for what each means. @public */
export type DockerHubErrorCode = keyof typeof ERROR_CODES;

/** Registry error codes (distribution error bodies) that map to a code of the same name. @public */
export const REGISTRY_CODES: ReadonlySet<string> = new Set<DockerHubErrorCode>([
  'UNAUTHORIZED',
  'DENIED',
  'NAME_UNKNOWN',
  'MANIFEST_UNKNOWN',
  'BLOB_UNKNOWN',
  'BLOB_UPLOAD_UNKNOWN',
  'BLOB_UPLOAD_INVALID',
  'MANIFEST_BLOB_UNKNOWN',
  'MANIFEST_INVALID',
  'DIGEST_INVALID',
  'NAME_INVALID',
  'TAG_INVALID',
  'SIZE_INVALID',
  'RANGE_INVALID',
  'UNSUPPORTED',
  'TOOMANYREQUESTS',
]);

/**
 * Whether a string is one of the toolkit's codes.
 * @param value - any string, e.g. a registry error code
 * @returns true when `value` is a {@link DockerHubErrorCode}
 * @public
 */
export function isDockerHubErrorCode(value: string): value is DockerHubErrorCode {
  return Object.hasOwn(ERROR_CODES, value);
}
