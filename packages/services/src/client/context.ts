import type { ImageReference } from '@llmdevops/docker-hub-core';
import { errorFromResponse, isLoopbackHost, type HttpMethod, type RequestBody, type Transport, type TransportResponse } from '@llmdevops/docker-hub-transport';
import { createHubLogin, resolveHubLogin, type AuthEventListener, type CredentialProvider, type HubSession, type TwoFactorCallback } from '@llmdevops/docker-hub-auth';
import type { ResolvedDockerHubConfig } from '../config/schema.js';
import { withSignal } from '../client/ref.js';
import { routeTemplate } from '../telemetry/route-template.js';
import { ServiceTelemetry } from './telemetry.js';
import { failoverReason, mirrorsFor, type MirrorEvent, type SkippedEndpoint } from './mirrors.js';

/** Docker Hub's registry when no `registryUrl` is configured. */
export const DOCKER_HUB_REGISTRY_URL = 'https://registry-1.docker.io';

/** What a registry request is about. @internal */
export interface RegistryCall {
  readonly method: HttpMethod;
  readonly ref: ImageReference;
  /** Path below `/v2/<name>/`, e.g. `manifests/latest`; or an absolute URL (upload locations, Link). */
  readonly path: string | URL;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: RequestBody;
  readonly signal?: AbortSignal | undefined;
  readonly operation: string;
  readonly actions?: readonly string[];
  readonly idempotent?: boolean;
  /** A GET whose body is continued with `Range` when the connection breaks (blob downloads). */
  readonly resume?: boolean;
}

/** How the client's Docker Hub API session finds its account and reports. @internal */
export interface HubLoginSeams {
  /** The client's credential provider: the Hub session logs in with its Docker Hub credentials. */
  readonly credentials?: CredentialProvider;
  /** Supplies the one-time code when the Hub login answers with a 2FA challenge. */
  readonly onTwoFactor?: TwoFactorCallback;
  /** Receives the session's login events and those of Hub calls. */
  readonly onEvent?: AuthEventListener;
}

/**
 * What every service shares: the transport, the configuration and registry selection.
 * @internal
 */
export class ClientContext {
  readonly transport: Transport;
  readonly config: ResolvedDockerHubConfig;
  /** Operation spans and service metrics (off unless the client turned them on). */
  readonly telemetry: ServiceTelemetry;
  readonly #insecure: ReadonlySet<string>;
  /** Registry (`''` for Docker Hub) -> base URL text, and whether plain HTTP was chosen only by host policy. */
  readonly #bases = new Map<string, { readonly href: string; readonly httpsFirst: boolean }>();
  /** Pull mirrors by registry (lower case). */
  readonly #mirrors: Readonly<Record<string, readonly string[]>>;
  readonly #onMirror: ((event: MirrorEvent) => void) | undefined;
  readonly #accountFor: ((ref: ImageReference) => string | undefined) | undefined;
  readonly #env: NodeJS.ProcessEnv;
  #hub: Promise<HubSession | undefined> | undefined;
  readonly #hubLogin: HubLoginSeams;
  /** Receives the auth events of Hub API calls (`HubContext`). */
  readonly onAuthEvent: AuthEventListener | undefined;

  constructor(
    transport: Transport,
    config: ResolvedDockerHubConfig,
    env: NodeJS.ProcessEnv,
    seams: {
      readonly telemetry?: ServiceTelemetry;
      readonly hubLogin?: HubLoginSeams;
      readonly onMirror?: (event: MirrorEvent) => void;
      /** The pool account a request for a reference must use (its namespace's owner), if any. */
      readonly accountFor?: (ref: ImageReference) => string | undefined;
    } = {},
  ) {
    const telemetry = seams.telemetry ?? ServiceTelemetry.off;
    this.#hubLogin = seams.hubLogin ?? {};
    this.onAuthEvent = this.#hubLogin.onEvent;
    this.transport = transport;
    this.config = config;
    this.telemetry = telemetry;
    this.#env = env;
    this.#insecure = new Set(config.insecureRegistries.map((h) => h.toLowerCase()));
    this.#mirrors = Object.fromEntries(Object.entries(config.mirrors).map(([registry, urls]) => [registry.toLowerCase(), urls]));
    this.#onMirror = seams.onMirror;
    this.#accountFor = seams.accountFor;
  }

