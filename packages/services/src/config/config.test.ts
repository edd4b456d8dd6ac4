import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ConfigError, Secret } from '@llmdevops/docker-hub-core';
import { afterAll, describe, expect, it } from 'vitest';
import { DockerHubConfig, isResolvedConfig } from '../index.js';

const dir = mkdtempSync(join(tmpdir(), 'svc-config-'));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

function catchConfig(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('DockerHubConfig.fromEnv', () => {
  it('applies defaults when the environment is empty', () => {
    const c = DockerHubConfig.fromEnv({});
    expect(c.hubUrl).toBe('https://hub.docker.com');
    expect(c.registryUrl).toBeUndefined();
    expect(c.resilience).toEqual({ timeoutSeconds: 60, totalTimeoutSeconds: 3600, maxRetries: 3, circuitBreaker: { failureThreshold: 5, successThreshold: 2, resetTimeoutSeconds: 30 } });
    expect(c.upload).toEqual({ chunkSizeMb: 5, maxConcurrentUploads: 5, maxConcurrentDownloads: 10 });
    expect(c.cache.enabled).toBe(true);
    expect(isResolvedConfig(c)).toBe(true);
  });

  it('reads every seed 4.1 variable and wraps credentials in Secret', () => {
    const c = DockerHubConfig.fromEnv({
      DOCKER_HUB_URL: 'http://127.0.0.1:9/',
      DOCKER_REGISTRY_URL: 'http://127.0.0.1:5000',
      DOCKER_AUTH_URL: 'http://127.0.0.1:5001',
      DOCKER_TIMEOUT_SECONDS: '12',
      DOCKER_CHUNK_SIZE_MB: '0.5',
      DOCKER_MAX_RETRIES: '0',
      DOCKER_HUB_USERNAME: 'alice',
      DOCKER_HUB_ACCESS_TOKEN: 'dckr_pat_supersecret',
    });
    expect(c.hubUrl).toBe('http://127.0.0.1:9');
    expect(c.registryUrl).toBe('http://127.0.0.1:5000');
    expect(c.resilience.timeoutSeconds).toBe(12);
    expect(c.resilience.maxRetries).toBe(0);
    expect(c.upload.chunkSizeMb).toBe(0.5);
    expect(c.auth.accessToken).toBeInstanceOf(Secret);
    expect(c.auth.accessToken?.reveal()).toBe('dckr_pat_supersecret');
    expect(JSON.stringify(c)).not.toContain('supersecret');
    expect(inspect(c, { depth: 10 })).not.toContain('supersecret');
  });

  it('lists every bad variable at once by its name, without values', () => {
    const err = catchConfig(() =>
      DockerHubConfig.fromEnv({ DOCKER_TIMEOUT_SECONDS: 'soon', DOCKER_MAX_RETRIES: '-1', DOCKER_HUB_URL: 'ftp://x', DOCKER_HUB_PASSWORD: 'hunter2hunter2' }),
    );
    const paths = err.issues.map((i) => i.path).sort();
    expect(paths).toEqual(['DOCKER_HUB_URL', 'DOCKER_HUB_USERNAME', 'DOCKER_MAX_RETRIES', 'DOCKER_TIMEOUT_SECONDS']);
    expect(err.issues.find((i) => i.path === 'DOCKER_TIMEOUT_SECONDS')?.message).toBe('must be a number');
    expect(err.message).not.toContain('hunter2');
    expect(err.message).not.toContain('soon');
    expect(err.code).toBe('CONFIG_INVALID');
  });
});

describe('resilience.totalTimeoutSeconds', () => {
  it('is an hour by default and read from DOCKER_TOTAL_TIMEOUT_SECONDS, total_timeout_seconds and the builder', () => {
    expect(DockerHubConfig.fromEnv({}).resilience.totalTimeoutSeconds).toBe(3600);
    expect(DockerHubConfig.fromEnv({ DOCKER_TOTAL_TIMEOUT_SECONDS: '90' }).resilience.totalTimeoutSeconds).toBe(90);
    const file = join(dir, 'total.yaml');
    writeFileSync(file, 'docker_hub:\n  resilience:\n    total_timeout_seconds: 0\n');
    expect(DockerHubConfig.fromFile(file, { env: {} }).resilience.totalTimeoutSeconds).toBe(0);
    expect(DockerHubConfig.builder().totalTimeoutSeconds(30).build().resilience.totalTimeoutSeconds).toBe(30);
  });

  it('rejects a negative or non-numeric value by its variable name', () => {
    const err = catchConfig(() => DockerHubConfig.fromEnv({ DOCKER_TOTAL_TIMEOUT_SECONDS: '-1' }));
    expect(err.issues.map((i) => i.path)).toEqual(['DOCKER_TOTAL_TIMEOUT_SECONDS']);
    expect(catchConfig(() => DockerHubConfig.fromEnv({ DOCKER_TOTAL_TIMEOUT_SECONDS: 'soon' })).issues[0]?.message).toBe('must be a number');
  });
});

describe('DockerHubConfig.fromFile', () => {
  it('reads the seed 4.2 YAML schema with ${VAR} interpolation', () => {
    const file = join(dir, 'ok.yaml');
    writeFileSync(
      file,
      `docker_hub:
  hub_url: https://hub.example.test
  registry_url: \${REG_URL}
  auth:
    username: bob
    password: \${BOB_PW}
  resilience:
    timeout_seconds: \${TIMEOUT:-45}
    max_retries: 2
    circuit_breaker: { failure_threshold: 3, success_threshold: 1, reset_timeout_seconds: 10 }
  upload: { chunk_size_mb: 8, max_concurrent_uploads: 2, max_concurrent_downloads: 4 }
  cache: { manifest_ttl_seconds: 0, tag_ttl_seconds: 5, enabled: false }
  rate_limit: { low_threshold: 3, track_headers: true }
  observability: { trace_requests: true, log_level: debug, redact_credentials: true }
`,
    );
    const c = DockerHubConfig.fromFile(file, { env: { REG_URL: 'http://127.0.0.1:5000', BOB_PW: 'pw-from-env' } });
    expect(c.registryUrl).toBe('http://127.0.0.1:5000');
    expect(c.auth.password?.reveal()).toBe('pw-from-env');
    expect(c.resilience).toEqual({ timeoutSeconds: 45, totalTimeoutSeconds: 3600, maxRetries: 2, circuitBreaker: { failureThreshold: 3, successThreshold: 1, resetTimeoutSeconds: 10 } });
    expect(c.upload.maxConcurrentDownloads).toBe(4);
    expect(c.cache).toEqual({ manifestTtlSeconds: 0, tagTtlSeconds: 5, enabled: false });
    expect(c.observability.logLevel).toBe('debug');
  });

  it('rejects unknown keys, bad values and unset variables, naming YAML paths', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'docker_hub:\n  hub_url: ${NOPE}\n  resilience:\n    timeout_secnds: 3\n    max_retries: lots\nextra: 1\n');
    const err = catchConfig(() => DockerHubConfig.fromFile(file, { env: {} }));
    expect(err.issues.map((i) => i.path).sort()).toEqual(['docker_hub.hub_url', 'extra']);
    const file2 = join(dir, 'bad2.yaml');
    writeFileSync(file2, 'docker_hub:\n  resilience:\n    timeout_secnds: 3\n    max_retries: lots\n');
    const err2 = catchConfig(() => DockerHubConfig.fromFile(file2, { env: {} }));
    expect(err2.issues.map((i) => i.path).sort()).toEqual(['docker_hub.resilience.max_retries', 'docker_hub.resilience.timeout_secnds']);
  });

  it('reports unreadable files and invalid YAML as ConfigError', () => {
    expect(catchConfig(() => DockerHubConfig.fromFile(join(dir, 'missing.yaml'))).message).toContain('ENOENT');
    const file = join(dir, 'syntax.yaml');
    writeFileSync(file, 'docker_hub: [unclosed\n');
    expect(catchConfig(() => DockerHubConfig.fromFile(file)).message).toContain('not valid YAML');
  });
});

describe('builder and plain objects', () => {
  it('builds through the same schema', () => {
    const c = DockerHubConfig.builder()
      .registryUrl('http://127.0.0.1:5000')
      .credentials('carol', 'pw', 'accessToken')
      .maxRetries(1)
      .chunkSizeMb(1)
      .concurrency({ uploads: 2, downloads: 3 })
      .cache({ enabled: false })
      .insecureRegistries('registry.internal:5000')
      .build();
    expect(c.auth.username).toBe('carol');
    expect(c.auth.accessToken?.reveal()).toBe('pw');
    expect(c.upload).toEqual({ chunkSizeMb: 1, maxConcurrentUploads: 2, maxConcurrentDownloads: 3 });
    expect(c.insecureRegistries).toEqual(['registry.internal:5000']);
    expect(() => DockerHubConfig.builder().maxRetries(-2).build()).toThrow(ConfigError);
  });

  it('rejects unknown fields and non-dispatchers in plain objects', () => {
    const err = catchConfig(() => DockerHubConfig.parse({ dispatcher: {} as never, ...({ bogus: 1 } as object) }));
    expect(err.issues.map((i) => i.path).sort()).toEqual(['bogus', 'dispatcher']);
  });
});
