import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, type ConfigIssue } from '@llmdevops/docker-hub-core';
import { Agent, fetch, type Dispatcher } from 'undici';
import { createCassette, type Cassette, type CassetteMode } from '../../cassette/cassette.js';
import { type FetchHandler } from '../fetch/fetch-handler.js';

/** Options of {@link createCassetteProxy}. @public */
export interface CassetteProxyOptions {
  /**
   * The cassette folder: the cassette is `<dir>/cassette.json`, large manifests and blobs go to
   * `<dir>/cassette.json.blobs/`. Recording creates it when missing; an earlier cassette in it is
   * updated (its answers replayed, what is missing recorded).
   */
  readonly dir: string;
  /** `record` (needs `upstream`) or `replay` (offline; no upstream). */
  readonly mode: 'record' | 'replay';
  /** The registry recorded, an origin such as `https://registry-1.docker.io` (record mode only). */
  readonly upstream?: string;
  /** The dispatcher for requests to the upstream and its token service (default: a new undici `Agent`, closed by `close()`). */
  readonly dispatcher?: Dispatcher;
  /** Replay the last answer when a request repeats more often than recorded (default false). */
  readonly allowRepeats?: boolean;
  /** The key for request body hashes of a new cassette (default random; an existing cassette keeps its own). */
  readonly salt?: string;
}

/** A recording or replaying registry proxy; serve its `fetch` with `listen`. @public */
export interface CassetteProxy {
  /** The Fetch-style handler to serve (e.g. `listen(proxy.fetch)`). */
  readonly fetch: FetchHandler;
  /** The cassette file. */
  readonly path: string;
  /** The cassette mode in use: `record` for a new cassette, `update` for an existing one, or `replay`. */
  readonly mode: CassetteMode;
  /** Writes the cassette (record and update modes); call it once the server stopped. */
  save(): Promise<void>;
  /** Closes the upstream dispatcher it created. */
  close(): Promise<void>;
}

/** Where token requests go on the proxy: `/__dhub/auth/<host><path>` stands for the upstream's realm. */
const AUTH_PREFIX = '/__dhub/auth/';
/** Token requests carry the recording user's name: ignored, so anyone can replay. */
const IGNORED_QUERY = ['_state', 'account'];
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'accept-encoding',
]);

function checkProxyOptions(options: CassetteProxyOptions): URL | undefined {
  const issues: ConfigIssue[] = [];
  const valid = ['dir', 'mode', 'upstream', 'dispatcher', 'allowRepeats', 'salt'];
  for (const k of Object.keys(options))
    if (!valid.includes(k))
      issues.push({ path: k, message: `unknown option; valid: ${valid.join(', ')}` });
  if (typeof options.dir !== 'string' || options.dir === '')
    issues.push({ path: 'dir', message: 'must be a non-empty folder path' });
  const mode: unknown = options.mode;
  if (mode !== 'record' && mode !== 'replay')
    issues.push({ path: 'mode', message: 'must be record or replay' });
  let upstream: URL | undefined;
  if (options.mode === 'record') {
    const text = options.upstream;
    upstream = typeof text === 'string' && URL.canParse(text) ? new URL(text) : undefined;
    if (
      upstream === undefined ||
      !/^https?:$/.test(upstream.protocol) ||
      (upstream.pathname !== '/' && upstream.pathname !== '') ||
      upstream.search !== '' ||
      upstream.username !== '' ||
      upstream.password !== ''
    )
      issues.push({
        path: 'upstream',
        message:
          'must be the http(s) origin of the registry to record, e.g. https://registry-1.docker.io (no path, query or credentials)',
      });
  } else if (options.upstream !== undefined)
    issues.push({ path: 'upstream', message: 'only applies to mode record' });
  if (issues.length > 0) throw new ConfigError(issues, { subject: 'createCassetteProxy options' });
  return upstream;
}

/** Realms of the upstream's Bearer challenges, by the proxy path that stands for them. */
class Realms {
  readonly #byPath = new Map<string, string>();

  /** The proxy path for a realm: `/__dhub/auth/<host><path>` (a suffix keeps different ports apart). */
  local(realm: URL): string {
    const base = `${AUTH_PREFIX}${realm.hostname}${realm.pathname}`.replace(/\/+$/, '');
    for (let n = 0; ; n += 1) {
      const path = n === 0 ? base : `${base}~${String(n)}`;
      const known = this.#byPath.get(path);
      if (known === undefined) this.#byPath.set(path, realm.href);
      if (known === undefined || known === realm.href) return path;
    }
  }

  remote(path: string): string | undefined {
    return this.#byPath.get(path);
  }
}

/** Rewrites `realm="…"` of Bearer challenges to the proxy, so clients fetch tokens through it. */
function rewriteChallenge(value: string, origin: string, realms: Realms): string {
  return value.replace(/(realm=)"([^"]*)"/gi, (whole, key: string, realm: string) => {
    if (!URL.canParse(realm)) return whole;
    return `${key}"${origin}${realms.local(new URL(realm))}"`;
  });
}

