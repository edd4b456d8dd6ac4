import {
  AuthenticationError,
  RegistryError,
  systemClock,
  type Clock,
} from '@llmdevops/docker-hub-core';
import {
  hubResponseError,
  sendHubRequest,
  type AuthEventListener,
  type HubSession,
} from '@llmdevops/docker-hub-auth';
import {
  errorFromResponse,
  type OtelAttributes,
  type Transport,
  type TransportRequest,
  type TransportResponse,
} from '@llmdevops/docker-hub-transport';
import type { z } from 'zod';
import { withSignal } from '../client/ref.js';
import type { ServiceTelemetry } from '../client/telemetry.js';
import { HubRateLimitTracker } from './hub-rate-limit.js';

/**
 * What the Hub services need from the client: the transport, the Hub API URL and the Hub login
 * session. `ClientContext` satisfies it as it is; tests may pass their own session (2FA, clocks).
 * @public
 */
export interface HubContext {
  /** Sends requests (retry, breaker and rate-limit tracking included). */
  readonly transport: Pick<Transport, 'request'>;
  /**
   * `hubUrl`: the Docker Hub API origin (`DOCKER_HUB_URL`); `insecureRegistries`: hosts that may
   * receive the Hub JWT over plain HTTP (loopback always may).
   */
  readonly config: { readonly hubUrl: string; readonly insecureRegistries?: readonly string[] };
  /**
   * The Hub API login session, if credentials exist.
   * @param signal - cancels reading credentials
   * @returns the session or undefined (anonymous)
   */
  hubSession(signal?: AbortSignal): Promise<HubSession | undefined>;
  /** Operation spans (the client's telemetry); left out, calls are not traced. */
  readonly telemetry?: Pick<ServiceTelemetry, 'run'>;
  /** Receives the auth events of Hub calls (a JWT renewed after a 401, a refusal). */
  readonly onAuthEvent?: AuthEventListener | undefined;
}

/** Options of the Hub services. @public */
export interface HubServiceOptions {
  /** Where `X-RateLimit-*` of Hub API answers are recorded (share one tracker between services). */
  readonly rateLimit?: HubRateLimitTracker;
  /** Time source for rate-limit bookkeeping (default the system clock). */
  readonly clock?: Pick<Clock, 'now'>;
}

/** One Hub API call. @internal */
export interface HubCall {
  readonly method: 'GET' | 'HEAD' | 'DELETE' | 'POST' | 'PATCH';
  readonly url: URL;
  readonly operation: string;
  /** For error messages, e.g. `list repositories of alice`. */
  readonly what: string;
  /** `optional`: send a JWT when credentials exist; `required`: fail without them; `none`: never (other hosts). */
  readonly auth: 'optional' | 'required' | 'none';
  readonly signal?: AbortSignal | undefined;
  /** A JSON body (POST, PATCH). */
  readonly body?: unknown;
  /** Whether the call may be sent again after the server may have acted (default: not for POST). */
  readonly idempotent?: boolean;
  /**
   * The access-token scope the call needs (`repo:write`, `repo:admin`): a 403 then says so. The
   * Hub API's own answer never names it.
   */
  readonly scope?: string;
}

/** Options of {@link HubApi.pages}. @internal */
export interface HubPagesOptions {
  /** Pages fetched at most; iteration ends quietly at the cap. */
  readonly maxPages: number;
  /** Tried when the first page answers 404, 405 or 410 (a route Docker Hub retired or never had). */
  readonly fallback?: URL;
  /** Called instead of failing when the first page answers 404, 405 or 410 and there is no fallback; iteration ends. */
  readonly onMissingRoute?: () => void;
}

const JSON_LIMIT = 8 * 1024 * 1024;

/**
 * The route template of a Hub API path for events and metrics (names replaced by placeholders).
 * @param path - e.g. `/v2/namespaces/alice/repositories/app/tags/v1`
 * @returns e.g. `/v2/namespaces/{namespace}/repositories/{repository}/tags/{tag}`
 * @internal
 */
export function hubRoute(path: string): string {
  if (/^\/v2\/access-tokens\/[^/]+/.test(path)) return '/v2/access-tokens/{uuid}';
  if (path.startsWith('/v2/orgs/'))
    return path
      .replace(/^\/v2\/orgs\/[^/]+/, '/v2/orgs/{org_name}')
      .replace(/\/access-tokens\/[^/]+/, '/access-tokens/{access_token_id}')
      .replace(/\/groups\/[^/]+/, '/groups/{group_name}');
  return path
    .replace(/^\/v2\/(namespaces|repositories)\/[^/]+/, '/v2/$1/{namespace}')
    .replace(
      /^(\/v2\/namespaces\/\{namespace\}\/repositories|\/v2\/repositories\/\{namespace\})\/[^/]+/,
      '$1/{repository}',
    )
    .replace(/\/tags\/[^/]+/, '/tags/{tag}');
}
const MISSING_ROUTE = new Set([404, 405, 410]);

