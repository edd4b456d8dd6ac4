import type { Dispatcher, ProxyAgent, Agent } from 'undici';
import { OriginRouter } from './router.js';
import { bypassesProxy, parseNoProxy, type NoProxyRules } from './no-proxy.js';

/**
 * Where requests go through a forward proxy. HTTPS requests are tunnelled with `CONNECT`, so the
 * proxy never sees their headers (registry credentials included).
 * @public
 */
export interface ProxyOptions {
  /** The proxy for HTTPS requests, e.g. `http://user:pass@proxy.corp:3128` (credentials are secrets). */
  readonly url?: string | undefined;
  /** The proxy for plain-HTTP requests (default: `url`). */
  readonly httpUrl?: string | undefined;
  /** Hosts reached directly, in curl's `NO_PROXY` syntax (see `parseNoProxy`). */
  readonly noProxy?: string | undefined;
}

function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/**
 * The proxy settings the environment asks for, as curl reads them: `HTTPS_PROXY` for HTTPS
 * requests, `HTTP_PROXY` for plain HTTP, `NO_PROXY` for exemptions (lower-case names first).
 * @param env - the environment (e.g. `process.env`)
 * @returns the settings, or undefined when no proxy is set
 * @public
 */
export function proxyFromEnvironment(env: NodeJS.ProcessEnv): ProxyOptions | undefined {
  const url = envValue(env, 'https_proxy');
  const httpUrl = envValue(env, 'http_proxy');
  if (url === undefined && httpUrl === undefined) return undefined;
  return { url, httpUrl, noProxy: envValue(env, 'no_proxy') };
}

/**
 * A dispatcher that sends each request through the forward proxy its scheme asks for, or directly
 * when `noProxy` exempts the host (or no proxy is set for the scheme).
 * @internal
 */
export class ProxyRouter extends OriginRouter {
  readonly #direct: Agent;
  readonly #https: Dispatcher | undefined;
  readonly #http: Dispatcher | undefined;
  readonly #noProxy: NoProxyRules;

  /**
   * @param direct - the agent for requests that bypass the proxy
   * @param options - proxy URLs and exemptions
   * @param make - builds the proxy agent for a proxy URL
   */
  constructor(direct: Agent, options: ProxyOptions, make: (url: string) => ProxyAgent) {
    super();
    this.#direct = direct;
    const httpsUrl = options.url;
    const httpUrl = options.httpUrl ?? options.url;
    this.#https = httpsUrl === undefined ? undefined : make(httpsUrl);
    this.#http = httpUrl === undefined ? undefined : httpUrl === httpsUrl ? this.#https : make(httpUrl);
    this.#noProxy = parseNoProxy(options.noProxy);
  }

  /**
   * The proxy agent for the origin's scheme, or the direct agent.
   * @param origin - the request's origin
   * @returns the dispatcher
   */
  protected route(origin: Dispatcher.DispatchOptions['origin']): Dispatcher {
    if (origin === undefined) return this.#direct;
    const url = typeof origin === 'string' ? new URL(origin) : origin;
    const secure = url.protocol === 'https:';
    const proxy = secure ? this.#https : this.#http;
    if (proxy === undefined) return this.#direct;
    const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
    return bypassesProxy(this.#noProxy, url.hostname, port) ? this.#direct : proxy;
  }

  /** @returns the direct agent and the proxy agents */
  protected dispatchers(): Dispatcher[] {
    return [this.#direct, ...new Set([this.#https, this.#http].filter((d): d is Dispatcher => d !== undefined))];
  }
}
