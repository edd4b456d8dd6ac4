/** The messages distribution 2.8 sends with each registry error code. @internal */
export const REGISTRY_MESSAGES = {
  BLOB_UNKNOWN: 'blob unknown to registry',
  BLOB_UPLOAD_INVALID: 'blob upload invalid',
  BLOB_UPLOAD_UNKNOWN: 'blob upload unknown to registry',
  DIGEST_INVALID: 'provided digest did not match uploaded content',
  MANIFEST_BLOB_UNKNOWN: 'blob unknown to registry',
  MANIFEST_INVALID: 'manifest invalid',
  MANIFEST_UNKNOWN: 'manifest unknown',
  NAME_INVALID: 'invalid repository name',
  NAME_UNKNOWN: 'repository name not known to registry',
  TAG_INVALID: 'manifest tag did not match URI',
  SIZE_INVALID: 'provided length did not match content length',
  UNAUTHORIZED: 'authentication required',
  DENIED: 'requested access to the resource is denied',
  UNSUPPORTED: 'The operation is unsupported.',
  TOOMANYREQUESTS: 'too many requests',
  RANGE_INVALID: 'invalid content range',
  PAGINATION_NUMBER_INVALID: 'invalid number of results requested',
  UNAVAILABLE: 'service unavailable',
  UNKNOWN: 'unknown error',
} as const;

/** A registry error code the simulator sends. @public */
export type RegistryErrorCode = keyof typeof REGISTRY_MESSAGES;

/** One entry of a registry error body. @internal */
export interface RegistryErrorEntry {
  readonly code: RegistryErrorCode;
  readonly message?: string;
  /** Omitted from the body when `undefined`; `null` is sent as `null` (distribution does both). */
  readonly detail?: unknown;
}

/** Headers every registry response carries. @internal */
export const API_VERSION_HEADER = { 'docker-distribution-api-version': 'registry/2.0' } as const;

/**
 * A JSON error response in distribution's envelope `{"errors":[{code,message,detail?}]}`.
 * @param status - HTTP status
 * @param errors - one or more entries (message defaults to distribution's)
 * @param headers - extra headers (challenges, Location, Range)
 * @returns the response
 * @internal
 */
export function registryError(
  status: number,
  errors: RegistryErrorEntry | readonly RegistryErrorEntry[],
  headers: Record<string, string> = {},
): Response {
  const list = (Array.isArray(errors) ? errors : [errors]) as readonly RegistryErrorEntry[];
  const body = {
    errors: list.map((e) => ({
      code: e.code,
      message: e.message ?? REGISTRY_MESSAGES[e.code],
      ...(e.detail === undefined ? {} : { detail: e.detail }),
    })),
  };
  const text = `${JSON.stringify(body)}\n`;
  return new Response(text, {
    status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      ...API_VERSION_HEADER,
      ...headers,
      // Last, so that headers shared with empty answers (an upload session's) cannot declare 0.
      'content-length': String(Buffer.byteLength(text)),
    },
  });
}

/**
 * The Go router's plain-text `404 page not found` (distribution answers it for unknown routes).
 * @returns the response
 * @internal
 */
export function textNotFound(): Response {
  return new Response('404 page not found\n', {
    status: 404,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
  });
}

/**
 * An empty response with the API version header.
 * @param status - HTTP status
 * @param headers - extra headers
 * @returns the response
 * @internal
 */
export function emptyResponse(status: number, headers: Record<string, string> = {}): Response {
  return new Response(null, { status, headers: { ...API_VERSION_HEADER, ...headers } });
}

/**
 * A JSON response with the API version header.
 * @param status - HTTP status
 * @param value - the body
 * @param headers - extra headers
 * @returns the response
 * @internal
 */
export function jsonResponse(
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      ...API_VERSION_HEADER,
      ...headers,
    },
  });
}
