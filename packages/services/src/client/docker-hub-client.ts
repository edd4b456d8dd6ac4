import { accountPool } from '../budget/accounts.js';
import { createHubBudget } from '../budget/hub-budget.js';
import type { BudgetStatus, PullBudget } from '../budget/pull-budget.js';
import { ReferrersService } from '../referrers/referrers-service.js';
import { ArtifactsService } from '../referrers/artifacts-service.js';
import { IndexesService } from '../images/index-edit.js';
import {
  accountOf,
  createAuthMiddleware,
  type AuthMiddleware,
  type CredentialProvider,
  type TwoFactorCallback,
} from '@llmdevops/docker-hub-auth';
import {
  AuthenticationError,
  ImageReference,
  optionCheck,
  validateOptions,
  type Clock,
  type OptionRules,
} from '@llmdevops/docker-hub-core';
import { defaultCertsRoots, errorFromResponse, proxyFromEnvironment, type ProxyOptions, type RegistryTlsOptions } from '@llmdevops/docker-hub-transport';
import type { CallOptions } from '../client/ref.js';
import {
  createTransport,
  type RateLimitStatus,
  type Transport,
} from '@llmdevops/docker-hub-transport';
import { DockerHubConfig } from '../config/docker-hub-config.js';
import { isResolvedConfig, parseConfig } from '../config/parse-config.js';
import type { DockerHubConfigInput, ResolvedDockerHubConfig } from '../config/schema.js';
import { BlobsService } from '../blobs/blobs-service.js';
import { ImagesService } from '../images/images-service.js';
import { ManifestsService } from '../manifests/manifests-service.js';
import { TagsService } from '../tags/tags-service.js';
import { AccessTokensService } from '../hub/access-tokens-service.js';
import { HubRateLimitTracker } from '../hub/hub-rate-limit.js';
import { HubTagsService } from '../hub/hub-tags-service.js';
import { OrgsService } from '../hub/orgs-service.js';
import { RepositoriesService } from '../hub/repositories-service.js';
import { VulnerabilitiesService } from '../vulnerabilities/vulnerabilities-service.js';
import { RateLimitService, type CheckRateLimitOptions, type PullRateLimit } from '../rate-limit/check-rate-limit.js';
import { createClientEvents, type ClientEvents } from './client-events.js';
import { ClientContext, DOCKER_HUB_REGISTRY_URL } from './context.js';
import { createClientCredentials } from './credentials.js';
import { ServiceTelemetry, type ClientTelemetry } from './telemetry.js';
import { attachTracing, type ClientLogger } from './trace.js';

/** Options of {@link DockerHubClient.login}. @public */
export interface LoginOptions extends CallOptions {
  /** Registry host (`host[:port]`); default Docker Hub's registry (or `registryUrl`). */
  readonly registry?: string;
}

/** Who {@link DockerHubClient.login} logged in as. @public */
export interface LoginResult {
  /** The registry endpoint host checked. */
  readonly registry: string;
  /** The account name (never the secret). */
  readonly username: string;
  /**
   * For Docker Hub: when the Docker Hub API JWT the login obtained expires (the client renews it
   * before then). Absent for other registries, or without a username and password or token.
   */
  readonly hubSessionExpiresAt?: Date;
}

/** Test seams and overrides of {@link DockerHubClient}. @public */
export interface ClientDeps {
  /** Environment for credentials and `DOCKER_CONFIG` (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Where registry credentials come from (default: configured Hub credentials, env, Docker's
   * `config.json`). The Docker Hub API session logs in with the username and password or access
   * token this gives for Docker Hub's registry.
   */
  readonly credentials?: CredentialProvider;
  /**
   * Supplies the one-time code when the Docker Hub API login answers with a two-factor challenge
   * (an account with 2FA logging in with its password; access tokens need no code). Without it,
   * such a login fails with `AuthenticationError` code `TWO_FACTOR_REQUIRED`.
   */
  readonly onTwoFactor?: TwoFactorCallback;
  /** Time source and sleeper for retries and tokens. */
  readonly clock?: Clock;
  /** Random source for backoff jitter. */
  readonly random?: () => number;
  /** `User-Agent` header. */
  readonly userAgent?: string;
  /** Where `observability` log lines go (default `console`). */
  readonly logger?: ClientLogger;
  /**
   * OpenTelemetry: `true` (default) uses the global tracer and meter of `@opentelemetry/api`
   * when it is installed (nothing is recorded until an SDK is registered, and nothing is loaded
   * or thrown without the package); `{ tracer, meter }` uses those; `false` turns it off.
   * Spans per operation (`docker_hub.manifests.get`, ...) with HTTP attempt spans as children,
   * and the metrics of `METRIC_NAMES`.
   */
  readonly telemetry?: ClientTelemetry;
}

