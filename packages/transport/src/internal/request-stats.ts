import type { TransportRequest } from '../pipeline/types.js';

/** Mutable per-call bookkeeping shared between the telemetry and retry stages. @internal */
export interface RequestStats {
  readonly requestId: number;
  attempts: number;
}

const STATS_KEY = 'transport.stats';

/**
 * Attaches stats to a request's context.
 * @param req - the request
 * @param stats - the stats
 * @returns a copy of the request carrying them
 * @internal
 */
export function withStats(req: TransportRequest, stats: RequestStats): TransportRequest {
  return { ...req, context: { ...req.context, [STATS_KEY]: stats } };
}

/**
 * Reads the stats attached by {@link withStats}.
 * @param req - the request
 * @returns the stats, or undefined when telemetry did not run
 * @internal
 */
export function statsOf(req: TransportRequest): RequestStats | undefined {
  const v = req.context?.[STATS_KEY];
  return typeof v === 'object' && v !== null && 'attempts' in v ? (v as RequestStats) : undefined;
}

/**
 * The route for events: `context.route`, else the URL path (never the query).
 * @param req - the request
 * @returns the route
 * @internal
 */
export function routeOf(req: TransportRequest): string {
  const route = req.context?.route;
  return typeof route === 'string' ? route : req.url.pathname;
}
