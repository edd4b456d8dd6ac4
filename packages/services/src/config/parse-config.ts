import { ConfigError, type ConfigIssue } from '@llmdevops/docker-hub-core';
import type { z } from 'zod';
import { DockerHubConfigSchema, type DockerHubConfigInput, type ResolvedDockerHubConfig } from './schema.js';

const parsed = new WeakSet<object>();

/** Options of {@link parseConfig}. @public */
export interface ParseConfigOptions {
  /**
   * Names a field the way its source does (a YAML key path, an environment variable).
   * @param path - the camelCase path, e.g. `resilience.maxRetries`
   * @returns the name to show
   */
  readonly describePath?: (path: string) => string;
}

function issuesOf(error: z.ZodError, describe: (path: string) => string): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of error.issues) {
    const base = issue.path.map(String).join('.');
    // Unknown keys are reported once per key, at the key's own path.
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ path: describe(base === '' ? key : `${base}.${key}`), message: 'unknown key' });
      }
      continue;
    }
    out.push({ path: describe(base), message: issue.message });
  }
  return out;
}

/**
 * Validates a configuration from any source with the one zod schema.
 * @param input - a plain object (camelCase keys), from `fromEnv`, `fromFile`, the builder or the caller
 * @param options - how to name fields in errors
 * @returns the resolved configuration, frozen, credentials as `Secret`s
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} listing every bad field (never a value)
 * @public
 */
export function parseConfig(input: DockerHubConfigInput, options: ParseConfigOptions = {}): ResolvedDockerHubConfig {
  // reportInput is never set, so zod keeps input values (possibly secrets) out of issues.
  const result = DockerHubConfigSchema.safeParse(input);
  if (!result.success) throw new ConfigError(issuesOf(result.error, options.describePath ?? ((p) => p)));
  const config = Object.freeze(result.data);
  parsed.add(config);
  return config;
}

/**
 * Whether a value is a configuration returned by {@link parseConfig} (so it need not be parsed again).
 * @param value - anything
 * @returns true for parsed configurations
 * @public
 */
export function isResolvedConfig(value: unknown): value is ResolvedDockerHubConfig {
  return typeof value === 'object' && value !== null && parsed.has(value);
}
