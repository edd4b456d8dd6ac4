import { type PullRateLimiter } from '../faults/rate-limit.js';
import { type ProfileRules } from '../profiles/profiles.js';
import { type Principal } from '../token-service/auth-gate.js';
import { type Scope } from '@llmdevops/docker-hub-core';
import { accountId } from '../token-service/users.js';
import { deleteBlob, getBlob } from './blobs.js';
import { type RegistryCall, type RegistryContext } from './context.js';
import { emptyResponse, jsonResponse, registryError, textNotFound } from './errors.js';
import { listCatalog, listReferrers, listTags } from './listing.js';
import { deleteManifest, getManifest, putManifest } from './manifests.js';
import { parseRegistryRoute, type RegistryRoute } from './routes.js';
import { continueUpload, startUpload } from './uploads.js';

/** Per-request facts the serving adapter knows (the Fetch API has no peer address). @public */
export interface RequestInfo {
  /** The client's address (anonymous rate limits count per address). */
  readonly clientAddress?: string;
}

/** What the registry handler needs besides the context. @internal */
export interface RegistryHandlerDeps {
  readonly gate: (request: Request, scopes: readonly Scope[]) => Principal | Response;
  readonly rateLimiter?: PullRateLimiter;
}

function scopesFor(route: RegistryRoute, method: string, url: URL, rules: ProfileRules): Scope[] {
  if (route.kind === 'catalog') return [{ type: 'registry', name: 'catalog', actions: ['*'] }];
  if (!('name' in route) || route.kind === 'invalid-name' || route.kind === 'invalid-reference')
    return [];
  const read = method === 'GET' || method === 'HEAD';
  let actions = read ? ['pull'] : ['pull', 'push'];
  if (method === 'DELETE' && (route.kind === 'manifest' || route.kind === 'blob'))
    actions = ['delete'];
  const scopes: Scope[] = [{ type: 'repository', name: route.name, actions }];
  const from = url.searchParams.get('from');
  if (
    route.kind === 'upload-start' &&
    rules.mountSourceScope === 'required' &&
    from !== null &&
    url.searchParams.has('mount')
  ) {
    scopes.push({ type: 'repository', name: from, actions: ['pull'] });
  }
  return scopes;
}

/**
 * A mount with `from` whose source scope is optional (the `oci` profile): the 401 challenge still
 * asks for pull on the source, as distribution's does, so a client that follows it gets a token
 * that lets the mount succeed (201); a token without it still opens a session (202).
 */
function challengeWithSource(
  gate: RegistryHandlerDeps['gate'],
  request: Request,
  scopes: readonly Scope[],
  refusal: Response,
): Response {
  const url = new URL(request.url);
  const from = url.searchParams.get('from');
  if (
    refusal.status !== 401 ||
    parseRegistryRoute(url.pathname)?.kind !== 'upload-start' ||
    from === null ||
    !url.searchParams.has('mount') ||
    scopes.some((s) => s.name === from)
  )
    return refusal;
  const wider = gate(request, [...scopes, { type: 'repository', name: from, actions: ['pull'] }]);
  return wider instanceof Response ? wider : refusal;
}

type Route<K extends RegistryRoute['kind']> = Extract<RegistryRoute, { kind: K }>;
const notAllowed = (): Response => registryError(405, { code: 'UNSUPPORTED' });

