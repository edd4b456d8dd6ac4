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