  /**
   * Whether tag deletes for a reference go through the Docker Hub API: Docker Hub references,
   * unless the registry was redirected (`registryUrl`) while the Hub API was not (`hubUrl` default).
   * @param ref - the reference
   * @returns true to use the Hub API
   */
  usesHubApi(ref: ImageReference): boolean {
    if (!ref.isDockerHub) return false;
    return this.config.registryUrl === undefined || this.config.hubUrl !== 'https://hub.docker.com';
  }

  /**
   * The Docker Hub API session, created once: with the client's credential provider, the Docker
   * Hub account it gives for Docker Hub's registry (username and password or access token);
   * without one, configured credentials, else those in the environment or Docker's `config.json`.
   * A failed credential lookup is not kept, so the next call tries again.
   * @param signal - cancels reading credentials
   * @returns the session, or undefined without usable credentials
   */
  async hubSession(signal?: AbortSignal): Promise<HubSession | undefined> {
    this.#hub ??= this.#createHubSession(signal).catch((err: unknown) => {
      this.#hub = undefined;
      throw err;
    });
    return this.#hub;
  }

  async #createHubSession(signal: AbortSignal | undefined): Promise<HubSession | undefined> {
    const { credentials, onTwoFactor, onEvent } = this.#hubLogin;
    const common = {
      hubUrl: this.config.hubUrl,
      send: (req: Parameters<Transport['request']>[0]): ReturnType<Transport['request']> => this.transport.request(req),
      ...(onTwoFactor === undefined ? {} : { onTwoFactor }),
      ...(onEvent === undefined ? {} : { onEvent }),
    };
    if (credentials !== undefined) {
      const hubRegistry = new URL(this.config.registryUrl ?? DOCKER_HUB_REGISTRY_URL).host;
      const credential = await credentials(hubRegistry, signal);
      return credential.kind === 'basic' ? createHubLogin({ ...common, identifier: credential.username, secret: credential.password }) : undefined;
    }
    const { username, password, accessToken } = this.config.auth;
    const secret = accessToken ?? password;
    if (username !== undefined && secret !== undefined) return createHubLogin({ ...common, identifier: username, secret });
    return resolveHubLogin({ ...common, env: this.#env, ...withSignal(signal) });
  }

  /** Zeroes the Hub session's secrets. */
  dispose(): void {
    void this.#hub?.then((s) => s?.dispose(), () => undefined);
  }

  /**
   * The registry base URL for a reference: `docker.io` goes to `registryUrl` (or Docker Hub's
   * registry); other registries are used as named, over HTTP only for loopback or insecure hosts.
   * @param ref - the reference
   * @returns the base URL (origin)
   */
  registryBase(ref: ImageReference): URL {
    return new URL(this.#baseHref(ref));
  }

  /** The base URL's text per registry, worked out once (scheme choice included). */
  #baseHref(ref: ImageReference): string {
    return this.#base(ref).href;
  }

  #base(ref: ImageReference): { readonly href: string; readonly httpsFirst: boolean } {
    const key = ref.isDockerHub ? '' : ref.registry;
    let base = this.#bases.get(key);
    if (base === undefined) {
      if (ref.isDockerHub) {
        base = { href: new URL(this.config.registryUrl ?? DOCKER_HUB_REGISTRY_URL).href, httpsFirst: false };
      } else {
        const host = ref.registry.toLowerCase();
        const hostname = new URL(`http://${host}`).hostname;
        // Loopback and insecure hosts may use plain HTTP; the transport tries HTTPS first for them.
        const plain = isLoopbackHost(hostname) || this.#insecure.has(host) || this.#insecure.has(hostname);
        base = { href: new URL(`${plain ? 'http' : 'https'}://${host}`).href, httpsFirst: plain };
      }
      if (this.#bases.size >= 256) this.#bases.clear();
      this.#bases.set(key, base);
    }
    return base;
  }

  /**
   * Whether a registry request to `url` is on the reference's base chosen as plain HTTP only by
   * host policy, so the transport may use HTTPS when the port speaks it.
   * @param ref - the reference
   * @param url - the request URL
   * @returns true to mark the request `httpsFirst`
   */
  httpsFirst(ref: ImageReference, url: URL): boolean {
    const base = this.#base(ref);
    return base.httpsFirst && url.protocol === 'http:' && new URL(base.href).host === url.host;
  }

  /**
   * Whether two references live on the same registry endpoint (mounts are possible).
   * @param a - one reference
   * @param b - another
   * @returns true when both resolve to one origin
   */
  sameRegistry(a: ImageReference, b: ImageReference): boolean {
    return this.registryBase(a).origin === this.registryBase(b).origin;
  }

  /**
   * A URL below `/v2/<name>/`.
   * @param ref - the repository
   * @param path - e.g. `manifests/latest`
   * @returns the URL
   */
  url(ref: ImageReference, path: string): URL {
    return new URL(`/v2/${ref.repository}/${path}`, this.#baseHref(ref));
  }

  /**
   * Sends a registry request with auth scope hints.
   * @param call - the request
   * @returns the response (any status)
   */
  async send(call: RegistryCall): Promise<TransportResponse> {
    const mirrors = typeof call.path === 'string' ? mirrorsFor(this.#mirrors, call.ref, call.method, call.path) : [];
    if (mirrors.length > 0 && typeof call.path === 'string') return this.#mirrored(call, call.path, mirrors);
    return this.#send(call, call.path instanceof URL ? call.path : this.url(call.ref, call.path));
  }

  /**
   * A pull request tried on each mirror in order, then on the registry itself: the next endpoint
   * is tried when one fails as {@link failoverReason} says (after the transport's own retries).
   * Reports which endpoint served it (`mirror` event).
   */
  async #mirrored(call: RegistryCall, path: string, mirrors: readonly string[]): Promise<TransportResponse> {
    const skipped: SkippedEndpoint[] = [];
    const report = (endpoint: string, mirror: boolean): void => {
      try {
        this.#onMirror?.({ type: 'served', registry: call.ref.registry, repository: call.ref.repository, path, endpoint, mirror, skipped: [...skipped] });
      } catch {
        // A failing listener must not fail the pull it observes.
      }
    };
    for (const mirror of mirrors) {
      const url = new URL(`/v2/${call.ref.repository}/${path}`, mirror);
      let res: TransportResponse;
      try {
        res = await this.#send(call, url);
      } catch (err) {
        const reason = failoverReason({ error: err });
        if (reason === undefined) throw err;
        skipped.push({ endpoint: url.origin, reason });
        continue;
      }
      const reason = failoverReason({ status: res.status });
      if (reason === undefined) {
        report(url.origin, true);
        return res;
      }
      await res.dump();
      skipped.push({ endpoint: url.origin, reason });
    }
    const url = this.url(call.ref, path);
    const res = await this.#send(call, url);
    report(url.origin, false);
    return res;
  }

  async #send(call: RegistryCall, url: URL): Promise<TransportResponse> {
    const account = this.#accountFor?.(call.ref);
    return this.transport.request({
      method: call.method,
      url,
      headers: call.headers ?? {},
      ...(call.body === undefined ? {} : { body: call.body }),
      ...withSignal(call.signal),
      ...(call.idempotent === undefined ? {} : { idempotent: call.idempotent }),
      context: {
        operation: call.operation,
        repository: call.ref.repository,
        actions: call.actions ?? (call.method === 'GET' || call.method === 'HEAD' ? ['pull'] : call.method === 'DELETE' ? ['delete'] : ['pull', 'push']),
        // The path's template (`/v2/{name}/manifests/{reference}`, ...): what the dashboard,
        // the alerts and the pulls/pushes counters select on; never a name, tag or digest.
        route: routeTemplate(url.pathname),
        ...(call.resume === true ? { resume: true } : {}),
        // Pushes and private pulls in a pool account's namespace go as that account.
        ...(account === undefined ? {} : { account }),
        ...(this.httpsFirst(call.ref, url) ? { httpsFirst: true } : {}),
      },
    });
  }

  /**
   * Runs a request-and-read step again under the transport's retry policy when it fails, for
   * example when the connection breaks while the body is read (the retry middleware covers
   * failures before the response headers; the step's requests share its retry budget).
   * @param what - names the step in events and errors
   * @param signal - stops retrying and ends waits
   * @param step - sends a request and reads its body
   * @returns the step's result
   * @throws the step's last error once the policy stops retrying
   */
  async retrying<T>(what: string, signal: AbortSignal | undefined, step: () => Promise<T>): Promise<T> {
    return this.transport.retrying(step, { what, signal });
  }

  /**
   * Sends a request and turns any status outside `ok` into the matching typed error.
   * @param call - the request
   * @param ok - accepted statuses
   * @param what - what is being done, for the error message
   * @returns the response
   * @throws the `core` error matching the status and registry code
   */
  async expect(call: RegistryCall, ok: readonly number[], what: string): Promise<TransportResponse> {
    const res = await this.send(call);
    if (!ok.includes(res.status)) throw await errorFromResponse(res, what);
    return res;
  }
}
