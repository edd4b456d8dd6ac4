/** What the recorder strips before anything is written. @public */
export interface RedactOptions {
  /** Request and response headers removed (lower case; defaults below are always removed). */
  readonly headers?: readonly string[];
  /** Query parameters replaced with `[REDACTED]`. */
  readonly queryParams?: readonly string[];
  /** JSON body fields (at any depth) replaced with `[REDACTED]`. */
  readonly bodyFields?: readonly string[];
}

/** The value written in place of a secret. @public */
export const REDACTED = '[REDACTED]';

const HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie'];
const QUERY = ['access_token', 'token', 'refresh_token', 'password', 'client_secret'];
const FIELDS = [
  'token',
  'access_token',
  'refresh_token',
  'login_2fa_token',
  'password',
  'secret',
  'identifier_token',
];

/**
 * Removes secret headers.
 * @param headers - the headers
 * @param options - extra names
 * @returns a copy without them
 * @internal
 */
export function redactHeaders(
  headers: Record<string, string>,
  options: RedactOptions = {},
): Record<string, string> {
  const drop = new Set([...HEADERS, ...(options.headers ?? []).map((h) => h.toLowerCase())]);
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !drop.has(k.toLowerCase())));
}

/**
 * Replaces token-like query parameters.
 * @param url - absolute URL
 * @param options - extra names
 * @returns the URL with those values replaced
 * @internal
 */
export function redactUrl(url: string, options: RedactOptions = {}): string {
  const u = new URL(url);
  for (const name of [...QUERY, ...(options.queryParams ?? [])]) {
    if (u.searchParams.has(name)) u.searchParams.set(name, REDACTED);
  }
  return u.toString();
}

function walk(value: unknown, fields: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => walk(v, fields));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      fields.has(k) && typeof v === 'string' ? REDACTED : walk(v, fields),
    ]),
  );
}

/**
 * Replaces secret fields in a JSON body (token endpoint and Hub login answers).
 * @param text - the body text
 * @param options - extra field names
 * @returns the redacted text (unchanged when not JSON)
 * @internal
 */
export function redactJsonBody(text: string, options: RedactOptions = {}): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  if (typeof value !== 'object' || value === null) return text;
  return JSON.stringify(walk(value, new Set([...FIELDS, ...(options.bodyFields ?? [])])));
}

/**
 * Lists which of the given secret values occur in a text (the final scan after writing).
 * @param text - e.g. a cassette file's content
 * @param secrets - values that must not appear
 * @returns the secrets found (by index, never echoed)
 * @public
 */
export function findSecrets(text: string, secrets: readonly string[]): number[] {
  return secrets.flatMap((s, i) => (s !== '' && text.includes(s) ? [i] : []));
}
