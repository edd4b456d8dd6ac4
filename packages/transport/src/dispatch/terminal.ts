import { Readable } from 'node:stream';
import { InsecureTransportError, NetworkError, isSecureEnough, type DockerHubError } from '@llmdevops/docker-hub-core';
import type { Dispatcher } from 'undici';
import type { Next, RequestBody, TransportRequest } from '../pipeline/types.js';
import { safeUrl } from '../internal/host.js';
import { mapUndiciError, type TimeoutSettings } from './map-undici-error.js';
import { createResponse, wrapBody } from './response.js';
import type { HostTls } from './certs-dir.js';
import { describeTlsFailure, probeTlsAlert, type TlsAdvice } from './tls-diagnosis.js';
import type { TlsSettings } from './tls.js';

/** Settings of the terminal stage. @internal */
export interface TerminalOptions {
  readonly dispatcher: Dispatcher;
  readonly timeouts: TimeoutSettings;
  /** Hosts (`host` or `host:port`) where plain HTTP is allowed. */
  readonly insecureHosts: readonly string[];
  readonly userAgent: string;
  /** The trust settings of the transport's own agent; absent with an injected dispatcher. */
  readonly tls?: TlsSettings | undefined;
  /** The per-host TLS settings of the transport's own agent (certs directories, client certificates). */
  readonly hostTls?: HostTls | undefined;
}

/** The settings for an HTTPS request's host, read before the request so a bad file fails with its name. */
function hostSettings(url: URL, options: TerminalOptions): TlsSettings | undefined {
  if (options.tls === undefined) return undefined;
  if (url.protocol !== 'https:' || options.hostTls === undefined) return options.tls;
  return { ...options.tls, host: options.hostTls.settingsFor(url.host) };
}

/** Where the user can act on a TLS failure of this request's host. */
function adviceFor(url: URL, settings: TlsSettings | undefined, options: TerminalOptions): TlsAdvice | undefined {
  if (url.protocol !== 'https:' || options.hostTls === undefined) return undefined;
  return { dir: options.hostTls.expectedDir(url.host), certFrom: settings?.host?.certFrom };
}

/**
 * An HTTPS server that closes the connection before answering may have refused the handshake
 * for lack of a client certificate, which undici reports only as "other side closed": find out
 * with one probe connection and say so.
 */
async function diagnosed(mapped: DockerHubError, req: TransportRequest, options: TerminalOptions, settings: TlsSettings | undefined): Promise<DockerHubError> {
  if (!(mapped instanceof NetworkError) || mapped.causeCode !== 'UND_ERR_SOCKET' || req.url.protocol !== 'https:' || settings === undefined) {
    return mapped;
  }
  const alert = await probeTlsAlert(req.url, settings, Math.min(5_000, options.timeouts.connectTimeoutMs));
  const problem = describeTlsFailure(alert, adviceFor(req.url, settings, options));
  if (problem === undefined || alert === undefined) return mapped;
  return new NetworkError(`${req.method} ${safeUrl(req.url)}: ${problem}`, { cause: mapped, causeCode: alert });
}


/**
 * Refuses anything but HTTPS, except loopback and hosts marked insecure.
 * @param url - the URL about to be contacted
 * @param insecureHosts - hosts allowed over plain HTTP
 * @throws {@link @llmdevops/docker-hub-core!InsecureTransportError | InsecureTransportError} with a hint on how to allow it
 * @internal
 */
export function assertSecure(url: URL, insecureHosts: readonly string[]): void {
  if (isSecureEnough(url, insecureHosts)) return;
  if (url.protocol !== 'http:') {
    throw new InsecureTransportError(safeUrl(url), `only https: (and http: for loopback or insecure hosts) is supported`);
  }
  throw new InsecureTransportError(
    safeUrl(url),
    `plain HTTP is only used for loopback hosts; add "${url.host.toLowerCase()}" to the transport's insecureHosts option to allow it`,
  );
}

function toUndiciBody(body: RequestBody): string | Uint8Array | Readable {
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  const produced = body.stream();
  if (produced instanceof Readable) return produced;
  return Readable.from(produced as AsyncIterable<Uint8Array>, { objectMode: false });
}

function requestHeaders(req: TransportRequest, userAgent: string): Record<string, string> {
  const headers: Record<string, string> = { 'user-agent': userAgent, ...req.headers };
  const body = req.body;
  if (body !== undefined && typeof body === 'object' && !(body instanceof Uint8Array) && body.length !== undefined) {
    headers['content-length'] ??= String(body.length);
  }
  return headers;
}

/** Node's own `setImmediate`, taken at load, so a test's fake timers cannot hold requests back. */
const realSetImmediate = setImmediate;

/** Resolves after the current turn of the event loop. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    realSetImmediate(resolve);
  });
}

/**
 * The innermost stage: one `dispatcher.request()` for every request (no undici retry or
 * redirect), with the headers and body-idle timeouts, the caller's signal, the HTTPS policy and
 * error mapping.
 * @param options - dispatcher, timeouts, insecure hosts and user agent
 * @returns the terminal `Next`
 * @internal
 */
export function createTerminal(options: TerminalOptions): Next {
  return async (req) => {
    assertSecure(req.url, options.insecureHosts);
    const what = `${req.method} ${safeUrl(req.url)}`;
    const settings = hostSettings(req.url, options);
    const ctx = { timeouts: options.timeouts, signal: req.signal, tls: adviceFor(req.url, settings, options) };
    try {
      const request: Dispatcher.RequestOptions = {
        origin: req.url.origin,
        path: `${req.url.pathname}${req.url.search}`,
        method: req.method,
        headers: requestHeaders(req, options.userAgent),
        body: req.body === undefined ? null : toUndiciBody(req.body),
        signal: req.signal ?? null,
        // undici closes the connection after every HEAD unless told otherwise (a guard against
        // servers that send a body with HEAD, which registries do not): without this each
        // `blobs.exists`/`manifests.head` would pay a new TCP and TLS handshake.
        ...(req.method === 'HEAD' ? { reset: false } : {}),
        headersTimeout: options.timeouts.headersTimeoutMs,
        bodyTimeout: options.timeouts.bodyTimeoutMs,
      };
      // undici frees a connection whose answer just ended only after the I/O callback that ended
      // it: a request sent at once (the token request after its 401, the next blob after a
      // manifest) would open another connection. One turn of the event loop lets it reuse it.
      await nextTurn();
      // Aborted while waiting: nothing is sent (undici would still hand the request to the
      // dispatcher, and fail it only once connected).
      req.signal?.throwIfAborted();
      const res = await options.dispatcher.request(request);
      const body = wrapBody(res.body, (err) => mapUndiciError(err, `${what} body`, ctx));
      // Bodiless answers finish at once, so a HEAD nobody dumps still frees its permit and socket.
      if (req.method === 'HEAD' || res.statusCode === 204 || res.statusCode === 304 || res.headers['content-length'] === '0') {
        body.resume();
      }
      return createResponse({ status: res.statusCode, headers: res.headers, url: req.url, body, what: `${what} response body` });
    } catch (err) {
      const mapped = mapUndiciError(err, what, ctx);
      throw await diagnosed(mapped, req, options, settings);
    }
  };
}
