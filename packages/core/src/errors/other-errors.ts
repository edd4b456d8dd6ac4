import { DockerHubError } from './docker-hub-error.js';

/** HTTP status a webhook receiver answers for a {@link WebhookError}. @public */
export type WebhookErrorStatus = 400 | 401 | 403 | 405 | 413 | 415 | 422;

/**
 * A webhook request was refused: malformed, oversized, wrong type or method
 * (code `WEBHOOK_INVALID`), failed its secret or signature (`WEBHOOK_UNAUTHORIZED`), or could not be
 * confirmed against the registry (`WEBHOOK_UNCONFIRMED`). `status` is what the receiver answers.
 * @public
 */
export class WebhookError extends DockerHubError {
  /**
   * @param code - which kind of refusal
   * @param message - a short reason, safe to send back to the sender
   * @param options - the HTTP status and cause
   */
  constructor(
    code: 'WEBHOOK_INVALID' | 'WEBHOOK_UNAUTHORIZED' | 'WEBHOOK_UNCONFIRMED',
    message: string,
    options: { status: WebhookErrorStatus; cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** A replayed request matched no recorded interaction (code `CASSETTE_MISS`). @public */
export class CassetteMissError extends DockerHubError {
  /** The closest recorded request, as `METHOD url`, if any. */
  readonly closest: string | undefined;

  /**
   * @param request - the unmatched request as `METHOD url`
   * @param closest - the closest recorded one
   */
  constructor(request: string, closest?: string) {
    const hint = closest === undefined ? 'the cassette is empty' : `closest recorded: ${closest}`;
    super('CASSETTE_MISS', `no recorded interaction matches ${request}; ${hint}`);
    this.closest = closest;
  }
}

/** A cassette file is malformed: not JSON, or not the documented schema (code `CASSETTE_INVALID`). @public */
export class CassetteInvalidError extends DockerHubError {
  /**
   * @param message - what is wrong, naming the file and the first bad field
   * @param options - the underlying parse or schema error
   */
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('CASSETTE_INVALID', message, options);
  }
}
