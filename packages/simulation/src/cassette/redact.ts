/** What the recorder strips before anything is written, on top of the built-in rules. @public */
export interface RedactOptions {
  /** Extra header names whose values are replaced with `[REDACTED]` (any case). */
  readonly headers?: readonly string[];
  /** Extra query and form parameter names whose values are replaced (any case). */
  readonly queryParams?: readonly string[];
  /** Extra JSON field names (at any depth, any case) whose values are replaced. */
  readonly bodyFields?: readonly string[];
}

/** The value written in place of a secret. @public */
export const REDACTED = '[REDACTED]';

/** Headers never written: credentials and the volatile `Date`. */
const DROPPED_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'date',
]);
/** Header names that carry a credential in the value (the value becomes `[REDACTED]`). */
const SECRET_HEADERS = new Set(['x-registry-auth', 'x-registry-config', 'x-registry-token']);
/** Names (query, form, JSON, auth-param) that carry a secret whatever their case and separators. */
const SECRET_WORD = /token|passw|secret|api[-_]?key|credential|signature|session|cookie/i;
const SECRET_EXACT = new Set(['auth', 'authorization', 'key', 'sig', 'verify', 'otp', 'pat']);

const JWT = /eyJ[\w-]{4,}\.[\w-]+\.[\w-]*/g;
const SCHEME_CREDENTIAL = /\b(Bearer|Basic)(\s+)[\w.~+/-]+=*(?=[\s,;]|$)/gi;
const AUTH_PARAM = /([\w-]+)(\s*=\s*)"([^"]*)"/g;
const PAIR = /(^|[?&;,\s])([\w.%-]+)=([^&#\s"',;]+)/g;
const FORM = /^[\w.%*-]+=[^&\s]*(?:&[\w.%*-]+=[^&\s]*)*$/;

function lowerSet(names: readonly string[] | undefined): ReadonlySet<string> {
  return new Set((names ?? []).map((n) => n.toLowerCase()));
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

/**
 * Whether a parameter, field or auth-param name carries a secret (any case, `_` or `-`).
 * @param name - the name
 * @param extra - extra lower-case names to treat as secret
 * @returns true when its value must be redacted
 * @internal
 */
export function isSecretName(name: string, extra: ReadonlySet<string> = new Set()): boolean {
  const lower = name.toLowerCase();
  return extra.has(lower) || SECRET_EXACT.has(lower) || SECRET_WORD.test(lower);
}

/**
 * Redacts secrets found by shape in free text: JWTs, `Bearer`/`Basic` credentials, quoted
 * auth-params (`token="…"`) and `name=value` pairs (query strings, form bodies) with a secret name.
 * @param text - a header value, URL or non-JSON body
 * @param options - extra names
 * @returns the text with those values replaced by `[REDACTED]`
 * @internal
 */
export function redactText(text: string, options: RedactOptions = {}): string {
  const names = lowerSet([...(options.queryParams ?? []), ...(options.bodyFields ?? [])]);
  return text
    .replace(JWT, REDACTED)
    .replace(
      SCHEME_CREDENTIAL,
      (_m, scheme: string, space: string) => `${scheme}${space}${REDACTED}`,
    )
    .replace(AUTH_PARAM, (m, name: string, eq: string) =>
      isSecretName(name, names) ? `${name}${eq}"${REDACTED}"` : m,
    )
    .replace(PAIR, (m, lead: string, name: string) =>
      isSecretName(decodeName(name), names) ? `${lead}${name}=${REDACTED}` : m,
    );
}

/**
 * Redacts recorded headers: credentials and `Date` are dropped, credential-carrying headers
 * (`X-Registry-Auth`, names like `*-token`, `*-key`) keep their name with the value replaced, and
 * every other value has secrets found by shape replaced (`Location: …?token=`, `WWW-Authenticate …
 * token="…"`).
 * @param headers - lower- or mixed-case names and values
 * @param options - extra names
 * @returns a new object with lower-case names
 * @internal
 */
export function redactHeaders(
  headers: Readonly<Record<string, string>>,
  options: RedactOptions = {},
): Record<string, string> {
  const extra = lowerSet(options.headers);
  const out: Record<string, string> = {};
  for (const [rawName, value] of Object.entries(headers)) {
    const name = rawName.toLowerCase();
    if (DROPPED_HEADERS.has(name)) continue;
    const secret =
      extra.has(name) ||
      SECRET_HEADERS.has(name) ||
      SECRET_WORD.test(name) ||
      /-(?:auth|key)$/.test(name);
    out[name] = secret ? REDACTED : redactText(value, options);
  }
  return out;
}

/**
 * Replaces secret query parameter values (any case) in a URL's search params, in place.
 * @param params - the parameters
 * @param options - extra names
 * @internal
 */
export function redactSearchParams(params: URLSearchParams, options: RedactOptions = {}): void {
  const extra = lowerSet(options.queryParams);
  for (const name of new Set(params.keys())) {
    if (isSecretName(name, extra)) {
      const count = params.getAll(name).length;
      params.delete(name);
      for (let i = 0; i < count; i++) params.append(name, REDACTED);
    } else {
      const values = params.getAll(name);
      params.delete(name);
      for (const v of values) params.append(name, redactText(v, options));
    }
  }
}

function redactAll(value: unknown): unknown {
  if (typeof value === 'string') return value === '' ? value : REDACTED;
  if (Array.isArray(value)) return value.map(redactAll);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactAll(v)]));
  return value;
}

