/** Request headers as Node (`IncomingHttpHeaders`) or Fetch (`Headers`) give them. @public */
export type WebhookHeaders =
  Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * Reads one header case-insensitively; repeated values are joined with `, ` as Fetch does.
 * @param headers - Node or Fetch headers
 * @param name - lower-case header name
 * @returns the value, or undefined when absent
 */
export function headerValue(headers: WebhookHeaders, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    return typeof value === 'string' ? value : value.join(', ');
  }
  return undefined;
}

/**
 * The media type of a `Content-Type` value, lower-cased and without parameters.
 * @param value - the header value
 * @returns e.g. `application/json`, or undefined when absent
 */
export function mediaTypeOf(value: string | undefined): string | undefined {
  const base = value?.split(';', 1)[0]?.trim().toLowerCase();
  return base === '' ? undefined : base;
}
