import { RateLimitError, type Clock, type ImageReference } from '@llmdevops/docker-hub-core';
import type { ClientContext } from '../client/context.js';

/** What is known of a source registry's pull budget. @public */
export interface PullBudgetView {
  /** Pulls (manifest GETs) left. */
  readonly remaining: number;
  /** Pulls per window, when the registry said. */
  readonly limit: number | undefined;
  /** When the budget comes back: the registry's reset time, else the observation plus the window. */
  readonly resetAt: Date | undefined;
}

/** How a run treats a pull budget smaller than it needs. @public */
export interface RateLimitPlanOptions {
  /** Wait for the reset (with a progress event) instead of stopping with `RateLimitError`. */
  readonly waitForReset?: boolean;
  /** Pulls to leave unused for others (default 0). */
  readonly reserve?: number;
}

/**
 * The pull budget known for a source: the rate-limit headers the transport last saw from its
 * registry (Docker Hub sends them on HEADs too, which cost nothing). This is the one place a run
 * asks, so a shared budget can be consulted here later.
 * @param ctx - the client context
 * @param src - the source repository
 * @returns the budget, or undefined when the registry reports no limit
 * @internal
 */
export function knownPullBudget(ctx: ClientContext, src: ImageReference): PullBudgetView | undefined {
  const status = ctx.transport.rateLimitStatus(ctx.registryBase(src).host);
  if (status?.remaining === undefined) return undefined;
  const resetAt = status.resetAt ?? (status.windowSeconds === undefined ? undefined : new Date(status.observedAt.getTime() + status.windowSeconds * 1000));
  return { remaining: status.remaining, limit: status.limit, resetAt };
}

/** What {@link ensurePullBudget} needs besides the numbers. @internal */
export interface BudgetSeams {
  readonly ctx: ClientContext;
  readonly src: ImageReference;
  readonly clock: Clock;
  readonly signal: AbortSignal | undefined;
  /** Re-reads the budget after a wait (a HEAD at the source). */
  readonly probe: () => Promise<void>;
  /**
   * Told before each wait.
   * @param wait - needed, remaining and when the wait ends
   */
  readonly onWait: (wait: { readonly needed: number; readonly remaining: number; readonly until: Date }) => void;
}

/**
 * Checks that the known pull budget covers `needed` manifest GETs (beyond `reserve`). When it does
 * not: stops with a `RateLimitError` naming needed, remaining and the reset, or with
 * `waitForReset` waits for the reset and checks again. A run needing more than the whole limit
 * (less the reserve) goes ahead after one wait and relies on pausing at each 429.
 * @param needed - manifest GETs the run will make
 * @param options - wait or stop, reserve
 * @param seams - context, clock, signal, probe, wait reporting
 * @returns when the run may go on
 * @throws {@link @llmdevops/docker-hub-core!RateLimitError | RateLimitError} when the budget is short and `waitForReset` is off
 * @internal
 */
export async function ensurePullBudget(needed: number, options: RateLimitPlanOptions, seams: BudgetSeams): Promise<void> {
  const reserve = options.reserve ?? 0;
  for (let waits = 0; ; waits++) {
    const budget = knownPullBudget(seams.ctx, seams.src);
    if (budget === undefined) return;
    const available = budget.remaining - reserve;
    if (needed <= available) return;
    const ceiling = budget.limit === undefined ? undefined : budget.limit - reserve;
    if (waits > 0 && ceiling !== undefined && needed > ceiling) return;
    if (options.waitForReset !== true || budget.resetAt === undefined) {
      throw new RateLimitError(
        `${seams.src.name}: the run needs ${needed} manifest GETs but ${budget.remaining} remain${reserve > 0 ? ` (${reserve} kept in reserve)` : ''}${budget.resetAt === undefined ? '; reset time unknown' : ''}; wait for the reset or narrow the tags`,
        {
          remaining: budget.remaining,
          ...(budget.limit === undefined ? {} : { limit: budget.limit }),
          ...(budget.resetAt === undefined ? {} : { resetAt: budget.resetAt }),
        },
      );
    }
    seams.onWait({ needed, remaining: budget.remaining, until: budget.resetAt });
    await seams.clock.sleep(Math.max(1000, budget.resetAt.getTime() - seams.clock.now()), seams.signal);
    await seams.probe();
  }
}
