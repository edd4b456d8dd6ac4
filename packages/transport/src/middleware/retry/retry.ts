import { AsyncLocalStorage } from 'node:async_hooks';
import { AbortedError, isDockerHubError } from '@llmdevops/docker-hub-core';
import type { TransportEventBus } from '../../events/events.js';
import { isIdempotent, isReplayable } from '../../pipeline/body.js';
import type { Clock } from '@llmdevops/docker-hub-core';
import { hostKey, safeUrl } from '../../internal/host.js';
import { routeOf, statsOf } from '../../internal/request-stats.js';
import type { Middleware, Next, TransportRequest, TransportResponse } from '../../pipeline/types.js';
import { errorFromResponse } from '../../registry-errors/error-from-response.js';
import { runAsOperation } from '../breaker/breaker.js';
import { runWithDeadline } from '../timeout/deadline.js';
import { decideFailure, decideRetry, RetryBudget, type AttemptOutcome, type RetryPolicy } from './decide.js';
import { resumeBody } from './resume.js';

/**
 * The budget of the step {@link runRetrying} is running, if any: requests sent inside a step count
 * their failures against it, so a step and the requests in it share one `maxRetries`.
 */
const stepBudget = new AsyncLocalStorage<RetryBudget>();

/** What the retry stage and the step runner share. @internal */
export interface RetryDeps {
  readonly policy: RetryPolicy;
  readonly clock: Clock;
  readonly events: TransportEventBus;
  /** The total deadline of a step, in ms (none when undefined). */
  readonly totalTimeoutMs?: number | undefined;
}

/** Options of {@link Transport.retrying}. @public */
export interface RetryingOptions {
  /** Names the step in events and errors, e.g. `PATCH blob upload library/app`. */
  readonly what: string;
  /** Ends waits at once and stops retrying. */
  readonly signal?: AbortSignal | undefined;
  /**
   * Bytes moved so far (received, or accepted by the server): a failure that follows progress
   * is not counted against `maxRetries`.
   */
  readonly progress?: (() => number) | undefined;
  /**
   * Whether the step may run again after the server may have acted on it (default true: a step
   * that re-reads the server's state before it writes, such as an upload that asks for its
   * offset, is safe to repeat).
   */
  readonly idempotent?: boolean;
  /** Operation name for `retry` events, e.g. `blobs.uploads`. */
  readonly operation?: string;
  /** URL the step is about, for `retry` events (only its host is used). */
  readonly url?: URL;
  /** Route template for `retry` events, e.g. `/v2/{name}/blobs/uploads/{uuid}`; no names. */
  readonly route?: string;
}

/**
 * Retries what {@link decideRetry} allows, waiting with the injected clock (an abort ends the
 * wait at once), dumping discarded responses so their sockets are freed, and emitting a `retry`
 * event per retry. A 429 that cannot be waited out (wait above `maxRetryWaitMs`, or retries
 * spent) fails with a `RateLimitError` saying when the limit resets; other exhausted retries
 * return the last response or throw the last error. A GET marked `context.resume` whose body
 * breaks is continued with `Range` under the same policy (see `resume.ts`).
 * @param deps - retry policy, clock and event bus
 * @returns the middleware
 * @internal
 */
export function createRetryMiddleware(deps: RetryDeps): Middleware {
  const { clock, policy } = deps;
  return {
    name: 'retry',
    async handle(req, next) {
      const idempotent = isIdempotent(req);
      const replayable = isReplayable(req.body);
      const stats = statsOf(req);
      const shared = stepBudget.getStore();
      let failure: unknown;
      for (let sent = 1; ; sent++) {
        if (stats !== undefined) stats.attempts = sent;
        let outcome: AttemptOutcome;
        let res: TransportResponse | undefined;
        try {
          res = await next(req);
          outcome = { kind: 'response', status: res.status, headers: res.headers };
        } catch (err) {
          outcome = { kind: 'error', error: err };
          if (req.signal?.aborted === true) throw err;
        }
        // Inside a step, a retry here spends the step's budget; a failure handed back to the step
        // is counted there, once.
        const attempt = shared === undefined ? sent : shared.peek();
        const decision = decideRetry(outcome, { attempt, idempotent, replayable, now: clock.now(), policy });
        if (!decision.retry) {
          if (res === undefined) throw ownFailure((outcome as { error: unknown }).error, failure);
          if (decision.rateLimited !== undefined) {
            throw await errorFromResponse(res, `${req.method} ${safeUrl(req.url)}`, { now: clock.now() });
          }
          return wantsResume(req, res) ? resumeBody(req, res, resumeDeps(deps, req, next, sent - 1)) : res;
        }
        shared?.fail();
        if (outcome.kind === 'error') failure = outcome.error;
        await res?.dump().catch(() => undefined);
        emitRetry(deps.events, req, { attempt, delayMs: decision.delayMs, reason: decision.reason, requestId: stats?.requestId ?? 0 });
        await waitFor(clock, decision.delayMs, req.signal, `${req.method} ${safeUrl(req.url)}`);
      }
    },
  };
}

