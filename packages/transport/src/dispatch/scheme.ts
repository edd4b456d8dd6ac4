import { isSecureEnough } from '@llmdevops/docker-hub-core';
import type { Dispatcher } from 'undici';
import type { TransportRequest } from '../pipeline/types.js';
import type { HostTls } from './certs-dir.js';

/** What the probe found about a host's port. */
type Scheme = 'https' | 'http';

/** TLS failures that mean the port answered in plain text: it does not speak TLS. */
const PLAIN_PORT = /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST|UNKNOWN_PROTOCOL|RECORD_LAYER_FAILURE/;

function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
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
}

/**
 * HTTPS first for hosts that may use plain HTTP (loopback and insecure hosts), as Docker does for
 * its insecure registries: a request marked `httpsFirst` goes over HTTPS when the host's port
 * speaks TLS, and stays on plain HTTP when it answers a TLS handshake in plain text. The answer is
 * kept per host for the life of the transport, so one probe is paid per host; a host with a certs
 * directory or TLS settings is reached over HTTPS only, without a probe.
 * @internal
 */
export class SchemeChooser {
  readonly #options: SchemeChooserOptions;
  readonly #known = new Map<string, Scheme>();
  readonly #pending = new Map<string, Promise<Scheme | undefined>>();

  /** @param options - dispatcher, TLS settings, insecure hosts and probe timeout */
  constructor(options: SchemeChooserOptions) {
    this.#options = options;
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

  /** The scheme a host speaks (probed once; undefined when the probe could not tell). */
  #probe(host: string, signal: AbortSignal | undefined): Promise<Scheme | undefined> {
    const known = this.#known.get(host);
    if (known !== undefined) return Promise.resolve(known);
    let pending = this.#pending.get(host);
    if (pending === undefined) {
      pending = this.#handshake(host, signal).then((scheme) => {
        this.#pending.delete(host);
        if (scheme !== undefined) {
          if (this.#known.size >= 256) this.#known.clear();
          this.#known.set(host, scheme);
        }
        return scheme;
      });
      this.#pending.set(host, pending);
    }
    return pending;
  }

  /**
   * One `GET /v2/` over HTTPS: any answer, a certificate the client does not trust, or a closed
   * connection after the handshake (a registry wanting a client certificate) mean the port speaks
   * TLS; a plain-text answer to the handshake means it does not; anything else (refused, timed
   * out) says nothing and is asked again next time.
   */
  async #handshake(host: string, signal: AbortSignal | undefined): Promise<Scheme | undefined> {
    try {
      const res = await this.#options.dispatcher.request({
        origin: `https://${host}`,
        path: '/v2/',
        method: 'GET',
        headersTimeout: this.#options.timeoutMs,
        bodyTimeout: this.#options.timeoutMs,
        ...(signal === undefined ? {} : { signal }),
      });
      await res.body.dump();
      return 'https';
    } catch (err) {
      const code = errorCode(err) ?? '';
      if (PLAIN_PORT.test(code)) return 'http';
      if (/CERT|UND_ERR_SOCKET|SSL|TLS/.test(code)) return 'https';
      return undefined;
    }
  }
}