/**
 * The Hub API plumbing shared by repositories, Hub tags and search: URL building, `X-RateLimit-*`
 * bookkeeping, typed errors, zod-validated bodies, and Docker Hub's `count/next/previous/results`
 * paging where a 404 past the last page ends iteration. The JWT (one per account, renewed before
 * it expires and once after a 401) and the SSO and access-token hints of 401/403 answers come
 * from the auth package's Hub path (`sendHubRequest`, `hubResponseError`).
 * @internal
 */
export class HubApi {
  readonly #ctx: HubContext;
  readonly #clock: Pick<Clock, 'now'>;
  /** Hub API budget (`X-RateLimit-*`), separate from registry pull limits. */
  readonly rateLimit: HubRateLimitTracker;

  /**
   * @param ctx - transport, Hub URL and session
   * @param options - rate-limit tracker and clock
   */
  constructor(ctx: HubContext, options: HubServiceOptions = {}) {
    this.#ctx = ctx;
    this.#clock = options.clock ?? systemClock;
    this.rateLimit = options.rateLimit ?? new HubRateLimitTracker();
  }

  /**
   * Runs one Hub operation in its span (`docker_hub.<operation>`), when the context has telemetry.
   * @param operation - e.g. `hub.repositories.get`
   * @param attributes - namespace, repository, tag (never tokens)
   * @param fn - the work
   * @returns what `fn` resolves to
   * @throws whatever `fn` throws
   */
  async run<T>(operation: string, attributes: OtelAttributes, fn: () => Promise<T>): Promise<T> {
    const telemetry = this.#ctx.telemetry;
    return telemetry === undefined ? fn() : telemetry.run(operation, attributes, fn);
  }

