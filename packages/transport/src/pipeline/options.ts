import type { Dispatcher } from 'undici';
import { optionCheck, validateOptions, type Clock, type OptionRules } from '@llmdevops/docker-hub-core';
import type { RegistryTlsOptions } from '../dispatch/certs-dir.js';
import type { ProxyOptions } from '../dispatch/proxy.js';
import type { SchemeStore } from '../dispatch/scheme.js';
import type { CircuitBreakerOptions } from '../middleware/breaker/consecutive-breaker.js';
import type { RateLimitOptions } from '../middleware/rate-limit/rate-limit-tracker.js';

/** Options of {@link createTransport}; every field is optional. @public */
export interface TransportOptions {
  /** The undici dispatcher; default an `Agent` with keep-alive, per-origin limits and TLS 1.2+. Not closed by `close()` when given. */
  readonly dispatcher?: Dispatcher;
  /** Headers and body-idle timeout in ms (default 60 000; services derive it from `DOCKER_TIMEOUT_SECONDS`). */
  readonly timeoutMs?: number;
  /** Connect timeout in ms (default `timeoutMs`); applies to the default agent only. */
  readonly connectTimeoutMs?: number;
  /**
   * Overall limit in ms per operation (a call with its retries, waits and response body, or a
   * `retrying()` step with its requests), failing with a `TimeoutError` of phase `total` (default
   * none; services derive it from `DOCKER_TOTAL_TIMEOUT_SECONDS`).
   */
  readonly totalTimeoutMs?: number;
  /** Retries after the first attempt (default 3; 0 disables retrying). */
  readonly maxRetries?: number;
  /** Longest acceptable `Retry-After` / rate-limit wait in ms (default 60 000); longer waits fail with `RateLimitError`. */
  readonly maxRetryWaitMs?: number;
  /** Backoff ceiling of the first retry in ms (default 200). */
  readonly backoffBaseMs?: number;
  /** Largest backoff ceiling in ms (default 10 000). */
  readonly backoffCapMs?: number;
  /** Per-host circuit breaker thresholds (defaults 5 / 2 / 30 000 ms). */
  readonly circuitBreaker?: CircuitBreakerOptions;
  /** Rate-limit tracking (default `lowThreshold` 10). */
  readonly rateLimit?: RateLimitOptions;
  /** Concurrent calls per host, held until the body is done (default 16). */
  readonly maxConcurrentPerHost?: number;
  /** Hosts (`name` or `name:port`) allowed over plain HTTP besides loopback. */
  readonly insecureHosts?: readonly string[];
  /** Extra CA certificates (PEM) trusted by the default agent, added to the system roots. */
  readonly ca?: string | readonly string[];
  /** Default agent only: use `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` from the environment (default false). */
  readonly proxyFromEnv?: boolean;
  /**
   * Default agent only: a forward proxy (`{ url, httpUrl, noProxy }`; HTTPS is tunnelled with
   * `CONNECT`, `noProxy` follows curl's `NO_PROXY` rules), `'env'` for the environment's
   * `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY`, or `false` (the default) for none.
   */
  readonly proxy?: ProxyOptions | 'env' | false;
  /**
   * Default agent only: TLS settings per registry host (`host[:port]`): a certs directory
   * (`certDir`), CAs (`ca`), a client certificate and key (`cert`, `key`; PEM or file paths).
   */
  readonly tls?: Readonly<Record<string, RegistryTlsOptions>>;
  /**
   * Default agent only: certs directory roots searched for a `HOST[:PORT]/` folder with `*.crt`
   * CAs and `client.cert` + `client.key` (default none; `defaultCertsRoots(env)` gives Docker's
   * and Podman's). A host with such a folder or a `tls` entry is reached over HTTPS only.
   */
  readonly certsRoots?: readonly string[];
  /** Default agent only: the environment for `NODE_EXTRA_CA_CERTS` and `proxy: 'env'` (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Default agent only: where the HTTPS-first answers for loopback and insecure hosts are kept
   * (default one store for the whole process, so every client pays the probe once per host;
   * `createSchemeStore()` gives a transport its own).
   */
  readonly schemeStore?: SchemeStore;
  /** Redirect hop limit (default 10). */
  readonly maxRedirects?: number;
  /** Time source and sleeper (default the system clock). */
  readonly clock?: Clock;
  /** Random source in `[0, 1)` for jitter (default `Math.random`). */
  readonly random?: () => number;
  /** `User-Agent` header (default `docker-hub-transport`). */
  readonly userAgent?: string;
}

