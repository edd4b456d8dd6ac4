/**
 * One challenge of a `WWW-Authenticate` header: the scheme (lower-cased) and its parameters
 * (keys lower-cased, values unquoted and unescaped).
 * @public
 */
export interface AuthChallenge {
  /** Scheme in lower case: `bearer`, `basic`, or any other scheme the server named. */
  readonly scheme: string;
  /** Parameters by lower-cased name, e.g. `realm`, `service`, `scope`, `error`. */
  readonly params: Readonly<Record<string, string>>;
}

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/]/;

/** A tiny cursor over the header text; every method is total (never throws). */
class Cursor {
  pos = 0;
  constructor(readonly text: string) {}

  done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string {
    return this.text.charAt(this.pos);
  }

  skipSpace(): void {
    while (!this.done() && (this.peek() === ' ' || this.peek() === '\t')) this.pos++;
  }

  skipSpaceAndCommas(): void {
    while (!this.done() && /[\s,]/.test(this.peek())) this.pos++;
  }

  token(): string {
    const start = this.pos;
    while (!this.done() && TOKEN_CHAR.test(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** An unquoted value: lenient, anything up to a comma, whitespace or quote (servers send `scope=a:b:c`). */
  bare(): string {
    const start = this.pos;
    while (!this.done() && !/[\s,"]/.test(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** A quoted string after the opening quote; `\x` yields `x`. Undefined when unterminated. */
  quoted(): string | undefined {
    this.pos++; // opening quote
    let out = '';
    while (!this.done()) {
      const c = this.peek();
      this.pos++;
      if (c === '"') return out;
      if (c === '\\') {
        if (this.done()) return undefined;
        out += this.peek();
        this.pos++;
      } else {
        out += c;
      }
    }
    return undefined;
  }

  /** Whether the text at the cursor is `token [ws] =` but not a token68 ending in `=`. */
  atParam(): boolean {
    const rest = this.text.slice(this.pos);
    return /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+[ \t]*=(?!=*[ \t]*(,|$))/.test(rest);
  }
}

function parseParams(cur: Cursor, params: Map<string, string>): boolean {
  // Returns false when the header is malformed beyond recovery.
  for (;;) {
    cur.skipSpaceAndCommas();
    if (cur.done() || !cur.atParam()) return true;
    const key = cur.token().toLowerCase();
    cur.skipSpace();
    cur.pos++; // '='
    cur.skipSpace();
    let value: string | undefined;
    if (cur.peek() === '"') value = cur.quoted();
    else value = cur.bare();
    if (value === undefined) return false;
    if (!params.has(key)) params.set(key, value);
    cur.skipSpace();
    if (!cur.done() && cur.peek() !== ',') return false;
  }
}

function skipToken68(cur: Cursor): void {
  const start = cur.pos;
  while (!cur.done() && TOKEN68_CHAR.test(cur.peek())) cur.pos++;
  while (!cur.done() && cur.peek() === '=') cur.pos++;
  cur.skipSpace();
  if (!cur.done() && cur.peek() !== ',') cur.pos = start;
}

function parseOne(text: string, out: AuthChallenge[]): void {
  const cur = new Cursor(text);
  for (;;) {
    cur.skipSpaceAndCommas();
    if (cur.done()) return;
    const scheme = cur.token();
    if (scheme === '') return;
    const params = new Map<string, string>();
    if (!cur.done() && cur.peek() !== ',' && !/\s/.test(cur.peek())) return;
    cur.skipSpace();
    if (!cur.atParam()) skipToken68(cur);
    // A damaged challenge is dropped (a half-read realm must never be used); earlier ones stay.
    if (!parseParams(cur, params)) return;
    out.push({ scheme: scheme.toLowerCase(), params: Object.fromEntries(params) });
  }
}

/**
 * Parses a `WWW-Authenticate` header (RFC 7235 / RFC 6750 syntax) into its challenges. Handles
 * several challenges in one header and repeated headers, case-insensitive schemes and parameter
 * names, and quoted values containing commas, spaces and backslash escapes
 * (`scope="repository:a/b:pull,push"`). Never throws: a damaged challenge is dropped, so
 * garbage yields `[]` (complete challenges before the damage are kept).
 * @param header - the header value, or every value when it was repeated
 * @returns the challenges in order
 * @example
 * ```ts
 * parseWwwAuthenticate('Bearer realm="https://auth.docker.io/token",service="registry.docker.io"');
 * // [{ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io' } }]
 * ```
 * @public
 */
export function parseWwwAuthenticate(
  header: string | readonly string[] | undefined | null,
): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  if (header == null) return out;
  const values = typeof header === 'string' ? [header] : header;
  for (const value of values) {
    if (typeof value !== 'string') continue;
    parseOne(value, out);
  }
  return out;
}

/**
 * Picks the challenge this package can answer: Bearer first (with a realm), then Basic.
 * @param challenges - parsed challenges
 * @returns the preferred challenge, or undefined when none is usable
 * @public
 */
export function selectChallenge(challenges: readonly AuthChallenge[]): AuthChallenge | undefined {
  return (
    challenges.find((c) => c.scheme === 'bearer' && typeof c.params['realm'] === 'string') ??
    challenges.find((c) => c.scheme === 'basic')
  );
}
