import type { Middleware, Next } from './types.js';

/**
 * Folds middlewares around a terminal, outermost first: `mws[0]` sees the request first and
 * the response last.
 * @param mws - the middlewares, outermost first
 * @param terminal - the innermost stage
 * @returns the composed pipeline
 * @example
 * ```ts
 * const next = composeMiddleware([retry, auth], terminal);
 * const res = await next(request);
 * ```
 * @public
 */
export function composeMiddleware(mws: readonly Middleware[], terminal: Next): Next {
  return mws.reduceRight<Next>((inner, mw) => (req) => mw.handle(req, inner), terminal);
}
