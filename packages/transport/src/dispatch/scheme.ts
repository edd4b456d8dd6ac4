import { ValidationError, isSecureEnough } from '@llmdevops/docker-hub-core';
import { ProxyAgent, type Dispatcher } from 'undici';
import type { Next, TransportRequest, TransportResponse } from '../pipeline/types.js';
import type { HostTls } from './certs-dir.js';
import { OriginRouter } from './router.js';
import { sniffScheme } from './tls-sniff.js';

/** What a host's port speaks, as found by an HTTPS-first probe. @public */
export type HostScheme = 'https' | 'http';

/**
 * Where HTTPS-first answers are remembered, keyed by the scheme-less origin (`host[:port]`, as
 * in the URL). Transports share one store per process by default, so the probe is paid once per
 * host however many clients a program makes; {@link createSchemeStore} makes a separate one
 * (tests, or a program that wants its clients to probe independently).
 * @public
 */
export interface SchemeStore {
  /**
   * The remembered answer for a host.
   * @param host - `host[:port]`, lower case
   * @returns the scheme, or undefined when not known
   */
  get(host: string): HostScheme | undefined;
  /**
   * Remembers an answer.
   * @param host - `host[:port]`, lower case
   * @param scheme - what the port speaks
   */
  set(host: string, scheme: HostScheme): void;
  /**
   * Forgets a host, so the next request probes again.
   * @param host - `host[:port]`, lower case
   */
  delete(host: string): void;
}

/** Options of {@link createSchemeStore}. @public */
export interface SchemeStoreOptions {
  /** Hosts remembered at most; the least recently used is forgotten first (default 256). */
  readonly maxHosts?: number;
}

/**
 * A bounded in-memory {@link SchemeStore} (least recently used hosts forgotten first).
 * @param options - `maxHosts` (default 256)
 * @returns a new, empty store
 * @throws {@link @llmdevops/docker-hub-core!ValidationError | ValidationError} (`INVALID_ARGUMENT`) when `maxHosts` is not a whole number of at least 1
 * @example
 * ```ts
 * const transport = createTransport({ schemeStore: createSchemeStore() }); // probes of its own
 * ```
 * @public
 */
export function createSchemeStore(options: SchemeStoreOptions = {}): SchemeStore {
  const max = options.maxHosts ?? 256;
  if (!Number.isSafeInteger(max) || max < 1) {
    throw new ValidationError('INVALID_ARGUMENT', `createSchemeStore: maxHosts must be a whole number of at least 1, got ${String(max)}`, String(max));
  }
  const known = new Map<string, HostScheme>();
  return {
    get(host) {
      const scheme = known.get(host);
      if (scheme !== undefined) {
        // Most recently used last: Map keeps insertion order.
        known.delete(host);
        known.set(host, scheme);
      }
      return scheme;
    },
    set(host, scheme) {
      known.delete(host);
      known.set(host, scheme);
      for (const oldest of known.keys()) {
        if (known.size <= max) break;
        known.delete(oldest);
      }
    },
    delete(host) {
      known.delete(host);
    },
  };
}

/** The store every transport of this process uses unless given its own. */
const processStore = createSchemeStore();

/** Probes in flight per store, so concurrent transports sharing a store probe a host once. */
const inFlight = new WeakMap<SchemeStore, Map<string, Promise<HostScheme | undefined>>>();

/** TLS failures that mean the port answered in plain text: it does not speak TLS. */
const PLAIN_PORT = /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST|UNKNOWN_PROTOCOL|RECORD_LAYER_FAILURE/;

/**
 * Failures of the probe that happen once a TLS handshake got that far: certificate checks
 * (`UNABLE_TO_VERIFY_LEAF_SIGNATURE`, `DEPTH_ZERO_SELF_SIGNED_CERT`, `ERR_TLS_CERT_ALTNAME_INVALID`,
 * ...), TLS alerts, and a connection closed after the handshake (a registry wanting a client
 * certificate). The port speaks TLS: HTTPS it is, and the request's error says what is wrong.
 */
const TLS_SPOKEN = /CERT|UND_ERR_SOCKET|SSL|TLS|UNABLE_TO_|VERIFY|SIGNATURE|ISSUER|HOSTNAME/;

/**
 * Failures of a plain-HTTP request that suggest the port now speaks TLS (a registry restarted with
 * TLS closes the connection, resets it, or answers with TLS bytes the HTTP parser rejects).
 */
const TLS_LOOKING = /UND_ERR_SOCKET|ECONNRESET|EPROTO|^HPE_|SSL|TLS/;

/** The first string `causeCode` or `code` along an error's cause chain. */
function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth += 1) {
    const { causeCode, code } = e as { causeCode?: unknown; code?: unknown };
    if (typeof causeCode === 'string') return causeCode;
    if (typeof code === 'string' && code !== 'NETWORK') return code;
  }
  return undefined;
}

/** Waits for a shared probe, or for the caller's signal, whichever comes first (then: no answer). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T | undefined> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      resolve(undefined);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then((value) => {
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    });
  });
}

/** Settings of {@link SchemeChooser}. @internal */
export interface SchemeChooserOptions {
  /** The transport's own dispatcher (probes go through it, proxy included). */
  readonly dispatcher: Dispatcher;
  /** Per-host TLS settings: a host with any is reached over HTTPS only. */
  readonly hostTls: HostTls;
  /** Hosts allowed over plain HTTP besides loopback. */
  readonly insecureHosts: readonly string[];
  /** Connect and headers timeout of the probe, in ms. */
  readonly timeoutMs: number;
  /** Where answers are kept (default: the one store of the process). */
  readonly store?: SchemeStore | undefined;
}

