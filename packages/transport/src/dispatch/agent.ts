import { Agent, ProxyAgent, type Dispatcher } from 'undici';
import { HostTls, type HostTlsSettings, type RegistryTlsOptions } from './certs-dir.js';
import { ProxyRouter, proxyFromEnvironment, type ProxyOptions } from './proxy.js';
import { OriginRouter } from './router.js';
import { tlsConnectOptions, type TlsSettings } from './tls.js';

/** Options of the default undici `Agent`. @public */
export interface DefaultAgentOptions {
  /** Connect timeout in ms. */
  readonly connectTimeoutMs: number;
  /** Connections per origin (keep-alive pool size). */
  readonly connectionsPerOrigin: number;
  /** Extra trusted CA certificates (PEM), added to Node's root store, never replacing it. */
  readonly ca?: string | readonly string[] | undefined;
  /** Keep-alive timeout in ms (default 30 000). */
  readonly keepAliveTimeoutMs?: number;
  /**
   * A forward proxy: `{ url, httpUrl, noProxy }`, or `'env'` for `HTTPS_PROXY` / `HTTP_PROXY` /
   * `NO_PROXY` of `process.env` (default: no proxy).
   */
  readonly proxy?: ProxyOptions | 'env' | false | undefined;
  /** Same as `proxy: 'env'` (kept for existing callers). */
  readonly proxyFromEnv?: boolean;
  /** TLS settings per registry host (`host[:port]`): certs directory, CA, client certificate and key. */
  readonly tls?: Readonly<Record<string, RegistryTlsOptions>> | undefined;
  /**
   * Certs directory roots searched for a `HOST[:PORT]/` folder (`ca.crt`, `client.cert`,
   * `client.key`), first match wins; default none (`defaultCertsRoots()` gives Docker's and Podman's).
   */
  readonly certsRoots?: readonly string[] | undefined;
  /** Environment for `NODE_EXTRA_CA_CERTS` and the `'env'` proxy (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv | undefined;
}

/** Sends HTTPS requests of hosts with their own CAs or client certificate through an agent made for that host. */
class HostTlsRouter extends OriginRouter {
  readonly #shared: Dispatcher;
  readonly #tls: HostTls;
  readonly #make: (host: HostTlsSettings) => Dispatcher;
  readonly #byHost = new Map<string, Dispatcher>();

  constructor(shared: Dispatcher, tls: HostTls, make: (host: HostTlsSettings) => Dispatcher) {
    super();
    this.#shared = shared;
    this.#tls = tls;
    this.#make = make;
  }

  protected route(origin: Dispatcher.DispatchOptions['origin']): Dispatcher {
    if (origin === undefined) return this.#shared;
    const url = typeof origin === 'string' ? new URL(origin) : origin;
    if (url.protocol !== 'https:') return this.#shared;
    const host = url.host.toLowerCase();
    let dispatcher = this.#byHost.get(host);
    if (dispatcher === undefined) {
      const settings = this.#tls.settingsFor(host);
      dispatcher = settings.ca.length === 0 && settings.cert === undefined ? this.#shared : this.#make(settings);
      this.#byHost.set(host, dispatcher);
    }
    return dispatcher;
  }

  protected dispatchers(): Dispatcher[] {
    return [...new Set([this.#shared, ...this.#byHost.values()])];
  }
}

/**
 * Builds the default dispatcher over given per-host TLS settings (the transport shares them with
 * its error diagnosis and scheme choice).
 * @param options - timeouts, pool size, CA and proxy
 * @param hostTls - per-host TLS settings
 * @returns the dispatcher
 * @internal
 */
export function createAgentWith(options: DefaultAgentOptions, hostTls: HostTls): Dispatcher {
  const env = options.env ?? process.env;
  const proxy = options.proxy === 'env' || (options.proxy === undefined && options.proxyFromEnv === true) ? proxyFromEnvironment(env) : options.proxy;
  const make = (settings: TlsSettings): Dispatcher => {
    const tls = tlsConnectOptions(settings);
    const direct = new Agent({
      connections: options.connectionsPerOrigin,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
      connect: { timeout: options.connectTimeoutMs, ...tls },
    });
    if (proxy === undefined || proxy === false || (proxy.url === undefined && proxy.httpUrl === undefined)) return direct;
    const proxyTls = tlsConnectOptions({ ca: settings.ca, env: settings.env });
    return new ProxyRouter(direct, proxy, (uri) =>
      new ProxyAgent({
        uri,
        connections: options.connectionsPerOrigin,
        keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
        requestTls: { timeout: options.connectTimeoutMs, ...tls },
        proxyTls: { timeout: options.connectTimeoutMs, ...proxyTls },
      }),
    );
  };
  const shared = make({ ca: options.ca, env });
  if (hostTls.empty) return shared;
  return new HostTlsRouter(shared, hostTls, (host) => make({ ca: options.ca, host, env }));
}

/**
 * Creates the default dispatcher: an undici `Agent` with keep-alive, a per-origin connection
 * limit, TLS 1.2 minimum and certificate validation always on (a custom CA is added to the
 * system roots). No undici retry or redirect interceptors: policy lives in the middlewares.
 * With a proxy, requests go through undici `ProxyAgent`s with the same settings (HTTPS tunnelled
 * with `CONNECT`), except hosts its `noProxy` list exempts, which go through the plain agent.
 * A host with its own CAs or client certificate (`tls`, or a `HOST[:PORT]` folder under one of
 * `certsRoots`) gets agents of its own with those added.
 * @param options - timeouts, pool size, CA, proxy and per-host TLS
 * @returns the dispatcher
 * @public
 */
export function createDefaultAgent(options: DefaultAgentOptions): Dispatcher {
  return createAgentWith(options, new HostTls(options.tls, options.certsRoots));
}
