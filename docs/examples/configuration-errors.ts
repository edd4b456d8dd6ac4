import { ConfigError } from '@llmdevops/docker-hub-core';
import { DockerHubConfig, type DockerHubConfigInput } from '@llmdevops/docker-hub-services';

/**
 * A bad configuration fails at once with a `ConfigError` (code `CONFIG_INVALID`) that lists
 * every bad field, named the way its source names it, and never shows a value.
 * @param env - the environment to validate
 * @returns the issues as `path: message` lines (empty when the configuration is valid)
 */
export function configProblems(env: NodeJS.ProcessEnv): string[] {
  try {
    DockerHubConfig.fromEnv(env);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
}

/**
 * The same for a plain object, e.g. settings read from JSON: unknown keys (typos) are errors,
 * not silently ignored settings.
 * @param json - the settings as JSON text
 * @returns the issues as `path: message` lines
 */
export function objectProblems(json: string): string[] {
  try {
    DockerHubConfig.parse(JSON.parse(json) as DockerHubConfigInput);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
}
