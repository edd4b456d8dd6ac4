import { Agent, EnvHttpProxyAgent, type Dispatcher } from 'undici';
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
  /** Route through the proxy named by `HTTPS_PROXY` / `HTTP_PROXY`, honouring `NO_PROXY` (default false). */
  readonly proxyFromEnv?: boolean;
}

/**
 * Creates the default dispatcher: an undici `Agent` with keep-alive, a per-origin connection
 * limit, TLS 1.2 minimum and certificate validation always on (a custom CA is added to the
 * system roots). No undici retry or redirect interceptors: policy lives in the middlewares.
 * With `proxyFromEnv`, an `EnvHttpProxyAgent` with the same settings is returned instead.
 * @param options - timeouts, pool size, CA and proxy use
 * @returns the dispatcher
 * @public
 */
export function createDefaultAgent(options: DefaultAgentOptions): Dispatcher {
  const settings = {
    connections: options.connectionsPerOrigin,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
    connect: { timeout: options.connectTimeoutMs, ...tlsConnectOptions({ ca: options.ca }) },
  } satisfies Agent.Options;
  return options.proxyFromEnv === true ? new EnvHttpProxyAgent(settings) : new Agent(settings);
}
