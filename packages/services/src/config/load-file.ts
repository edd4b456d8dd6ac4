import { readFileSync } from 'node:fs';
import { ConfigError, type ConfigIssue } from '@llmdevops/docker-hub-core';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { DockerHubConfigInput } from './schema.js';

const ROOT_KEY = 'docker_hub';
const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** `timeout_seconds` -> `timeoutSeconds`. */
export function camelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** `timeoutSeconds` -> `timeout_seconds`, to name fields the way the file does. */
export function snakeCase(path: string): string {
  return path.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Replaces `${VAR}` and `${VAR:-default}` in every string scalar; collects unset variables. */
function interpolate(value: unknown, path: string, env: NodeJS.ProcessEnv, issues: ConfigIssue[]): unknown {
  if (typeof value === 'string') {
    return value.replace(VARIABLE, (_m, name: string, fallback: string | undefined) => {
      const v = env[name];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      issues.push({ path, message: `environment variable ${name} is not set` });
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, `${path}.${i}`, env, issues));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // Keys are turned into camelCase; unknown keys survive (in camelCase) for the strict schema to report.
      out[camelCase(k)] = interpolate(v, path === '' ? k : `${path}.${k}`, env, issues);
    }
    return out;
  }
  return value;
}

/**
 * Builds configuration input from YAML text shaped as seed section 4.2 (everything under
 * `docker_hub:`), with `${VAR}` / `${VAR:-default}` taken from `env`.
 * @param text - the YAML document
 * @param env - variables for interpolation (default `process.env`)
 * @param source - the file name, for error messages
 * @returns the input (not yet validated)
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} for YAML syntax errors, a missing or extra root key, or unset variables
 * @internal
 */
export function inputFromYaml(text: string, env: NodeJS.ProcessEnv = process.env, source = 'configuration'): DockerHubConfigInput {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    const where = err instanceof YAMLParseError ? ` at line ${err.linePos?.[0].line ?? '?'}` : '';
    throw new ConfigError([{ path: source, message: `is not valid YAML${where}` }]);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new ConfigError([{ path: source, message: `must be a mapping with a "${ROOT_KEY}" key` }]);
  }
  const issues: ConfigIssue[] = [];
  for (const key of Object.keys(doc)) {
    if (key !== ROOT_KEY) issues.push({ path: key, message: 'unknown key' });
  }
  const body = (doc as Record<string, unknown>)[ROOT_KEY];
  if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body))) {
    issues.push({ path: ROOT_KEY, message: 'must be a mapping' });
  }
  const input = body === undefined || body === null ? {} : interpolate(body, ROOT_KEY, env, issues);
  if (issues.length > 0) throw new ConfigError(issues);
  return input as DockerHubConfigInput;
}

/**
 * Reads a YAML configuration file (synchronously: configuration is read once at start-up).
 * @param path - the file
 * @param env - variables for interpolation
 * @returns the input (not yet validated)
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} when the file cannot be read or is invalid
 * @internal
 */
export function inputFromFile(path: string, env: NodeJS.ProcessEnv = process.env): DockerHubConfigInput {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError([{ path, message: `cannot read the configuration file (${code})` }]);
  }
  return inputFromYaml(text, env, path);
}