function walk(value: unknown, fields: ReadonlySet<string>, options: RedactOptions): unknown {
  if (typeof value === 'string') return redactText(value, options);
  if (Array.isArray(value)) return value.map((v) => walk(v, fields, options));
  if (typeof value !== 'object' || value === null) return value;
  // A token's `issued_at` changes on every run; without it clients take the token as issued on
  // receipt (an old fixed time would make them think it expired and fetch it again and again).
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => k.toLowerCase() !== 'issued_at')
      .map(([k, v]) => [k, isSecretName(k, fields) ? redactAll(v) : walk(v, fields, options)]),
  );
}

const MAX_JSON_DEPTH = 256;

/** The deepest bracket nesting of a JSON text (brackets inside strings ignored). */
function nesting(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') max = Math.max(max, ++depth);
    else if (c === '}' || c === ']') depth--;
  }
  return max;
}

/**
 * Redacts a JSON document: secret field names at any depth and in any case (`Token`,
 * `identitytoken`, `auth`, `password`…) lose their values, the volatile token `issued_at` is dropped, and
 * every string is scanned for secrets by shape.
 * @param text - the body text
 * @param options - extra field names
 * @returns the redacted text, the original text when nothing changed, `"[REDACTED]"` for JSON
 * nested deeper than 256 levels, or `undefined` when not JSON
 * @internal
 */
export function redactJsonText(text: string, options: RedactOptions = {}): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  // No registry, token or Hub API answer nests this deep; walking it could exhaust the stack.
  if (nesting(text) > MAX_JSON_DEPTH) return JSON.stringify(REDACTED);
  const redacted = JSON.stringify(walk(value, lowerSet(options.bodyFields), options));
  return redacted === JSON.stringify(value) ? text : redacted;
}

/**
 * Redacts any body text: JSON by structure, anything else (form bodies, plain text) by shape.
 * @param text - the body text
 * @param options - extra names
 * @returns the redacted text (the same string when nothing was found)
 * @internal
 */
export function redactBodyText(text: string, options: RedactOptions = {}): string {
  const json = redactJsonText(text, options);
  if (json !== undefined) return json;
  if (FORM.test(text.trim())) {
    const names = lowerSet([...(options.queryParams ?? []), ...(options.bodyFields ?? [])]);
    return text.replace(/(^|&)([^=&]+)=([^&]*)/g, (m, lead: string, name: string) =>
      isSecretName(decodeName(name), names) ? `${lead}${name}=${REDACTED}` : m,
    );
  }
  return redactText(text, options);
}

/**
 * Decodes bytes as UTF-8 text when they round-trip exactly.
 * @param bytes - the bytes
 * @returns the text, or `undefined` for binary content
 * @internal
 */
export function asText(bytes: Buffer): string | undefined {
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : undefined;
}

/**
 * Lists which of the given secret values occur in a text, as written or inside any base64 or
 * base64url run of it (the final scan of a cassette file: bodies stored as base64 included).
 * @param text - e.g. a cassette file's content
 * @param secrets - values that must not appear
 * @returns the secrets found (by index, never echoed)
 * @public
 */
export function findSecrets(text: string, secrets: readonly string[]): number[] {
  const decoded = (text.match(/[A-Za-z0-9+/_-]{8,}={0,2}/g) ?? []).flatMap((run) => [
    Buffer.from(run, 'base64').toString('utf8'),
    Buffer.from(run, 'base64url').toString('utf8'),
  ]);
  const haystacks = [text, ...decoded];
  return secrets.flatMap((s, i) => (s !== '' && haystacks.some((h) => h.includes(s)) ? [i] : []));
}