/** Options with defaults applied. @internal */
export interface ResolvedTransportOptions {
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly totalTimeoutMs: number | undefined;
  readonly maxRetries: number;
  readonly maxRetryWaitMs: number;
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
  readonly circuitBreaker: Required<CircuitBreakerOptions>;
  readonly lowThreshold: number;
  readonly maxConcurrentPerHost: number;
  readonly insecureHosts: readonly string[];
  readonly maxRedirects: number;
  readonly userAgent: string;
}

const ms = optionCheck.number({ min: 0 });
const count = optionCheck.number({ min: 0, integer: true });
const atLeastOne = optionCheck.number({ min: 1, integer: true });
const strings = optionCheck.array(optionCheck.string());

/** What each option of {@link TransportOptions} may hold. */
const RULES: OptionRules<TransportOptions> = {
  dispatcher: optionCheck.that(
    (v) => typeof v === 'object' && v !== null && typeof (v as { dispatch?: unknown }).dispatch === 'function',
    'must be an undici Dispatcher',
  ),
  timeoutMs: ms,
  connectTimeoutMs: ms,
  totalTimeoutMs: ms,
  maxRetries: count,
  maxRetryWaitMs: ms,
  backoffBaseMs: ms,
  backoffCapMs: ms,
  circuitBreaker: optionCheck.shape<CircuitBreakerOptions>({
    failureThreshold: atLeastOne,
    successThreshold: atLeastOne,
    resetTimeoutMs: ms,
  }),
  rateLimit: optionCheck.shape<RateLimitOptions>({ lowThreshold: optionCheck.number({ min: 0 }) }),
  maxConcurrentPerHost: atLeastOne,
  insecureHosts: strings,
  ca: optionCheck.anyOf('must be a PEM string or an array of them', optionCheck.string(), strings),
  proxyFromEnv: optionCheck.boolean(),
  proxy: optionCheck.anyOf(
    "must be { url, httpUrl, noProxy }, 'env' or false",
    optionCheck.that((v) => v === false || v === 'env', "must be 'env' or false"),
    optionCheck.shape<ProxyOptions>({ url: optionCheck.string(), httpUrl: optionCheck.string(), noProxy: optionCheck.string() }),
  ),
  tls: optionCheck.object(),
  certsRoots: strings,
  env: optionCheck.object(),
  schemeStore: optionCheck.that(
    (v) => typeof v === 'object' && v !== null && ['get', 'set', 'delete'].every((m) => typeof (v as Record<string, unknown>)[m] === 'function'),
    'must be a scheme store ({ get, set, delete }, e.g. createSchemeStore())',
  ),
  maxRedirects: count,
  clock: optionCheck.clock(),
  random: optionCheck.function(),
  userAgent: optionCheck.string(),
};

/**
 * Checks the options and applies defaults.
 * @param o - user options
 * @returns resolved options
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} naming every unknown key and
 * every value out of range (negative or fractional counts, `NaN`, wrong types)
 * @internal
 */
export function resolveOptions(o: TransportOptions): ResolvedTransportOptions {
  validateOptions('createTransport options', o, RULES);
  const timeoutMs = o.timeoutMs ?? 60_000;
  const cb = o.circuitBreaker ?? {};
  return {
    timeoutMs,
    connectTimeoutMs: o.connectTimeoutMs ?? timeoutMs,
    totalTimeoutMs: o.totalTimeoutMs,
    maxRetries: o.maxRetries ?? 3,
    maxRetryWaitMs: o.maxRetryWaitMs ?? 60_000,
    backoffBaseMs: o.backoffBaseMs ?? 200,
    backoffCapMs: o.backoffCapMs ?? 10_000,
    circuitBreaker: {
      failureThreshold: cb.failureThreshold ?? 5,
      successThreshold: cb.successThreshold ?? 2,
      resetTimeoutMs: cb.resetTimeoutMs ?? 30_000,
    },
    lowThreshold: o.rateLimit?.lowThreshold ?? 10,
    maxConcurrentPerHost: o.maxConcurrentPerHost ?? 16,
    insecureHosts: [...(o.insecureHosts ?? [])],
    maxRedirects: o.maxRedirects ?? 10,
    userAgent: o.userAgent ?? 'docker-hub-transport',
  };
}