/**
 * What a call or step that stops fails with: when a retry was refused by an open circuit breaker
 * after a failure of its own, that failure (the real error, e.g. `ECONNREFUSED`), else `error`.
 */
function ownFailure(error: unknown, previous: unknown): unknown {
  return previous !== undefined && isDockerHubError(error) && error.code === 'CIRCUIT_OPEN' ? previous : error;
}

function wantsResume(req: TransportRequest, res: TransportResponse): boolean {
  return req.context?.resume === true && req.method === 'GET' && req.headers['range'] === undefined && res.status === 200;
}

function resumeDeps(deps: RetryDeps, req: TransportRequest, next: Next, spent: number): Parameters<typeof resumeBody>[2] {
  return {
    spent,
    send: next,
    decide: (err, attempt) => decideFailure(err, { attempt, idempotent: true, now: deps.clock.now(), policy: deps.policy }),
    wait: (ms) => waitFor(deps.clock, ms, req.signal, `${req.method} ${safeUrl(req.url)}`),
    onRetry: (info) => {
      emitRetry(deps.events, req, { ...info, requestId: statsOf(req)?.requestId ?? 0 });
    },
  };
}

/**
 * Runs a step (several requests and the reading of their bodies) again under the transport's
 * retry policy: the same decision ({@link decideFailure}), backoff, clock and `retry` events as
 * the retry middleware, with failures after progress not counted against `maxRetries`. Requests
 * sent inside the step count their failed attempts against the step's budget, so a step and the
 * requests in it share one `maxRetries` instead of multiplying them. The step is one operation
 * for the circuit breakers (its failures count once) and runs under one total deadline.
 * @param deps - retry policy, clock, event bus and total deadline
 * @param step - the work; receives the 1-based run number
 * @param options - name, signal, progress and idempotency
 * @returns the step's result
 * @throws the step's last error once the policy stops retrying, `AbortedError`, or a `TimeoutError` of phase `total`
 * @internal
 */
export async function runRetrying<T>(deps: RetryDeps, step: (run: number) => Promise<T>, options: RetryingOptions): Promise<T> {
  // One operation for the breakers, under one total deadline (shared with the step's requests).
  const settings = { clock: deps.clock, totalTimeoutMs: deps.totalTimeoutMs };
  return runAsOperation(() =>
    runWithDeadline(settings, options.what, options.signal, (signal) => retryStep(deps, step, { ...options, signal })),
  );
}

async function retryStep<T>(deps: RetryDeps, step: (run: number) => Promise<T>, options: RetryingOptions): Promise<T> {
  const budget = new RetryBudget(options.progress);
  let failure: unknown;
  for (let run = 1; ; run++) {
    try {
      return await stepBudget.run(budget, () => step(run));
    } catch (err) {
      if (options.signal?.aborted === true) throw err;
      const attempt = budget.fail();
      const decision = decideFailure(err, { attempt, idempotent: options.idempotent ?? true, now: deps.clock.now(), policy: deps.policy });
      if (!decision.retry) throw ownFailure(err, failure);
      failure = err;
      deps.events.emit('retry', {
        requestId: 0,
        method: 'STEP',
        host: options.url === undefined ? '' : hostKey(options.url),
        route: options.route ?? '',
        operation: options.operation,
        attempt,
        delayMs: decision.delayMs,
        reason: decision.reason,
      });
      await waitFor(deps.clock, decision.delayMs, options.signal, options.what);
    }
  }
}

async function waitFor(clock: Clock, ms: number, signal: AbortSignal | undefined, what: string): Promise<void> {
  try {
    await clock.sleep(ms, signal);
  } catch (err) {
    throw new AbortedError(what, signal?.reason ?? err);
  }
}

function emitRetry(
  events: TransportEventBus,
  req: TransportRequest,
  info: { attempt: number; delayMs: number; reason: string; requestId: number },
): void {
  const op = req.context?.operation;
  events.emit('retry', {
    requestId: info.requestId,
    method: req.method,
    host: hostKey(req.url),
    route: routeOf(req),
    operation: typeof op === 'string' ? op : undefined,
    attempt: info.attempt,
    delayMs: info.delayMs,
    reason: info.reason,
  });
}
