import type { Clock } from '@llmdevops/docker-hub-core';
import type { Middleware, TransportRequest } from '../../pipeline/types.js';
import { parseRateLimitHeaders, retryDelayFromHeaders, type RateLimitStatus } from '../rate-limit/parse-headers.js';

/** A reservation handed out by a {@link RequestBudget}; opaque to the transport. @public */
export interface BudgetGrant {
  /** Identifies the reservation to its budget. */
  readonly id: string;
  /**
   * Tags the budget adds to the request's `context` (e.g. the account a budget with several
   * accounts assigned it, for the auth stage).
   */
  readonly context?: Readonly<Record<string, unknown>>;
}

/** What a budgeted request's response said about the budget, from its headers. @public */
export interface BudgetOutcome {
  /** The HTTP status of the response. */
  readonly status: number;
  /** The parsed `ratelimit-*` headers, or undefined when the response carried none (not limited). */
  readonly rateLimit: RateLimitStatus | undefined;
  /** For a 429: how long the server asked to wait, in ms, when it said (`Retry-After`, reset, window). */
  readonly retryAfterMs: number | undefined;
}

/**
 * A shared request budget the transport consults before sending the requests a predicate
 * selects: reserve one unit first (waiting or refusing as the budget decides), settle it from the
 * response's rate-limit headers, release it when no response came back.
 * @public
 */
export interface RequestBudget {
  /**
   * Reserves one unit for a request.
   * @param req - the request about to be sent
   * @returns the grant, or undefined when this budget does not cover the request
   * @throws a `RateLimitError` when the budget refuses (or waited too long), `AbortedError` when `req.signal` aborts
   */
  reserve(req: TransportRequest): Promise<BudgetGrant | undefined>;
  /**
   * Records what the server answered for a granted request.
   * @param grant - the grant
   * @param outcome - status and rate-limit headers
   * @returns when recorded
   */
  settle(grant: BudgetGrant, outcome: BudgetOutcome): Promise<void>;
  /**
   * Gives a grant back: the request failed without a response.
   * @param grant - the grant
   * @returns when released
   */
  release(grant: BudgetGrant): Promise<void>;
}

/** Options of {@link createBudgetMiddleware}. @public */
export interface BudgetMiddlewareOptions {
  /** The budget to consult. */
  readonly budget: RequestBudget;
  /** Which requests spend the budget (others pass untouched). */
  readonly selects: (req: TransportRequest) => boolean;
  /** Time source for reading reset headers (default the system clock's `Date.now`). */
  readonly clock?: Pick<Clock, 'now'>;
}

/** The middleware's name in the pipeline. @public */
export const BUDGET_MIDDLEWARE = 'budget';

/**
 * A middleware that spends a {@link RequestBudget}: for every request `selects` picks, one unit
 * is reserved before sending (the budget may wait or refuse, so nothing is sent past it), settled
 * from the response's `ratelimit-*` headers (a 429 with its retry delay), and released when the
 * request fails without a response. Insert it outside the concurrency stage so waiting for
 * budget holds no connection: `transport.use(mw, { before: 'concurrency' })`.
 * @param options - budget, predicate and clock
 * @returns the middleware
 * @example
 * ```ts
 * transport.use(createBudgetMiddleware({ budget, selects: (r) => r.method === 'GET' }), { before: 'concurrency' });
 * ```
 * @public
 */
export function createBudgetMiddleware(options: BudgetMiddlewareOptions): Middleware {
  const now = (): number => options.clock?.now() ?? Date.now();
  return {
    name: BUDGET_MIDDLEWARE,
    async handle(req, next) {
      if (!options.selects(req)) return next(req);
      const grant = await options.budget.reserve(req);
      if (grant === undefined) return next(req);
      const sent = grant.context === undefined ? req : { ...req, context: { ...req.context, ...grant.context } };
      let res;
      try {
        res = await next(sent);
      } catch (err) {
        await options.budget.release(grant).catch(() => undefined);
        throw err;
      }
      const at = now();
      const outcome: BudgetOutcome = {
        status: res.status,
        rateLimit: parseRateLimitHeaders(res.headers, at).status,
        retryAfterMs: res.status === 429 ? retryDelayFromHeaders(res.headers, at)?.delayMs : undefined,
      };
      try {
        await options.budget.settle(grant, outcome);
      } catch (err) {
        await res.dump().catch(() => undefined);
        throw err;
      }
      return res;
    },
  };
}
