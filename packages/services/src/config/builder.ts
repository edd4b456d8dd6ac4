import type { Secret } from '@llmdevops/docker-hub-core';
import type { Dispatcher } from 'undici';
import { parseConfig } from './parse-config.js';
import type { DockerHubConfigInput, ResolvedDockerHubConfig } from './schema.js';

type Input = { -readonly [K in keyof DockerHubConfigInput]: DockerHubConfigInput[K] };
type Section<K extends keyof Input> = NonNullable<Input[K]>;

/**
 * A fluent way to write configuration input; `build()` validates it with the same schema as
 * every other source.
 * @example
 * ```ts
 * const config = DockerHubConfig.builder().registryUrl('http://127.0.0.1:5000').maxRetries(5).build();
 * ```
 * @public
 */
export class DockerHubConfigBuilder {
  readonly #input: Input;

  /** @param base - input to start from (e.g. `inputFromEnv()`) */
  constructor(base: DockerHubConfigInput = {}) {
    this.#input = { ...base };
  }

  #section<K extends 'auth' | 'resilience' | 'upload' | 'cache' | 'rateLimit' | 'observability'>(key: K, patch: Section<K>): this {
    const current = (this.#input[key] ?? {}) as Section<K>;
    this.#input[key] = { ...current, ...patch };
    return this;
  }

  /** @param url - Docker Hub API base URL @returns this builder */
  hubUrl(url: string): this {
    this.#input.hubUrl = url;
    return this;
  }

  /** @param url - registry serving `docker.io` references @returns this builder */
  registryUrl(url: string): this {
    this.#input.registryUrl = url;
    return this;
  }

  /** @param url - Docker Hub token service @returns this builder */
  authUrl(url: string): this {
    this.#input.authUrl = url;
    return this;
  }

  /**
   * Docker Hub credentials.
   * @param username - account or organization
   * @param secret - password or access token
   * @param kind - which of the two `secret` is (default `password`)
   * @returns this builder
   */
  credentials(username: string, secret: string | Secret, kind: 'password' | 'accessToken' = 'password'): this {
    return this.#section('auth', kind === 'password' ? { username, password: secret } : { username, accessToken: secret });
  }

  /** @param seconds - per-request timeout @returns this builder */
  timeoutSeconds(seconds: number): this {
    return this.#section('resilience', { timeoutSeconds: seconds });
  }

  /**
   * @param seconds - deadline of one operation, retries and body included (0: none)
   * @returns this builder
   */
  totalTimeoutSeconds(seconds: number): this {
    return this.#section('resilience', { totalTimeoutSeconds: seconds });
  }

  /** @param retries - retries after the first attempt @returns this builder */
  maxRetries(retries: number): this {
    return this.#section('resilience', { maxRetries: retries });
  }

  /** @param options - circuit breaker thresholds @returns this builder */
  circuitBreaker(options: NonNullable<Section<'resilience'>['circuitBreaker']>): this {
    return this.#section('resilience', { circuitBreaker: options });
  }

  /** @param mb - chunk size of chunked uploads in MiB @returns this builder */
  chunkSizeMb(mb: number): this {
    return this.#section('upload', { chunkSizeMb: mb });
  }

  /** @param options - concurrent blob uploads and downloads @returns this builder */
  concurrency(options: { readonly uploads?: number; readonly downloads?: number }): this {
    return this.#section('upload', {
      ...(options.uploads === undefined ? {} : { maxConcurrentUploads: options.uploads }),
      ...(options.downloads === undefined ? {} : { maxConcurrentDownloads: options.downloads }),
    });
  }

  /** @param options - manifest cache settings @returns this builder */
  cache(options: Section<'cache'>): this {
    return this.#section('cache', options);
  }

  /** @param options - rate-limit tracking @returns this builder */
  rateLimit(options: Section<'rateLimit'>): this {
    return this.#section('rateLimit', options);
  }

  /** @param options - tracing and log level @returns this builder */
  observability(options: Section<'observability'>): this {
    return this.#section('observability', options);
  }

  /** @param hosts - registries allowed over plain HTTP @returns this builder */
  insecureRegistries(...hosts: string[]): this {
    this.#input.insecureRegistries = [...(this.#input.insecureRegistries ?? []), ...hosts];
    return this;
  }

  /**
   * TLS settings of one registry (replacing earlier ones for it).
   * @param host - `host[:port]`
   * @param options - `certDir`, `ca`, `cert`, `key` (PEM or file paths; the key becomes a `Secret`)
   * @returns this builder
   */
  tls(host: string, options: NonNullable<Input['tls']>[string]): this {
    this.#input.tls = { ...(this.#input.tls ?? {}), [host]: options };
    return this;
  }

  /**
   * Pull mirrors of one registry, tried in order before it (replacing earlier ones for it).
   * @param registry - `docker.io` or `host[:port]`
   * @param urls - mirror base URLs
   * @returns this builder
   */
  mirrors(registry: string, ...urls: string[]): this {
    this.#input.mirrors = { ...(this.#input.mirrors ?? {}), [registry]: urls };
    return this;
  }

  /** @param dispatcher - the undici dispatcher for every request @returns this builder */
  dispatcher(dispatcher: Dispatcher): this {
    this.#input.dispatcher = dispatcher;
    return this;
  }

  /**
   * Validates the input.
   * @returns the configuration
   * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} listing every bad field
   */
  build(): ResolvedDockerHubConfig {
    return parseConfig(this.#input);
  }
}