/** What each of {@link ClientDeps} may hold; other keys are refused. */
const DEPS_RULES: OptionRules<ClientDeps> = {
  env: optionCheck.object(),
  credentials: optionCheck.function(),
  onTwoFactor: optionCheck.function(),
  clock: optionCheck.clock(),
  random: optionCheck.function(),
  userAgent: optionCheck.string(),
  logger: optionCheck.object(),
  telemetry: optionCheck.anyOf('must be true, false or { tracer, meter }', optionCheck.boolean(), optionCheck.object()),
};

/** The configured proxy, else the environment's (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`). */
function proxyOf(c: ResolvedDockerHubConfig, env: NodeJS.ProcessEnv): ProxyOptions | false {
  if (c.proxy === false) return false;
  if (c.proxy === undefined) return proxyFromEnvironment(env) ?? false;
  return { url: c.proxy.url.reveal(), ...(c.proxy.noProxy === undefined ? {} : { noProxy: c.proxy.noProxy }) };
}

/** The configured TLS settings per registry, in the transport's form (the key stays a `Secret`). */
function tlsOf(c: ResolvedDockerHubConfig): Record<string, RegistryTlsOptions> {
  return Object.fromEntries(Object.entries(c.tls).map(([host, t]) => [host, { certDir: t.certDir, ca: t.ca, cert: t.cert, key: t.key }]));
}

/** The pool account named like a Docker Hub reference's namespace, if any. */
function ownerIn(pool: ReadonlyMap<string, unknown>, ref: ImageReference): string | undefined {
  const namespace = ref.repository.split('/')[0] ?? '';
  return ref.isDockerHub && pool.has(namespace) ? namespace : undefined;
}

function resolve(
  config: ResolvedDockerHubConfig | DockerHubConfigInput | undefined,
  env: NodeJS.ProcessEnv,
): ResolvedDockerHubConfig {
  if (config === undefined) return DockerHubConfig.fromEnv(env);
  return isResolvedConfig(config) ? config : parseConfig(config);
}

/**
 * The Docker Hub / OCI registry client: `manifests`, `tags`, `blobs` and `images` over one
 * resilient transport with automatic authentication.
 * @example
 * ```ts
 * const client = new DockerHubClient();                 // reads DOCKER_* from the environment
 * const { digest } = await client.manifests.get('alpine:3.19');
 * await client.close();
 * ```
 * @public
 */