/**
 * HTTPS first for hosts that may use plain HTTP (loopback and insecure hosts), as Docker does for
 * its insecure registries: a request marked `httpsFirst` goes over HTTPS when the host's port
 * speaks TLS, and stays on plain HTTP when it answers a TLS handshake in plain text. The answer is
 * kept per host for the process (a {@link SchemeStore} shared by every transport unless one is
 * given), so one probe is paid per host; a host with a certs directory or TLS settings is reached
 * over HTTPS only, without a probe. A remembered "plain" is replaced when an HTTPS request to the
 * host gets an answer, and forgotten when a plain request fails the way a TLS port fails it, so a
 * registry restarted with TLS is not kept on HTTP.
 * @internal
 */
export class SchemeChooser {
  readonly #options: SchemeChooserOptions;
  readonly #store: SchemeStore;
  readonly #pending: Map<string, Promise<HostScheme | undefined>>;

  /** @param options - dispatcher, TLS settings, insecure hosts, probe timeout and store */
  constructor(options: SchemeChooserOptions) {
    this.#options = options;
    this.#store = options.store ?? processStore;
    let pending = inFlight.get(this.#store);
    if (pending === undefined) {
      pending = new Map();
      inFlight.set(this.#store, pending);
    }
    this.#pending = pending;
  }

  /**
   * Sends a request with the scheme its host speaks, and learns from the outcome.
   * @param req - a request
   * @param next - the pipeline
   * @returns the response
   */
  async send(req: TransportRequest, next: Next): Promise<TransportResponse> {
    const chosen = await this.choose(req);
    const host = chosen.url.host.toLowerCase();
    try {
      const res = await next(chosen);
      if (this.#store.get(host) === 'http') {
        // TLS answered: the port speaks it now. A plain answer such as Go's "Client sent an HTTP
        // request to an HTTPS server" (400, not JSON) hints the same: forget, so the next one probes.
        if (chosen.url.protocol === 'https:') this.#store.set(host, 'https');
        else if (res.status === 400 && !/json/i.test(res.header('content-type') ?? '')) this.#store.delete(host);
      }
      return res;
    } catch (err) {
      const code = errorCode(err) ?? '';
      const stored = this.#store.get(host);
      // A remembered answer the port no longer gives is forgotten: the next request probes again.
      if (stored === 'http' && chosen.url.protocol === 'http:' && TLS_LOOKING.test(code)) this.#store.delete(host);
      if (stored === 'https' && chosen !== req && PLAIN_PORT.test(code)) this.#store.delete(host);
      throw err;
    }
  }

  /**
   * The request with the scheme its host speaks.
   * @param req - a request
   * @returns the same request, or one with an `https:` URL
   */
  async choose(req: TransportRequest): Promise<TransportRequest> {
    if (req.context?.httpsFirst !== true || req.url.protocol !== 'http:' || !isSecureEnough(req.url, this.#options.insecureHosts)) return req;
    const host = req.url.host.toLowerCase();
    const scheme = this.#options.hostTls.settingsFor(host).configured ? 'https' : await this.#probe(host, req.signal);
    if (scheme !== 'https') return req;
    const url = new URL(req.url.href);
    url.protocol = 'https:';
    return { ...req, url };
  }

  /** Whether an HTTPS request to the host goes straight to it (no forward proxy). */
  #direct(host: string): boolean {
    const { dispatcher } = this.#options;
    const via = dispatcher instanceof OriginRouter ? dispatcher.dispatcherFor(new URL(`https://${host}`)) : dispatcher;
    return !(via instanceof ProxyAgent);
  }

  /** The scheme a host speaks (probed once per store; undefined when the probe could not tell). */
  #probe(host: string, signal: AbortSignal | undefined): Promise<HostScheme | undefined> {
    const known = this.#store.get(host);
    if (known !== undefined) return Promise.resolve(known);
    let pending = this.#pending.get(host);
    if (pending === undefined) {
      // Shared by every caller: bounded by the probe's own timeouts, not by one caller's signal.
      pending = this.#handshake(host).then((scheme) => {
        this.#pending.delete(host);
        if (scheme !== undefined) this.#store.set(host, scheme);
        return scheme;
      });
      this.#pending.set(host, pending);
    }
    return untilAborted(pending, signal);
  }

  /**
   * A ClientHello over a direct connection (see `sniffScheme`); else, or when that does not tell,
   * one `GET /v2/` over HTTPS: any answer, a certificate the client does not trust, or a closed
   * connection after the handshake (a registry wanting a client certificate) mean the port speaks
   * TLS; a plain-text answer to the handshake means it does not; anything else (refused, timed
   * out) says nothing and is asked again next time.
   */
  async #handshake(host: string): Promise<HostScheme | undefined> {
    // A direct connection can be asked without TLS first (cheap); through a proxy, or when the
    // answer is unclear, an HTTPS request through the dispatcher asks.
    if (this.#direct(host)) {
      const sniffed = await sniffScheme(host, this.#options.timeoutMs);
      if (sniffed !== undefined) return sniffed;
    }
    try {
      const res = await this.#options.dispatcher.request({
        origin: `https://${host}`,
        path: '/v2/',
        method: 'GET',
        headersTimeout: this.#options.timeoutMs,
        bodyTimeout: this.#options.timeoutMs,
      });
      await res.body.dump();
      return 'https';
    } catch (err) {
      const code = errorCode(err) ?? '';
      if (PLAIN_PORT.test(code)) return 'http';
      if (TLS_SPOKEN.test(code)) return 'https';
      return undefined;
    }
  }
}
