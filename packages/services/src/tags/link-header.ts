/**
 * The `rel="next"` target of an RFC 8288 `Link` header, resolved against the request URL
 * (registries usually send a relative URL).
 * @param header - the `Link` header value, if any
 * @param base - the URL the response answered
 * @returns the next URL, or undefined when there is none or it is not http(s)
 * @internal
 */
export function nextLink(header: string | undefined, base: URL): URL | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>\s*(.*)$/.exec(part);
    if (m === null) continue;
    const params = m[2] ?? '';
    if (!/(?:^|;)\s*rel\s*=\s*"?(?:[^";]*\s)?next(?:\s[^";]*)?"?\s*(?:;|$)/i.test(params)) continue;
    try {
      const url = new URL(m[1] ?? '', base);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
