import { boundBody } from '../internal/bounded-body.js';
import { type RegistryState } from '../registry/state.js';
import { type BlobStore } from '../storage/blob-store.js';
import { scopeAllows, type SimulatorUser } from '../token-service/users.js';
import { type HubCaller, hubAccount, hubLogin } from './hub-auth.js';
import { type Caller } from './hub-caller.js';
import { createOrgRoutes, isOrganization, isOrgRoute } from './hub-orgs.js';
import { HubApiRateLimiter, type HubApiRateLimitOptions } from './hub-rate-limit.js';
import { createRepoRoutes, isRepoRoute } from './hub-repos.js';
import { hubError, hubJson } from './hub-response.js';
import {
  createTokenRoutes,
  isTokenRoute,
  syncAccessTokens,
  type TokenRoutesOptions,
} from './hub-tokens.js';

/** Options of {@link createHubHandler}. @internal */
export interface HubHandlerOptions {
  readonly state: RegistryState;
  readonly store: BlobStore;
  /**
   * The accounts every part of the simulator reads. The Hub handler rewrites this array's entries
   * so access tokens created through the Hub API log in everywhere; `baseUsers` keeps the
   * configured accounts.
   */
  readonly users: SimulatorUser[];
  /** The accounts as configured (default: a copy of `users`). */
  readonly baseUsers?: readonly SimulatorUser[];
  readonly now: () => number;
  readonly key: Uint8Array;
  readonly baseUrl?: string;
  /** Persists metadata after a change (tag delete, repository create). */
  readonly save: () => Promise<void>;
  /** Largest request body read; larger ones get 413 before authentication. */
  readonly maxBodyBytes: number;
  /** The Hub API rate limit (`X-RateLimit-*`, 429); `false` turns it off. */
  readonly rateLimit?: HubApiRateLimitOptions | false;
}

/** The Hub handler and the hook that applies stored access tokens to the accounts. @internal */
export interface HubHandler {
  (request: Request): Promise<Response | undefined>;
  /** Re-applies the stored access tokens to the accounts (after the state was restored). */
  syncAccessTokens(): void;
}

const LOGIN_ROUTE = /^\/v2\/(?:auth\/token|users\/login|users\/2fa-login)\/?$/;

/** A family of Hub API routes behind the login: which paths it has, and how it answers them. */
interface HubRoutes {
  readonly matches: (path: string) => boolean;
  readonly answer: (
    caller: Caller,
    request: Request,
    url: URL,
  ) => Promise<Response | undefined> | Response | undefined;
}

/** What one Hub handler keeps: its options, the token-route options, rate limiter and routes. */
interface HubContext {
  readonly options: HubHandlerOptions;
  readonly tokenOptions: TokenRoutesOptions;
  readonly limiter: HubApiRateLimiter | undefined;
  /** Tried in order after a login route; the first that matches the path answers. */
  readonly routes: readonly HubRoutes[];
}

/** The options the token routes get: the accounts, and which namespaces are organisations. */
function tokenRoutesOptions(options: HubHandlerOptions): TokenRoutesOptions {
  const baseUsers = options.baseUsers ?? [...options.users];
  return {
    state: options.state,
    now: options.now,
    save: options.save,
    users: options.users,
    baseUsers,
    isOrg: (org: string) => isOrganization(baseUsers, org),
  };
}

/** The Hub API rate limiter, unless `rateLimit` is `false`. */
function rateLimiter(options: HubHandlerOptions): HubApiRateLimiter | undefined {
  return options.rateLimit === false
    ? undefined
    : new HubApiRateLimiter(
        typeof options.rateLimit === 'object' ? options.rateLimit : {},
        options.now,
      );
}

/** Builds the routes (access tokens, organisations, repositories) and the rate limiter. */
function hubContext(options: HubHandlerOptions): HubContext {
  const tokenOptions = tokenRoutesOptions(options);
  const orgs = createOrgRoutes({
    users: tokenOptions.baseUsers,
    startedAt: options.now(),
    baseUrl: options.baseUrl,
  });
  return {
    options,
    tokenOptions,
    limiter: rateLimiter(options),
    routes: [
      { matches: isTokenRoute, answer: createTokenRoutes(tokenOptions) },
      { matches: isOrgRoute, answer: orgs },
      { matches: isRepoRoute, answer: createRepoRoutes(options) },
    ],
  };
}

