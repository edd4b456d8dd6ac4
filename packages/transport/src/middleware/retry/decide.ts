import { isDockerHubError, NetworkError, RateLimitError, TimeoutError } from '@llmdevops/docker-hub-core';
import { backoffDelay, type BackoffOptions } from '../backoff/exponential-jitter.js';
import { retryDelayFromHeaders, type ResponseHeaders } from '../rate-limit/parse-headers.js';

/** Retry settings. @public */
export interface RetryPolicy {
  /** Retries after the first attempt (default 3). */
  readonly maxRetries: number;
  /** Longest wait the transport accepts for a `Retry-After` or rate-limit reset, in ms (default 60 000). */
  readonly maxRetryWaitMs: number;
  /** Backoff base and cap, and the random source. */
  readonly backoff: BackoffOptions;
}

/** What happened on one attempt. @public */
export type AttemptOutcome =
  | { readonly kind: 'response'; readonly status: number; readonly headers: ResponseHeaders }
  | { readonly kind: 'error'; readonly error: unknown };

/** The decision for one outcome. @public */
export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number; readonly reason: string }
  | { readonly retry: false; readonly rateLimited?: { readonly waitMs: number | undefined } };

const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
// Connection failures that happened before the request reached the server (safe for POST too).
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND', 'EAI_AGAIN']);

// TLS and certificate failures, misuse, a closed client, and answer headers larger than the limit
// (the server sends the same headers again): failures a second attempt would meet the same way.
function isPermanentNetworkError(causeCode: string | undefined): boolean {
  if (causeCode === undefined) return false;
  return /CERT|LEAF_SIGNATURE|SSL|TLS|ERR_INVALID|UND_ERR_INVALID_ARG|UND_ERR_NOT_SUPPORTED|UND_ERR_CLOSED|UND_ERR_DESTROYED|UND_ERR_HEADERS_OVERFLOW/.test(causeCode);
}

function decideError(error: unknown, attempt: number, idempotent: boolean, policy: RetryPolicy): RetryDecision {
  if (!isDockerHubError(error) || !error.retryable) return { retry: false };
  if (error.code === 'CIRCUIT_OPEN') return { retry: false };
  // The operation's total deadline has passed: nothing is left to retry within.
  if (error instanceof TimeoutError && error.phase === 'total') return { retry: false };
  if (error instanceof NetworkError && isPermanentNetworkError(error.causeCode)) return { retry: false };
  if (!idempotent) {
    const sentNothing =
      (error instanceof NetworkError && NOT_SENT_CODES.has(error.causeCode ?? '')) ||
      (error.code === 'TIMEOUT' && (error as { phase?: string }).phase === 'connect');
    if (!sentNothing) return { retry: false };
  }
  return { retry: true, delayMs: backoffDelay(attempt, policy.backoff), reason: error.code };
}

/**
 * Decides whether to retry after an attempt (pure). 429 waits for the server's hint
 * (`Retry-After`, `X-Retry-After`, reset, window) and gives up at once when that is longer than
 * `maxRetryWaitMs`; 408, 500, 502, 503, 504, connection failures and timeouts back off
 * exponentially with full jitter (except the total deadline's timeout, which ends the operation);
 * other 4xx (including 401, which auth handles) never retry.
 * Non-idempotent requests retry only when the server cannot have acted (429, refused connects).
 * @param outcome - the response status and headers, or the error
 * @param ctx - the failed attempt (1-based), idempotency, replayability, time and policy
 * @returns whether and how long to wait
 * @public
 */
