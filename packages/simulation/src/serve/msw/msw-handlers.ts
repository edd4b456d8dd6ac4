import { http, type HttpHandler } from 'msw';
import { type FetchHandler } from '../dispatcher/simulator-dispatcher.js';

/**
 * msw request handlers that answer from the simulator, for code that already mocks with msw and
 * uses global `fetch` (msw does not see undici Dispatcher traffic; use the dispatcher for that).
 * @param handle - the simulator's handler
 * @param baseUrl - the origin to intercept, e.g. `https://registry.test`
 * @returns handlers for `setupServer(...)`
 * @public
 */
export function mswHandlers(handle: FetchHandler, baseUrl: string): HttpHandler[] {
  const origin = new URL(baseUrl).origin;
  return [http.all(`${origin}/*`, ({ request }) => handle(request))];
}