/** Rewrites an absolute `Location` on the upstream's origin to the proxy's origin. */
function rewriteLocation(value: string, upstream: URL, origin: string): string {
  if (!URL.canParse(value)) return value;
  const url = new URL(value);
  return url.origin === upstream.origin ? `${origin}${url.pathname}${url.search}` : value;
}

/**
 * The upstream of the recording cassette: a request to the proxy goes to the registry (or, under
 * `/__dhub/auth/`, to the token realm it stands for); GET and HEAD follow redirects (a blob moved
 * to a CDN is recorded as the bytes the client gets); answers point back at the proxy.
 */
function forwarder(upstream: URL, dispatcher: Dispatcher, realms: Realms): FetchHandler {
  return async (request) => {
    const local = new URL(request.url);
    const realm = local.pathname.startsWith(AUTH_PREFIX)
      ? realms.remote(local.pathname)
      : undefined;
    if (local.pathname.startsWith(AUTH_PREFIX) && realm === undefined)
      return new Response('unknown token realm\n', { status: 404 });
    const target = new URL(realm ?? `${upstream.origin}${local.pathname}`);
    target.search = realm === undefined ? local.search : local.search || new URL(realm).search;
    const headers: [string, string][] = [];
    request.headers.forEach((v, k) => {
      if (!HOP_BY_HOP.has(k)) headers.push([k, v]);
    });
    const method = request.method.toUpperCase();
    const follows = method === 'GET' || method === 'HEAD';
    const init: Parameters<typeof fetch>[1] = {
      method,
      headers,
      dispatcher,
      redirect: follows ? 'follow' : 'manual',
    };
    if (request.body !== null) Object.assign(init, { body: request.body, duplex: 'half' });
    const res = await fetch(target, init);
    const out = new Headers();
    res.headers.forEach((v, k) => {
      if (HOP_BY_HOP.has(k) || k === 'content-encoding') return;
      if (k === 'www-authenticate') out.append(k, rewriteChallenge(v, local.origin, realms));
      else if (k === 'location') out.append(k, rewriteLocation(v, upstream, local.origin));
      else out.append(k, v);
    });
    // undici decoded a compressed body: the length no longer holds, and neither does the encoding.
    const length = res.headers.get('content-length');
    if (length !== null && res.headers.get('content-encoding') === null)
      out.set('content-length', length);
    const nullBody = method === 'HEAD' || [101, 204, 205, 304].includes(res.status);
    return new Response(nullBody ? null : (res.body as ReadableStream<Uint8Array> | null), {
      status: res.status,
      headers: out,
    });
  };
}

/**
 * A registry proxy that records a session to a cassette folder, or replays one offline. Recording,
 * every request goes to `upstream`; Bearer challenges are rewritten so clients fetch their tokens
 * through the proxy (under `/__dhub/auth/<realm host and path>`), which records the token dance
 * too (tokens redacted); absolute `Location`s point back at the proxy; GET and HEAD follow
 * redirects. Replaying, nothing is dialled. The cassette replays on any address and port, and
 * ignores the `account` query parameter of token requests. `dhub serve --record/--replay` is
 * this proxy on loopback.
 * @param options - folder, mode, upstream
 * @returns the proxy
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} listing every bad option
 * @throws {@link @llmdevops/docker-hub-core!CassetteInvalidError | CassetteInvalidError} in replay mode when the folder holds no cassette
 * @public
 */
export async function createCassetteProxy(options: CassetteProxyOptions): Promise<CassetteProxy> {
  const upstream = checkProxyOptions(options);
  const path = join(options.dir, 'cassette.json');
  const common = {
    path,
    matchRequestsBy: { ignoreQuery: IGNORED_QUERY },
    ...(options.allowRepeats === undefined ? {} : { allowRepeats: options.allowRepeats }),
  };
  if (upstream === undefined) {
    const cassette = createCassette({ ...common, mode: 'replay' });
    return {
      fetch: (request) => cassette.fetch(request),
      path,
      mode: 'replay',
      save: () => cassette.save(),
      close: () => Promise.resolve(),
    };
  }
  await mkdir(options.dir, { recursive: true });
  let owned: Agent | undefined;
  const dispatcher = options.dispatcher ?? (owned = new Agent());
  const mode: CassetteMode = existsSync(path) ? 'update' : 'record';
  const cassette: Cassette = createCassette({
    ...common,
    mode,
    upstream: forwarder(upstream, dispatcher, new Realms()),
    ...(options.salt === undefined ? {} : { salt: options.salt }),
  });
  return {
    fetch: (request) => cassette.fetch(request),
    path,
    mode,
    save: () => cassette.save(),
    close: async () => {
      await owned?.close();
    },
  };
}