export function decideRetry(
  outcome: AttemptOutcome,
  ctx: { readonly attempt: number; readonly idempotent: boolean; readonly replayable: boolean; readonly now: number; readonly policy: RetryPolicy },
): RetryDecision {
  const { attempt, policy } = ctx;
  if (outcome.kind === 'error') {
    if (!ctx.replayable || attempt > policy.maxRetries) return { retry: false };
    return decideError(outcome.error, attempt, ctx.idempotent, policy);
  }
  const { status } = outcome;
  if (!RETRY_STATUSES.has(status)) return { retry: false };
  const hint = status === 429 || status === 503 ? retryDelayFromHeaders(outcome.headers, ctx.now) : undefined;
  const usable = hint !== undefined && (status === 429 || hint.from === 'retry-after');
  if (status === 429) {
    const waitMs = usable ? hint.delayMs : undefined;
    if (!ctx.replayable || attempt > policy.maxRetries) return { retry: false, rateLimited: { waitMs } };
    if (waitMs !== undefined && waitMs > policy.maxRetryWaitMs) return { retry: false, rateLimited: { waitMs } };
    return { retry: true, delayMs: waitMs ?? backoffDelay(attempt, policy.backoff), reason: 'status 429' };
  }
  if (!ctx.replayable || attempt > policy.maxRetries || !ctx.idempotent) return { retry: false };
  const backoff = backoffDelay(attempt, policy.backoff);
  if (usable && hint.delayMs > policy.maxRetryWaitMs) return { retry: false };
  return { retry: true, delayMs: usable ? Math.max(backoff, hint.delayMs) : backoff, reason: `status ${status}` };
}

/** What {@link decideFailure} needs to know about the failed step. @public */
export interface FailureContext {
  /** Failures counted against `maxRetries` so far, this one included (1-based). */
  readonly attempt: number;
  /** Whether the step may be run again after the server may have acted on it. */
  readonly idempotent: boolean;
  /** The clock's time, in ms since the epoch. */
  readonly now: number;
  /** The retry policy. */
  readonly policy: RetryPolicy;
}

/**
 * Decides whether a failed step (several requests and the reading of their bodies) is run again,
 * with the same rules as {@link decideRetry}: an error carrying an HTTP `status` is judged as that
 * response (a `RateLimitError` waits until its reset time, unless it is marked not retryable),
 * any other error as a failed attempt.
 * @param error - what the step threw
 * @param ctx - failure count, idempotency, time and policy
 * @returns whether and how long to wait
 * @public
 */
export function decideFailure(error: unknown, ctx: FailureContext): RetryDecision {
  // A rate-limit error is retryable by default; one marked otherwise (a budget that refuses to
  // wait) says so on purpose.
  if (error instanceof RateLimitError && !error.retryable) return { retry: false };
  const status = isDockerHubError(error) ? error.status : undefined;
  const base = { attempt: ctx.attempt, idempotent: ctx.idempotent, replayable: true, now: ctx.now, policy: ctx.policy };
  if (status === undefined) return decideRetry({ kind: 'error', error }, base);
  const headers: Record<string, string> = {};
  if (error instanceof RateLimitError && error.resetAt !== undefined) {
    headers['retry-after'] = String(Math.max(0, Math.ceil((error.resetAt.getTime() - ctx.now) / 1000)));
  }
  return decideRetry({ kind: 'response', status, headers }, base);
}

/**
 * Counts failures against `maxRetries`, forgiving a failure that followed progress: a transfer
 * that moved bytes since its last failure starts its count again, so a long transfer over a link
 * that keeps dropping completes, while one that fails without moving stops after `maxRetries`.
 * @public
 */
export class RetryBudget {
  readonly #progress: (() => number) | undefined;
  #mark: number;
  #failures = 0;

  /**
   * @param progress - bytes moved so far (received or accepted by the server); omitted, every failure counts
   * @param spent - failures the same operation already had before this budget took over (counted until progress)
   */
  constructor(progress?: () => number, spent = 0) {
    this.#progress = progress;
    this.#mark = progress?.() ?? 0;
    this.#failures = spent;
  }

  /**
   * Records a failure.
   * @returns the failures counted since the last progress, this one included (the attempt number to decide with)
   */
  fail(): number {
    const now = this.#progress?.() ?? 0;
    if (now > this.#mark) {
      this.#mark = now;
      this.#failures = 0;
    }
    this.#failures += 1;
    return this.#failures;
  }

  /**
   * The number {@link RetryBudget.fail} would return now, without recording anything.
   * @returns the attempt number a failure now would be decided with
   */
  peek(): number {
    const now = this.#progress?.() ?? 0;
    return now > this.#mark ? 1 : this.#failures + 1;
  }
}
