/** How a logical request ended, as the `outcome` label. @public */
export type RequestOutcome = 'success' | 'not_found' | 'error';

/**
 * Classifies a finished request. 404 is its own outcome because existence checks
 * (`blobs.exists`, `manifests.head`) expect it; it is not an error for alerting.
 * @param status - final status, if a response arrived
 * @param errorCode - code of the failure, if it failed
 * @returns the outcome
 * @public
 */
export function outcomeOf(
  status: number | undefined,
  errorCode: string | undefined,
): RequestOutcome {
  if (errorCode !== undefined || status === undefined) return 'error';
  if (status === 404) return 'not_found';
  return status >= 400 ? 'error' : 'success';
}

/**
 * The `error_type` label: the toolkit error code of a failure, or the code `errorFromResponse`
 * gives an error status (401 UNAUTHORIZED, 403 DENIED, 405 UNSUPPORTED, 429 TOOMANYREQUESTS,
 * 5xx SERVER_ERROR, other REGISTRY_ERROR).
 * @param status - final status, if any
 * @param errorCode - code of the failure, if any
 * @returns the error type
 * @internal
 */
export function errorTypeOf(status: number | undefined, errorCode: string | undefined): string {
  if (errorCode !== undefined) return errorCode;
  switch (status) {
    case undefined:
      return 'UNKNOWN';
    case 401:
      return 'UNAUTHORIZED';
    case 403:
      return 'DENIED';
    case 404:
      return 'NOT_FOUND';
    case 405:
      return 'UNSUPPORTED';
    case 429:
      return 'TOOMANYREQUESTS';
    default:
      return status >= 500 ? 'SERVER_ERROR' : 'REGISTRY_ERROR';
  }
}
