import { http, type HttpHandler } from 'msw';
import { type FetchHandler } from '../fetch/fetch-handler.js';

/** Anything that answers Fetch-style: a simulator, a cassette, or a bare handler. @public */
export type MswSource = FetchHandler | { readonly fetch: FetchHandler };

/**
 * msw request handlers that answer from a simulator (or a cassette), for code that already mocks
 * with msw and uses global `fetch` (msw does not see undici Dispatcher traffic; use the
 * dispatcher for that).
 * @param source - a simulator, a cassette, or a Fetch-style handler
 * @param baseUrl - the origin to intercept, e.g. `https://registry.test`
 * @returns handlers for `setupServer(...)`
 * @throws TypeError when `baseUrl` is not a URL
 * @public
 */
export function mswHandlers(source: MswSource, baseUrl: string): HttpHandler[] {
  const origin = new URL(baseUrl).origin;
  const handle: FetchHandler =
    typeof source === 'function' ? source : (request, info) => source.fetch(request, info);
  return [http.all(`${origin}/*`, ({ request }) => handle(request))];
}