export class DockerHubClient {
  /** The validated configuration. */
  readonly config: ResolvedDockerHubConfig;
  /** Manifests: get, head, getForPlatform, put, delete. */
  readonly manifests: ManifestsService;
  /** Tags: pages, list, delete, prune. */
  readonly tags: TagsService;
  /** Blobs: exists, get, upload, uploadChunked, mount. */
  readonly blobs: BlobsService;
  /** Whole images: pull, push, copy. */
  readonly images: ImagesService;
  /** Docker Hub API repositories: list, get, search, create, update, delete. */
  readonly repositories: RepositoriesService;
  /** Docker Hub personal access tokens: create (secret shown once), list, get, update, delete. */
  readonly accessTokens: AccessTokensService;
  /** Docker Hub organisations: members and groups (read only), organisation access tokens. */
  readonly orgs: OrgsService;
  /** Docker Hub API tag metadata (sizes, push times, per-platform digests) and Hub tag deletion. */
  readonly hubTags: HubTagsService;
  /** Vulnerability overviews from scan reports attached to images (referrers, attestations). */
  readonly vulnerabilities: VulnerabilitiesService;
  /** Artifacts referring to an image (signatures, SBOMs, attestations): list and tree. */
  readonly referrers: ReferrersService;
  /** OCI artifacts on their own: push files as a tagged artifact, pull an artifact's files. */
  readonly artifacts: ArtifactsService;
  /** Image indexes edited on the registry without pulling layers: create, add, remove, filter. */
  readonly indexes: IndexesService;
  readonly #rateLimits: RateLimitService;
  readonly #transport: Transport;
  readonly #auth: AuthMiddleware;
  readonly #ctx: ClientContext;
  readonly #credentials: CredentialProvider;
  readonly #stopTracing: () => void;
  readonly #telemetry: ServiceTelemetry;
  readonly #events: ClientEvents;
  #budget: PullBudget | undefined;

