/** How recorded requests are matched on replay (Polly's `matchRequestsBy`). @public */
export interface MatchOptions {
  /** Headers compared (default `accept`, `content-type`, `range`). */
  readonly headers?: readonly string[];
  /** Query parameters dropped before comparing URLs (default `_state`). */
  readonly dropQuery?: readonly string[];
  /** Whether the request body digest and size must match (default true). */
  readonly body?: boolean;
}

/** The facts a request is matched by. @internal */
export interface RequestFacts {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly bodySha256: string;
  readonly bodySize: number;
}

/**
 * The headers kept for matching (and recording).
 * @param headers - all request headers
 * @param options - match options
 * @returns the allow-listed headers, lower-case names
 * @internal
 */
export function matchedHeaders(headers: Headers, options: MatchOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of options.headers ?? ['accept', 'content-type', 'range']) {
    const v = headers.get(name);
    if (v !== null) out[name.toLowerCase()] = v;
  }
  return out;
}

/**
 * A normalised URL: origin ignored, query sorted, volatile parameters dropped.
 * @param url - absolute URL
 * @param options - match options
 * @returns path and sorted query
 * @internal
 */
export function normalizeUrl(url: string, options: MatchOptions): string {
  const u = new URL(url);
  for (const name of options.dropQuery ?? ['_state']) u.searchParams.delete(name);
  u.searchParams.sort();
  const q = u.searchParams.toString();
  return q === '' ? u.pathname : `${u.pathname}?${q}`;
}

/**
 * The key identical requests share.
 * @param facts - the request
 * @param options - match options
 * @returns the key
 * @internal
 */
export function matchKey(facts: RequestFacts, options: MatchOptions): string {
  const headers = Object.entries(facts.headers).sort(([a], [b]) => a.localeCompare(b));
  const body = options.body === false ? '' : `${facts.bodySha256}:${String(facts.bodySize)}`;
  return JSON.stringify([facts.method, normalizeUrl(facts.url, options), headers, body]);
}

/**
 * The recorded request most like an unmatched one: same method and longest common path prefix.
 * @param wanted - the unmatched request
 * @param recorded - recorded requests
 * @returns `METHOD url` of the closest, or `undefined` when none
 * @internal
 */
export function closest(
  wanted: RequestFacts,
  recorded: readonly RequestFacts[],
): string | undefined {
  const score = (r: RequestFacts): number => {
    const a = new URL(wanted.url).pathname;
    const b = new URL(r.url).pathname;
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    return i + (r.method === wanted.method ? 10_000 : 0);
  };
  const best = [...recorded].sort((x, y) => score(y) - score(x))[0];
  return best === undefined ? undefined : `${best.method} ${best.url}`;
}
