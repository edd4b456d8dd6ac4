import { Agent, ProxyAgent, type Dispatcher } from 'undici';
import { ProxyRouter, proxyFromEnvironment, type ProxyOptions } from './proxy.js';
import { tlsConnectOptions } from './tls.js';

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
}

/**
 * Creates the default dispatcher: an undici `Agent` with keep-alive, a per-origin connection
 * limit, TLS 1.2 minimum and certificate validation always on (a custom CA is added to the
 * system roots). No undici retry or redirect interceptors: policy lives in the middlewares.
 * With a proxy, requests go through undici `ProxyAgent`s with the same settings (HTTPS tunnelled
 * with `CONNECT`), except hosts its `noProxy` list exempts, which go through the plain agent.
 * @param options - timeouts, pool size, CA and proxy
 * @returns the dispatcher
 * @public
 */
export function createDefaultAgent(options: DefaultAgentOptions): Dispatcher {
  const tls = tlsConnectOptions({ ca: options.ca });
  const settings = {
    connections: options.connectionsPerOrigin,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
    connect: { timeout: options.connectTimeoutMs, ...tls },
  } satisfies Agent.Options;
  const direct = new Agent(settings);
  const proxy = options.proxy === 'env' || (options.proxy === undefined && options.proxyFromEnv === true) ? proxyFromEnvironment(process.env) : options.proxy;
  if (proxy === undefined || proxy === false || (proxy.url === undefined && proxy.httpUrl === undefined)) return direct;
  return new ProxyRouter(direct, proxy, (uri) =>
    new ProxyAgent({
      uri,
      connections: options.connectionsPerOrigin,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
      requestTls: { timeout: options.connectTimeoutMs, ...tls },
      proxyTls: { timeout: options.connectTimeoutMs, ...tls },
    }),
  );
}
