import { ConfigError } from '@llmdevops/docker-hub-core';
import { describe, expect, it } from 'vitest';
import { DockerHubClient, type ClientDeps } from './docker-hub-client.js';

const config = { registryUrl: 'http://127.0.0.1:5000', hubUrl: 'http://127.0.0.1:5000' };

describe('DockerHubClient deps', () => {
  it('throws a ConfigError naming a misspelt key', () => {
    const deps = { userAgen: 'x' } as unknown as ClientDeps;
    expect(() => new DockerHubClient(config, deps)).toThrow(ConfigError);
    expect(() => new DockerHubClient(config, deps)).toThrow(/DockerHubClient deps:\n {2}- userAgen: unknown option; did you mean userAgent\?/);
  });

  it('refuses wrongly typed seams', () => {
    const deps = { clock: { now: () => 0 }, telemetry: 'on', random: 0.5 } as unknown as ClientDeps;
    let error: unknown;
    try {
      new DockerHubClient(config, deps);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.path)).toEqual(['clock', 'telemetry', 'random']);
  });

  it('rejects an unknown configuration key through the config schema', () => {
    const input = { ...config, registryURL: 'http://x' } as unknown as typeof config;
    expect(() => new DockerHubClient(input)).toThrow(ConfigError);
  });
});