  /**
   * (1) validates the configuration (the environment when none is given), (2) builds the
   * transport from its resilience settings, (3) plugs in the auth middleware inside retry and
   * outside redirect, (4) creates the services over one shared context.
   * @param config - a configuration from `DockerHubConfig.*`, or a plain input object
   * @param deps - credentials, environment, clock and other seams
   * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} for an invalid configuration, or an unknown or wrongly typed key of `deps`
   */
  constructor(config?: ResolvedDockerHubConfig | DockerHubConfigInput, deps: ClientDeps = {}) {
    validateOptions('DockerHubClient deps', deps, DEPS_RULES);
    const env = deps.env ?? process.env;
    this.config = resolve(config, env);
    const c = this.config;
    this.#transport = createTransport({
      ...(c.dispatcher === undefined ? {} : { dispatcher: c.dispatcher }),
      proxy: proxyOf(c, env),
      tls: tlsOf(c),
      certsRoots: defaultCertsRoots(env),
      env,
      timeoutMs: c.resilience.timeoutSeconds * 1000,
      ...(c.resilience.totalTimeoutSeconds > 0 ? { totalTimeoutMs: c.resilience.totalTimeoutSeconds * 1000 } : {}),
      maxRetries: c.resilience.maxRetries,
      circuitBreaker: {
        failureThreshold: c.resilience.circuitBreaker.failureThreshold,
        successThreshold: c.resilience.circuitBreaker.successThreshold,
        resetTimeoutMs: c.resilience.circuitBreaker.resetTimeoutSeconds * 1000,
      },
      rateLimit: { lowThreshold: c.rateLimit.lowThreshold },
      maxConcurrentPerHost: Math.max(
        16,
        c.upload.maxConcurrentDownloads + c.upload.maxConcurrentUploads + 4,
      ),
      insecureHosts: c.insecureRegistries,
      userAgent: deps.userAgent ?? 'docker-hub-services',
      ...(deps.clock === undefined ? {} : { clock: deps.clock }),
      ...(deps.random === undefined ? {} : { random: deps.random }),
    });
    const transport = this.#transport;
    const { events, emitAuth, emitMirror } = createClientEvents(transport.events);
    this.#events = events;
    // The pool of Docker Hub accounts a pull budget spreads pulls over (`accounts`, DOCKER_HUB_ACCOUNTS_FILE).
    const pool = c.budget === undefined ? new Map<string, never>() : accountPool(c);
    this.#credentials = deps.credentials ?? createClientCredentials(c, env, pool);
    this.#auth = createAuthMiddleware({
      credentials: this.#credentials,
      transportNext: (req) => transport.request(req),
      insecureHosts: c.insecureRegistries,
      onEvent: emitAuth,
      ...(deps.clock === undefined ? {} : { clock: deps.clock }),
    });
    transport.use(this.#auth, { before: 'redirect' });
    if (c.budget !== undefined) {
      const log = deps.logger ?? console;
      const hub = createHubBudget(c.budget, {
        clock: deps.clock,
        credentials: this.#credentials,
        hubHost: new URL(c.registryUrl ?? DOCKER_HUB_REGISTRY_URL).host,
        accounts: [...pool.keys()],
        warn: (message) => {
          log.warn(message);
        },
      });
      this.#budget = hub.budget;
      // Inside retry (each attempt reserves), outside the breaker and connection limits (a wait
      // holds no connection and is no failure of the registry).
      transport.use(hub.middleware, { after: 'retry' });
    }
    this.#stopTracing = attachTracing(transport.events, c, deps.logger ?? console);
    const hubHost = new URL(c.registryUrl ?? DOCKER_HUB_REGISTRY_URL).host;
    this.#telemetry = ServiceTelemetry.create(transport, deps.telemetry, (registry) =>
      registry === 'docker.io' || registry === 'registry-1.docker.io' ? hubHost : registry.toLowerCase(),
    );
    this.#ctx = new ClientContext(transport, c, env, {
      telemetry: this.#telemetry,
      // A pool account owns the namespaces named like it: pushes and private pulls there use it.
      ...(pool.size === 0 ? {} : { accountFor: (ref: ImageReference) => ownerIn(pool, ref) }),
      onMirror: emitMirror,
      hubLogin: {
        credentials: this.#credentials,
        onEvent: emitAuth,
        ...(deps.onTwoFactor === undefined ? {} : { onTwoFactor: deps.onTwoFactor }),
      },
    });
    this.manifests = new ManifestsService(this.#ctx);
    const hubRateLimit = new HubRateLimitTracker();
    const hubOptions = {
      rateLimit: hubRateLimit,
      ...(deps.clock === undefined ? {} : { clock: deps.clock }),
    };
    this.repositories = new RepositoriesService(this.#ctx, hubOptions);
    this.hubTags = new HubTagsService(this.#ctx, hubOptions);
    this.accessTokens = new AccessTokensService(this.#ctx, hubOptions);
    this.orgs = new OrgsService(this.#ctx, hubOptions);
    this.tags = new TagsService(this.#ctx, this.manifests, {
      hubTags: this.hubTags,
      ...(deps.clock === undefined ? {} : { clock: deps.clock }),
    });
    this.blobs = new BlobsService(this.#ctx);
    this.images = new ImagesService(this.#ctx, { manifests: this.manifests, blobs: this.blobs });
    this.referrers = new ReferrersService(this.#ctx, { manifests: this.manifests, blobs: this.blobs });
    this.artifacts = new ArtifactsService(this.#ctx, { manifests: this.manifests, blobs: this.blobs });
    this.indexes = new IndexesService(this.#ctx, { manifests: this.manifests, blobs: this.blobs });
    this.vulnerabilities = new VulnerabilitiesService(this.#ctx, {
      manifests: this.manifests,
      blobs: this.blobs,
    });
    this.#rateLimits = new RateLimitService(this.#ctx, {
      hub: hubRateLimit,
      ...(deps.clock === undefined ? {} : { clock: deps.clock }),
    });
  }

  /**
   * Asks Docker Hub for the pull budget the documented way (a HEAD on `ratelimitpreview/test`,
   * which does not count as a pull).
   * @param options - what to do when the budget is spent, and the signal
   * @returns the limit, remaining pulls, window and source
   * @throws {@link @llmdevops/docker-hub-core!RateLimitError | RateLimitError} with `whenExhausted: 'fail'` (or a wait beyond `maxWaitMs`)
   */
  checkRateLimit(options?: CheckRateLimitOptions): Promise<PullRateLimit> {
    return this.#rateLimits.check(options);
  }

  /**
   * The shared pull budget's state (`budget` in the configuration): remaining pulls, reset,
   * waiters and in-flight reservations per registry and account, as every process using the same
   * store sees it.
   * @returns the state, or undefined when no budget is configured
   * @throws `NetworkError` (`BUDGET_STORE_UNAVAILABLE`) when the store (Redis, the file) fails
   */
  async budgetStatus(): Promise<BudgetStatus | undefined> {
    return this.#budget?.status();
  }

  /**
   * The Hub API's own budget (`X-RateLimit-*`), tracked apart from registry pull limits.
   * @returns the latest status, or undefined when the Hub API sent none
   */
  hubRateLimitStatus(): RateLimitStatus | undefined {
    return this.#rateLimits.hubStatus();
  }

  /**
   * Checks the credentials for a registry the way `docker login` does (`GET /v2/` answering its
   * challenge). For Docker Hub it also logs in to the Docker Hub API with the same account and
   * keeps that JWT for the Hub services (asking `onTwoFactor` for a code when the account
   * needs one). Optional: authentication is automatic; this only fails early.
   * @param options - registry host, signal
   * @returns the registry and account, and for Docker Hub when the Hub API JWT expires
   * @throws {@link @llmdevops/docker-hub-core!AuthenticationError | AuthenticationError} when there are no credentials, the registry or Docker Hub refuses them, or a 2FA code is missing or refused (`TWO_FACTOR_REQUIRED`)
   */
  async login(options: LoginOptions = {}): Promise<LoginResult> {
    const probe = ImageReference.parse(
      options.registry === undefined ? 'library/probe' : `${options.registry}/probe/probe`,
    );
    const base = this.#ctx.registryBase(probe);
    const credential = await this.#credentials(base.host, options.signal);
    if (credential.kind === 'anonymous') {
      throw new AuthenticationError(
        // The DOCKER_HUB_* variables only ever apply to Docker Hub's registry.
        probe.isDockerHub
          ? `no credentials for ${base.host}: set DOCKER_HUB_USERNAME and DOCKER_HUB_PASSWORD/DOCKER_HUB_ACCESS_TOKEN, or run docker login`
          : `no credentials for ${base.host}: run dhub login ${probe.registry} (or docker login ${probe.registry})`,
        {},
      );
    }
    const res = await this.#transport.request({
      method: 'GET',
      url: new URL('/v2/', base),
      headers: {},
      context: { operation: 'login' },
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    if (res.status !== 200) throw await errorFromResponse(res, `login to ${base.host}`);
    await res.dump();
    const hubExpiry = this.#ctx.usesHubApi(probe) ? await this.#hubLogin(options.signal) : undefined;
    return {
      registry: base.host,
      username: accountOf(credential),
      ...(hubExpiry === undefined ? {} : { hubSessionExpiresAt: new Date(hubExpiry) }),
    };
  }

  /** Obtains the Docker Hub API JWT of the client's session; its expiry, or undefined without one. */
  async #hubLogin(signal: AbortSignal | undefined): Promise<number | undefined> {
    const session = await this.#ctx.hubSession(signal);
    if (session === undefined) return undefined;
    await session.token(signal);
    return session.expiresAt;
  }

  /**
   * Events without secrets: the transport's (requests, retries, breaker changes, low rate limits)
   * and `auth` (registry challenges and tokens, Docker Hub API logins and JWT renewals, refusals).
   */
  get events(): ClientEvents {
    return this.#events;
  }

  /**
   * The latest rate-limit status seen (`ratelimit-limit`, `ratelimit-remaining`, `docker-ratelimit-source`).
   * @param host - `host[:port]`; default the host seen most recently
   * @returns the status, or undefined when no registry sent rate-limit headers
   */
  rateLimitStatus(host?: string): RateLimitStatus | undefined {
    return this.#transport.rateLimitStatus(host);
  }

  /**
   * Closes connections (an injected dispatcher is left to its owner), zeroes tokens and secrets,
   * and stops telemetry (the transport instrumentation and the vulnerabilities gauge).
   * @returns when closed
   */
  async close(): Promise<void> {
    this.#stopTracing();
    this.#telemetry.dispose();
    this.#auth.dispose();
    this.#ctx.dispose();
    await this.#budget?.close();
    await this.#transport.close();
  }

  /** Same as {@link DockerHubClient.close}, for `await using`. @returns when closed */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
