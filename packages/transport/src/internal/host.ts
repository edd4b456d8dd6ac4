import { isIP } from 'node:net';

/**
 * Whether a host name is loopback: `localhost` (and `*.localhost`), `127.0.0.0/8` or `::1`.
 * @param hostname - a host name as in `URL.hostname` (IPv6 may be bracketed)
 * @returns true for loopback hosts
 * @public
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const kind = isIP(host);
  if (kind === 4) return host.startsWith('127.');
  if (kind === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1' || host.startsWith('::ffff:127.') || host.startsWith('::ffff:7f');
  return false;
}

/**
 * The key breakers, limits and rate-limit status are kept under: `host[:port]`, lower case.
 * @param url - a request URL
 * @returns the host key
 * @internal
 */
export function hostKey(url: URL): string {
  return url.host.toLowerCase();
}

/**
 * A URL safe to put in events and errors: no credentials, no query, no fragment.
 * @param url - any URL
 * @returns `protocol//host/path`
 * @internal
 */
export function safeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}
