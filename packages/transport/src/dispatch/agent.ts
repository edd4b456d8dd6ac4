import { rootCertificates } from 'node:tls';
import { Agent } from 'undici';

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
}

/**
 * Creates the default dispatcher: an undici `Agent` with keep-alive, a per-origin connection
 * limit, TLS 1.2 minimum and certificate validation always on (a custom CA is added to the
 * system roots). No undici retry or redirect interceptors: policy lives in the middlewares.
 * @param options - timeouts, pool size and CA
 * @returns the agent
 * @public
 */
export function createDefaultAgent(options: DefaultAgentOptions): Agent {
  const extra = options.ca === undefined ? [] : typeof options.ca === 'string' ? [options.ca] : [...options.ca];
  return new Agent({
    connections: options.connectionsPerOrigin,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
    connect: {
      timeout: options.connectTimeoutMs,
      minVersion: 'TLSv1.2',
      rejectUnauthorized: true,
      ...(extra.length > 0 ? { ca: [...rootCertificates, ...extra] } : {}),
    },
  });
}