const DISPATCH: {
  [K in RegistryRoute['kind']]: (
    ctx: RegistryContext,
    call: RegistryCall,
    route: Route<K>,
  ) => Promise<Response> | Response;
} = {
  ping: () => jsonResponse(200, {}),
  'ping-redirect': () => emptyResponse(301, { location: '/v2/' }),
  catalog: (ctx, call) => listCatalog(ctx, call),
  'invalid-name': (ctx, _call, route) =>
    ctx.rules.invalidNameAnswer === 'text-404'
      ? textNotFound()
      : registryError(400, { code: 'NAME_INVALID', detail: { name: route.name } }),
  // A malformed tag under a valid name: the Go router of distribution misses (text 404); the
  // spec's answer is 404 MANIFEST_UNKNOWN to a read (the conformance suite checks it) and 400
  // TAG_INVALID to a PUT.
  'invalid-reference': (ctx, call, route) => {
    if (ctx.rules.invalidNameAnswer === 'text-404') return textNotFound();
    return call.request.method === 'PUT'
      ? registryError(400, { code: 'TAG_INVALID', detail: { Tag: route.reference } })
      : registryError(404, { code: 'MANIFEST_UNKNOWN', detail: { Tag: route.reference } });
  },
  manifest: (ctx, call, route) => {
    const m = call.request.method;
    if (m === 'GET' || m === 'HEAD') return getManifest(ctx, call, route);
    if (m === 'PUT') return putManifest(ctx, call, route);
    return m === 'DELETE' ? deleteManifest(ctx, route) : notAllowed();
  },
  blob: (ctx, call, route) => {
    const m = call.request.method;
    if (m === 'GET' || m === 'HEAD') return getBlob(ctx, call, route);
    return m === 'DELETE' ? deleteBlob(ctx, route) : notAllowed();
  },
  'upload-start': (ctx, call, route) =>
    call.request.method === 'POST' ? startUpload(ctx, call, route.name) : notAllowed(),
  upload: (ctx, call, route) =>
    ['GET', 'PATCH', 'PUT', 'DELETE'].includes(call.request.method)
      ? continueUpload(ctx, call, route)
      : notAllowed(),
  tags: (ctx, call, route) =>
    call.request.method === 'GET' ? listTags(ctx, call, route.name) : notAllowed(),
  referrers: (ctx, call, route) => {
    if (ctx.rules.referrersApi === 'absent') return textNotFound();
    return call.request.method === 'GET' ? listReferrers(ctx, call, route) : notAllowed();
  },
};

function withHeaders(response: Response, headers: Record<string, string>): Response {
  for (const [k, v] of Object.entries(headers)) response.headers.set(k, v);
  return response;
}

/**
 * The OCI distribution API as one Fetch-style handler: authentication, Docker Hub's hiding of
 * missing repositories, pull rate limits, then the route's handler.
 * @param ctx - registry context
 * @param deps - auth gate and rate limiter
 * @returns a handler answering registry paths, or `undefined` for other paths
 * @internal
 */
export function createRegistryHandler(ctx: RegistryContext, deps: RegistryHandlerDeps) {
  return async (request: Request, info: RequestInfo = {}): Promise<Response | undefined> => {
    const url = new URL(request.url);
    const route = parseRegistryRoute(url.pathname);
    if (route === undefined) return undefined;
    const scopes = scopesFor(route, request.method, url, ctx.rules);
    const principal = deps.gate(request, scopes);
    if (principal instanceof Response)
      return challengeWithSource(deps.gate, request, scopes, principal);
    const read = request.method === 'GET' || request.method === 'HEAD';
    // Docker Hub's hiding of missing repositories (`missingRepoAnswer`) happens in the token
    // grants: a token for a repository that does not exist carries no pull unless the caller owns
    // the namespace, so the gate above answers 401 insufficient_scope.
    let limitHeaders: Record<string, string> = {};
    if (deps.rateLimiter !== undefined && route.kind === 'manifest' && read) {
      const source =
        principal.account === undefined
          ? (info.clientAddress ?? '127.0.0.1')
          : accountId(principal.account);
      const decision = deps.rateLimiter.take(
        source,
        principal.account !== undefined,
        request.method === 'GET',
      );
      limitHeaders = decision.headers;
      if (decision.retryAfter !== undefined) {
        return registryError(
          429,
          {
            code: 'TOOMANYREQUESTS',
            message:
              'You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit',
          },
          { ...limitHeaders, 'retry-after': String(decision.retryAfter) },
        );
      }
    }
    const call: RegistryCall = {
      request,
      url,
      ...(principal.account === undefined ? {} : { account: principal.account }),
      canPull: (name) => principal.canPull(name),
    };
    const handler = DISPATCH[route.kind] as (
      c: RegistryContext,
      k: RegistryCall,
      r: RegistryRoute,
    ) => Promise<Response> | Response;
    return withHeaders(await handler(ctx, call, route), limitHeaders);
  };
}
