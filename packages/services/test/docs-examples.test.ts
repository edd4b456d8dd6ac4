// Runs the configuration examples of docs/configuration.md (docs/examples/configuration-*.ts,
// copied verbatim into the Markdown; packages/core/test/docs-examples.test.ts checks the copies).
// The examples are loaded by path so that this package's typecheck does not pull them in (they
// typecheck with docs/examples/tsconfig.json).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Secret } from '@llmdevops/docker-hub-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { DockerHubConfig } from '../src/index.js';

async function example<T>(name: string): Promise<T> {
  return (await import(
    fileURLToPath(new URL(`../../../docs/examples/${name}`, import.meta.url))
  )) as T;
}

const TOKEN = 'dckr_pat_docs_example_value';

describe('docs/examples/configuration-env.ts', () => {
  it('reads the variables, applies defaults and keeps the token secret', async () => {
    const { configFromEnv } = await example<{
      configFromEnv(env: NodeJS.ProcessEnv): Promise<Record<string, unknown>>;
    }>('configuration-env.ts');
    const out = await configFromEnv({
      DOCKER_HUB_USERNAME: 'alice',
      DOCKER_HUB_ACCESS_TOKEN: TOKEN,
      DOCKER_TIMEOUT_SECONDS: '10',
      DOCKER_REGISTRY_URL: 'https://mirror.example.com/',
    });
    expect(out).toEqual({
      timeoutSeconds: 10,
      maxRetries: 3,
      chunkSizeMb: 5,
      registryUrl: 'https://mirror.example.com',
      printedToken: '[REDACTED]',
    });
    expect(JSON.stringify(out)).not.toContain(TOKEN);
  });
});

describe('docs/examples/configuration-file.ts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'docs-config-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  it('interpolates ${VAR} and ${VAR:-default} and applies file values over defaults', async () => {
    const { configFromFile } = await example<{
      configFromFile(dir: string, env: NodeJS.ProcessEnv): Promise<DockerHubConfig>;
    }>('configuration-file.ts');
    const config = await configFromFile(dir, {
      DOCKER_HUB_USERNAME: 'alice',
      DOCKER_HUB_ACCESS_TOKEN: TOKEN,
    });
    expect(config.registryUrl).toBe('https://registry-1.docker.io');
    expect(config.auth.username).toBe('alice');
    expect(config.auth.accessToken).toBeInstanceOf(Secret);
    expect(config.auth.accessToken?.reveal()).toBe(TOKEN);
    expect(config.resilience).toEqual({
      timeoutSeconds: 20,
      totalTimeoutSeconds: 3600,
      maxRetries: 3,
      circuitBreaker: { failureThreshold: 3, successThreshold: 2, resetTimeoutSeconds: 30 },
    });
    expect(config.upload.maxConcurrentUploads).toBe(2);
    expect(config.cache.enabled).toBe(false);
    const mirror = await configFromFile(dir, {
      REGISTRY_URL: 'http://127.0.0.1:5000',
      DOCKER_HUB_USERNAME: 'alice',
      DOCKER_HUB_ACCESS_TOKEN: TOKEN,
    });
    expect(mirror.registryUrl).toBe('http://127.0.0.1:5000');
  });

  it('names an unset variable by its key', async () => {
    const { configFromFile } = await example<{
      configFromFile(dir: string, env: NodeJS.ProcessEnv): Promise<DockerHubConfig>;
    }>('configuration-file.ts');
    await expect(configFromFile(dir, { DOCKER_HUB_USERNAME: 'alice' })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      issues: [
        {
          path: 'docker_hub.auth.access_token',
          message: 'environment variable DOCKER_HUB_ACCESS_TOKEN is not set',
        },
      ],
    });
  });
});

describe('docs/examples/configuration-builder.ts', () => {
  it('builder and plain object give the same settings; the object client works', async () => {
    const { builderAndObject } = await example<{
      builderAndObject(): Promise<{
        fromBuilder: Record<string, number>;
        fromObject: Record<string, number>;
        exists: boolean;
      }>;
    }>('configuration-builder.ts');
    const out = await builderAndObject();
    expect(out.fromBuilder).toEqual({ maxRetries: 5, uploads: 2, failureThreshold: 3 });
    expect(out.fromObject).toEqual(out.fromBuilder);
    expect(out.exists).toBe(false);
  });
});

describe('docs/examples/configuration-errors.ts', () => {
  it('lists every bad variable by name and never a value', async () => {
    const { configProblems, objectProblems } = await example<{
      configProblems(env: NodeJS.ProcessEnv): string[];
      objectProblems(json: string): string[];
    }>('configuration-errors.ts');
    const problems = configProblems({
      DOCKER_HUB_PASSWORD: 'hunter2-not-shown',
      DOCKER_MAX_RETRIES: 'many',
      DOCKER_REGISTRY_URL: 'registry.example.com',
    });
    expect([...problems].sort()).toEqual([
      'DOCKER_HUB_USERNAME: is required when a password or access token is set',
      'DOCKER_MAX_RETRIES: must be a number',
      'DOCKER_REGISTRY_URL: must be an http(s) URL',
    ]);
    expect(problems.join('\n')).not.toContain('hunter2');
    expect(configProblems({})).toEqual([]);
    expect(
      objectProblems(
        '{"resilience":{"maxRetries":-1,"timeoutSecs":10},"hubUrl":"ftp://hub.example.com"}',
      ),
    ).toEqual([
      'hubUrl: must be an http(s) URL',
      'resilience.maxRetries: must be 0 or more',
      'resilience.timeoutSecs: unknown key',
    ]);
  });
});
