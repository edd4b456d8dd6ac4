import { RedirectError } from '@llmdevops/docker-hub-core';
import { isReplayable } from '../../pipeline/body.js';
import { safeUrl } from '../../internal/host.js';
import type { HttpMethod, Middleware, TransportRequest } from '../../pipeline/types.js';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Headers that carry credentials; dropped for good once a redirect leaves the origin. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-range', 'digest'];

function without(headers: Readonly<Record<string, string>>, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (!names.includes(k.toLowerCase())) out[k] = v;
  return out;
}

function withoutBody(req: TransportRequest, patch: Pick<TransportRequest, 'method' | 'url' | 'headers'>): TransportRequest {
  const out: { -readonly [K in keyof TransportRequest]?: TransportRequest[K] } = { ...req, ...patch };
  delete out.body;
  return out as TransportRequest;
}

/**
 * The request for the next hop: fetch-style method rewriting (303 becomes GET, 301/302 turn a
 * POST into GET), credentials dropped when the origin changes.
 * @param req - the current hop
 * @param status - the redirect status
 * @param target - the resolved `Location`
 * @returns the next request
 * @throws {@link @llmdevops/docker-hub-core!RedirectError | RedirectError} for downgrades, or a body that cannot be sent again
 * @internal
 */
export function nextHop(req: TransportRequest, status: number, target: URL): TransportRequest {
  if (req.url.protocol === 'https:' && target.protocol !== 'https:') {
    throw new RedirectError(`refusing redirect from ${safeUrl(req.url)} to ${safeUrl(target)}: HTTPS to ${target.protocol} downgrade`);
  }
  const toGet = (status === 303 && req.method !== 'HEAD') || ((status === 301 || status === 302) && req.method === 'POST');
  let headers: Record<string, string> = { ...req.headers };
  if (target.origin !== req.url.origin) headers = without(headers, CREDENTIAL_HEADERS);
  const method: HttpMethod = toGet ? 'GET' : req.method;
  if (toGet || req.body === undefined) {
    return withoutBody(req, { method, url: target, headers: toGet ? without(headers, BODY_HEADERS) : headers });
  }
  if (!isReplayable(req.body)) {
    throw new RedirectError(`cannot follow ${status} from ${safeUrl(req.url)}: the request body is a one-shot stream`);
  }
  return { ...req, url: target, headers };
}

/**
 * Follows 301/302/303/307/308 up to `maxRedirects` hops, dumping each intermediate body. Sits
 * inside auth, so a hop to another origin (CDN, object store) never carries `Authorization`
 * or cookies, and refuses HTTPS-to-HTTP downgrades. Every hop passes the terminal's HTTPS policy.
 * @param maxRedirects - hop limit (0 returns redirects unfollowed)
 * @returns the middleware
 * @internal
 */
export function createRedirectMiddleware(maxRedirects: number): Middleware {
  return {
    name: 'redirect',
    async handle(req, next) {
      let current = req;
      for (let hops = 0; ; hops++) {
        const res = await next(current);
        const location = res.header('location');
        if (!REDIRECT_STATUSES.has(res.status) || location === undefined || maxRedirects <= 0) return res;
        await res.dump();
        if (hops >= maxRedirects) {
          throw new RedirectError(`${req.method} ${safeUrl(req.url)}: more than ${maxRedirects} redirects`);
        }
        let target: URL;
        try {
          target = new URL(location, current.url);
        } catch (err) {
          throw new RedirectError(`${req.method} ${safeUrl(current.url)}: unusable Location header (${String(err instanceof Error ? err.name : err)})`);
        }
        current = nextHop(current, res.status, target);
      }
    },
  };
}