  /**
   * A Hub API URL.
   * @param path - below the Hub origin, e.g. `v2/namespaces/alice/repositories`
   * @param query - query parameters (undefined values are left out)
   * @returns the URL
   */
  url(path: string, query: Readonly<Record<string, string | number | undefined>> = {}): URL {
    const base = this.#ctx.config.hubUrl.endsWith('/')
      ? this.#ctx.config.hubUrl
      : `${this.#ctx.config.hubUrl}/`;
    const url = new URL(path, base);
    for (const [k, v] of Object.entries(query))
      if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  /**
   * Sends a call: with the session's JWT through the auth package's Hub path when the call can
   * use one and credentials exist, anonymously otherwise.
   * @param call - the call
   * @returns the response, any status
   * @throws {@link @llmdevops/docker-hub-core!AuthenticationError | AuthenticationError} without credentials where they are required, or when the login is refused
   */
  async send(call: HubCall): Promise<TransportResponse> {
    const session = call.auth === 'none' ? undefined : await this.#ctx.hubSession(call.signal);
    if (session === undefined && call.auth === 'required') {
      throw new AuthenticationError(
        `${call.what}: needs Docker Hub credentials (DOCKER_HUB_USERNAME with DOCKER_HUB_PASSWORD or DOCKER_HUB_ACCESS_TOKEN, or docker login)`,
        {},
      );
    }
    const req: TransportRequest = {
      method: call.method,
      url: call.url,
      headers:
        call.body === undefined
          ? { accept: 'application/json' }
          : { accept: 'application/json', 'content-type': 'application/json' },
      ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
      ...(call.idempotent === undefined ? {} : { idempotent: call.idempotent }),
      ...withSignal(call.signal),
      context: { operation: call.operation, route: hubRoute(call.url.pathname) },
    };
    const next = async (r: TransportRequest): Promise<TransportResponse> => {
      const res = await this.#ctx.transport.request(r);
      this.rateLimit.observe(res.headers, this.#clock.now());
      return res;
    };
    if (session === undefined) return next(req);
    const onEvent = this.#ctx.onAuthEvent;
    return sendHubRequest(req, next, {
      hub: session,
      insecureHosts: this.#ctx.config.insecureRegistries ?? [],
      ...(onEvent === undefined ? {} : { onEvent }),
    });
  }

  /**
   * Sends a call and fails on any status outside `ok`.
   * @param call - the call
   * @param ok - accepted statuses
   * @returns the response
   * @throws the typed Hub error: 401/403 with the SSO and access-token hints of `hubResponseError`, else that of `errorFromResponse` (404, 429 with `resetAt`, 5xx, ...)
   */
  async expect(call: HubCall, ok: readonly number[]): Promise<TransportResponse> {
    const res = await this.send(call);
    const what =
      res.status === 403 && call.scope !== undefined
        ? `${call.what} (needs an access token with scope ${call.scope})`
        : call.what;
    return this.check(res, what, ok);
  }

  /**
   * Fails on any status outside `ok`.
   * @param res - a response
   * @param what - for the error message
   * @param ok - accepted statuses
   * @returns the response
   * @throws the typed Hub error (see {@link HubApi.expect})
   */
  async check(
    res: TransportResponse,
    what: string,
    ok: readonly number[],
  ): Promise<TransportResponse> {
    if (!ok.includes(res.status)) throw await this.#error(res, what);
    return res;
  }

  /** 401 and 403 get the Hub hints (SSO, access-token scope); the rest the generic mapping. */
  async #error(res: TransportResponse, what: string): Promise<Error> {
    return res.status === 401 || res.status === 403
      ? hubResponseError(res, what)
      : errorFromResponse(res, what, { now: this.#clock.now() });
  }

  /**
   * GETs one Hub object from its current route and, when that route is missing (404, 405, 410),
   * from the legacy `v2/repositories/...` route; expects 200 and parses the body.
   * @param call - the request without its URL
   * @param routes - the current route and the legacy one
   * @param schema - the zod schema of the answer
   * @returns the parsed value
   * @throws {@link @llmdevops/docker-hub-core!NotFoundError | NotFoundError} and the other errors of {@link HubApi.check}
   */
  async getWithLegacyRoute<T extends z.ZodType>(
    call: Omit<HubCall, 'url' | 'method'>,
    routes: { readonly current: URL; readonly legacy: URL },
    schema: T,
  ): Promise<z.output<T>> {
    let res = await this.send({ ...call, method: 'GET', url: routes.current });
    if (MISSING_ROUTE.has(res.status)) {
      await res.dump();
      res = await this.send({ ...call, method: 'GET', url: routes.legacy });
    }
    await this.check(res, call.what, [200]);
    return this.parse(res, schema, call.what);
  }

  /**
   * Reads and validates a JSON body.
   * @param res - the response
   * @param schema - the zod schema
   * @param what - for the error message
   * @returns the parsed value
   * @throws {@link @llmdevops/docker-hub-core!RegistryError | RegistryError} when the body is not JSON or does not match
   */
  async parse<T extends z.ZodType>(
    res: TransportResponse,
    schema: T,
    what: string,
  ): Promise<z.output<T>> {
    let body: unknown;
    try {
      body = await res.json(JSON_LIMIT);
    } catch (err) {
      if (err instanceof RegistryError) throw err;
      throw new RegistryError(`${what}: the Hub API answered with something that is not JSON`, {
        status: res.status,
        cause: err,
      });
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where =
        issue === undefined ? '' : ` at ${issue.path.join('.') || '(root)'}: ${issue.message}`;
      throw new RegistryError(`${what}: unexpected Hub API answer${where}`, { status: res.status });
    }
    return parsed.data;
  }

  /**
   * Follows the `next` links of a Docker Hub list, page by page. A `next` pointing at another
   * origin is rebased onto the configured Hub URL, so the JWT never leaves it.
   * @param call - the first page's call
   * @param schema - schema of one page
   * @param options - page cap and fallback route
   * @returns an async iterable of pages
   * @throws the typed Hub errors of the first page (later 404s end iteration)
   */
  async *pages<TItem>(
    call: HubCall,
    schema: z.ZodType<{
      readonly next?: string | null | undefined;
      readonly results: readonly TItem[];
    }>,
    options: HubPagesOptions,
  ): AsyncIterable<TItem[]> {
    let url: URL | undefined = call.url;
    const seen = new Set<string>();
    for (
      let page = 0;
      url !== undefined && page < options.maxPages && !seen.has(url.href);
      page++
    ) {
      seen.add(url.href);
      const first: URL = url;
      // One span per page (a generator cannot keep a span active across its yields).
      const step = await this.run(call.operation, { 'docker_hub.page': page }, async () => {
        let pageUrl = first;
        let res = await this.send({ ...call, url: pageUrl });
        if (page === 0 && MISSING_ROUTE.has(res.status) && options.fallback !== undefined) {
          await res.dump();
          pageUrl = options.fallback;
          seen.add(pageUrl.href);
          res = await this.send({ ...call, url: pageUrl });
        }
        if (page === 0 && MISSING_ROUTE.has(res.status) && options.onMissingRoute !== undefined) {
          await res.dump();
          options.onMissingRoute();
          return undefined;
        }
        if (res.status === 404 && page > 0) {
          await res.dump();
          return undefined;
        }
        if (res.status !== 200) throw await this.#error(res, call.what);
        return { body: await this.parse(res, schema, call.what), pageUrl };
      });
      if (step === undefined) return;
      yield [...step.body.results];
      url = this.#next(step.body.next, step.pageUrl);
    }
  }

  #next(next: string | null | undefined, current: URL): URL | undefined {
    if (next === undefined || next === null || next === '') return undefined;
    let url: URL;
    try {
      url = new URL(next, current);
    } catch {
      return undefined;
    }
    const hub = this.url('');
    return url.origin === hub.origin ? url : new URL(`${url.pathname}${url.search}`, hub);
  }
}
