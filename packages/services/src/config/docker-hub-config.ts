import { DockerHubConfigBuilder } from './builder.js';
import { envNameOf, inputFromEnv } from './load-env.js';
import { inputFromFile, snakeCase } from './load-file.js';
import { parseConfig } from './parse-config.js';
import type { DockerHubConfigInput, ResolvedDockerHubConfig } from './schema.js';

/** A validated configuration (what every `DockerHubConfig.*` factory returns). @public */
export type DockerHubConfig = ResolvedDockerHubConfig;

/** `DOCKER_HUB_BUDGET_URL` applies with a file too, over the file's `budget.url`. */
function withEnvBudget(input: DockerHubConfigInput, env: NodeJS.ProcessEnv): DockerHubConfigInput {
  const url = inputFromEnv(env).budget?.url;
  return url === undefined ? input : { ...input, budget: { ...input.budget, url } };
}

/** Options of {@link DockerHubConfig.fromFile}. @public */
export interface FromFileOptions {
  /** Variables for `${VAR}` interpolation (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /** Fields set in code on top of the file (e.g. a `dispatcher`). */
  readonly overrides?: DockerHubConfigInput;
}

/**
 * Configuration factories: environment, YAML file, builder or plain object, all validated by one
 * zod schema.
 * @example
 * ```ts
 * const client = new DockerHubClient(DockerHubConfig.fromEnv());
 * ```
 * @public
 */
export const DockerHubConfig = {
  /**
   * Reads the environment variables of seed section 4.1.
   * @param env - the environment (default `process.env`)
   * @param overrides - fields set in code on top (e.g. a `dispatcher`)
   * @returns the configuration
   * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} naming each bad variable
   */
  fromEnv(env: NodeJS.ProcessEnv = process.env, overrides: DockerHubConfigInput = {}): DockerHubConfig {
    return parseConfig({ ...inputFromEnv(env), ...overrides }, { describePath: envNameOf });
  },

  /**
   * Reads a YAML file shaped as seed section 4.2 (`docker_hub:` root, snake_case keys, strict),
   * with `${VAR}` and `${VAR:-default}` interpolation. Synchronous: configuration is read once.
   * @param path - the YAML file
   * @param options - interpolation variables and overrides
   * @returns the configuration
   * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} for an unreadable file, bad YAML, unset variables, unknown keys or bad values
   */
  fromFile(path: string, options: FromFileOptions = {}): DockerHubConfig {
    const env = options.env ?? process.env;
    const input = { ...withEnvBudget(inputFromFile(path, env), env), ...options.overrides };
    return parseConfig(input, { describePath: (p) => `docker_hub.${snakeCase(p)}` });
  },

  /**
   * Starts a builder.
   * @param base - input to start from
   * @returns the builder
   */
  builder(base: DockerHubConfigInput = {}): DockerHubConfigBuilder {
    return new DockerHubConfigBuilder(base);
  },

  /**
   * Validates a plain object.
   * @param input - camelCase configuration input
   * @returns the configuration
   * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} listing every bad field
   */
  parse(input: DockerHubConfigInput = {}): DockerHubConfig {
    return parseConfig(input);
  },
} as const;
