import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@llmdevops/docker-hub-core';
import { createSimulator, type Simulator } from '@llmdevops/docker-hub-simulation';
import { Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DockerHubClient, DockerHubConfig } from '../index.js';

/** Passes requests to the simulator and remembers the origins they were meant for. */
class RecordingDispatcher extends Dispatcher {
  readonly origins: string[] = [];
  constructor(private readonly inner: Dispatcher) {
    super();
  }
  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    this.origins.push(String(options.origin));
    return this.inner.dispatch(options, handler);
  }
}

let sim: Simulator;
const empty = mkdtempSync(join(tmpdir(), 'svc-client-'));
beforeAll(() => {
  sim = createSimulator({ auth: 'none' });
});
afterAll(async () => {
  await sim.close();
  rmSync(empty, { recursive: true, force: true });
});

async function originsFor(ref: string, config: Parameters<typeof DockerHubConfig.parse>[0] = {}): Promise<string[]> {
  const recorder = new RecordingDispatcher(sim.dispatcher);
  const client = new DockerHubClient({ ...config, dispatcher: recorder, resilience: { maxRetries: 0 } }, { env: { DOCKER_CONFIG: empty } });
  try {
    await client.manifests.exists(ref);
  } finally {
    await client.close();
  }
  return [...new Set(recorder.origins)];
}

describe('registry selection', () => {
  it('sends docker.io references to registry-1.docker.io, or to registryUrl when set', async () => {
    expect(await originsFor('alpine:3.19')).toEqual(['https://registry-1.docker.io']);
    expect(await originsFor('alpine:3.19', { registryUrl: 'http://127.0.0.1:5999' })).toEqual(['http://127.0.0.1:5999']);
  });

  it('uses other registries as named: plain HTTP only for loopback and insecure registries', async () => {
    expect(await originsFor('localhost:5000/a/b:1')).toEqual(['http://localhost:5000']);
    expect(await originsFor('registry.internal:5000/a/b:1')).toEqual(['https://registry.internal:5000']);
    expect(await originsFor('registry.internal:5000/a/b:1', { insecureRegistries: ['registry.internal:5000'] })).toEqual(['http://registry.internal:5000']);
  });
});

describe('observability', () => {
  it('logs finished requests at debug when traceRequests is on, and nothing when silent', async () => {
    const lines: string[] = [];
    const logger = { debug: (m: string) => lines.push(`debug ${m}`), warn: (m: string) => lines.push(`warn ${m}`) };
    const traced = new DockerHubClient(
      { dispatcher: sim.dispatcher, observability: { traceRequests: true, logLevel: 'debug' }, auth: { username: 'u', password: 'very-secret-pw' } },
      { env: { DOCKER_CONFIG: empty }, logger },
    );
    await traced.manifests.exists('127.0.0.1:1/a/b:nope');
    await traced.close();
    expect(lines.some((l) => l.startsWith('debug HEAD 127.0.0.1:1') && l.includes('-> 404'))).toBe(true);
    expect(lines.join('\n')).not.toContain('very-secret-pw');
    const quiet: string[] = [];
    const silent = new DockerHubClient(
      { dispatcher: sim.dispatcher, observability: { traceRequests: true, logLevel: 'silent' } },
      { env: { DOCKER_CONFIG: empty }, logger: { debug: (m: string) => quiet.push(m), warn: (m: string) => quiet.push(m) } },
    );
    await silent.manifests.exists('127.0.0.1:1/a/b:nope');
    await silent.close();
    expect(quiet).toEqual([]);
  });
});

describe('construction', () => {
  it('reads the environment when given no configuration', async () => {
    vi.stubEnv('DOCKER_CHUNK_SIZE_MB', '2');
    vi.stubEnv('DOCKER_MAX_RETRIES', '7');
    const client = new DockerHubClient();
    expect(client.config.upload.chunkSizeMb).toBe(2);
    expect(client.config.resilience.maxRetries).toBe(7);
    await client[Symbol.asyncDispose]();
    vi.unstubAllEnvs();
  });

  it('accepts a parsed configuration or a plain object, and rejects a bad one with ConfigError', async () => {
    const parsed = DockerHubConfig.builder().timeoutSeconds(5).rateLimit({ lowThreshold: 2 }).observability({ logLevel: 'warn' }).circuitBreaker({ failureThreshold: 2 }).hubUrl('https://hub.example.test').authUrl('https://auth.example.test').build();
    const a = new DockerHubClient(parsed);
    expect(a.config).toBe(parsed);
    expect(a.config.resilience.circuitBreaker).toEqual({ failureThreshold: 2, successThreshold: 2, resetTimeoutSeconds: 30 });
    await a.close();
    const b = new DockerHubClient({ upload: { maxConcurrentDownloads: 3 } });
    expect(b.config.upload.maxConcurrentDownloads).toBe(3);
    expect(b.events).toBeDefined();
    await b.close();
    expect(() => new DockerHubClient({ upload: { chunkSizeMb: -1 } })).toThrow(ConfigError);
  });
});