/** Whether the Hub handler answers `path`. */
function isHubPath(hub: HubContext, path: string): boolean {
  return LOGIN_ROUTE.test(path) || hub.routes.some((r) => r.matches(path));
}

/** `POST` to one of the three login routes. */
function login(options: HubHandlerOptions, request: Request, path: string): Promise<Response> {
  if (path.startsWith('/v2/auth/token')) return hubLogin(options, 'token', request);
  if (path.startsWith('/v2/users/login')) return hubLogin(options, 'login', request);
  return hubLogin(options, '2fa', request);
}

/** The caller behind a valid Hub JWT, or the anonymous caller. */
function callerOf(account: HubCaller | undefined): Caller {
  const user = account?.user;
  return {
    user,
    tokenScope: account?.tokenScope,
    owns: (ns) =>
      user !== undefined && (user.namespaces === undefined || user.namespaces.includes(ns)),
    allows: (needed) => scopeAllows(account?.tokenScope, needed),
  };
}

/** Hands an authenticated (or anonymous) call to the first route family that has its path. */
async function route(
  hub: HubContext,
  caller: Caller,
  request: Request,
  url: URL,
): Promise<Response> {
  const routes = hub.routes.find((r) => r.matches(url.pathname));
  const response = await routes?.answer(caller, request, url);
  return response ?? hubError(404, 'Not found');
}

/** Answers a Hub path: bounds the body, then logs in or finds the caller and routes the call. */
async function answer(hub: HubContext, incoming: Request): Promise<Response | undefined> {
  const { options } = hub;
  const url = new URL(incoming.url);
  const path = url.pathname;
  if (!isHubPath(hub, path)) return undefined;
  // Before any credential check: an anonymous sender cannot make the Hub hold a large body.
  const request = await boundBody(incoming, options.maxBodyBytes, () =>
    hubError(413, 'Request body too large'),
  );
  if (request instanceof Response) return request;
  if (LOGIN_ROUTE.test(path)) {
    if (request.method !== 'POST') return hubError(405, 'Method not allowed');
    return login(options, request, path);
  }
  const account = hubAccount(options, request.headers.get('authorization'));
  if (account === 'invalid')
    return hubJson(401, { detail: 'Given token not valid for any token type' });
  return route(hub, callerOf(account), request, url);
}

/** The handler: refreshes the accounts' tokens, applies the rate limit, answers, adds its headers. */
async function limited(hub: HubContext, incoming: Request): Promise<Response | undefined> {
  if (!isHubPath(hub, new URL(incoming.url).pathname)) return undefined;
  // Expired tokens stop logging in as soon as the Hub API is called again.
  syncAccessTokens(hub.tokenOptions);
  const caller = hubAccount(hub.options, incoming.headers.get('authorization'));
  const taken = hub.limiter?.take(typeof caller === 'object' ? caller.user.name : '');
  if (taken?.refused !== undefined) {
    await incoming.body?.cancel().catch(() => undefined);
    return taken.refused;
  }
  const response = await answer(hub, incoming);
  if (response !== undefined && taken !== undefined)
    for (const [k, v] of Object.entries(taken.headers)) response.headers.set(k, v);
  return response;
}

/**
 * The Hub API the client uses: logins, namespace repositories (current and legacy routes) with
 * create, update, privacy and delete, tags with metadata and DELETE, search, personal and
 * organisation access tokens, organisation members and groups; Docker Hub's paging and its
 * documented API rate limit throughout.
 * @param options - registry state, store, users, clock, signing key
 * @returns a handler answering Hub paths, or `undefined` for others
 * @internal
 */
export function createHubHandler(options: HubHandlerOptions): HubHandler {
  const hub = hubContext(options);
  return Object.assign((incoming: Request) => limited(hub, incoming), {
    syncAccessTokens: () => {
      syncAccessTokens(hub.tokenOptions);
    },
  });
}
