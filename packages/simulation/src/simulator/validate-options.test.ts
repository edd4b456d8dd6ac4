import { ConfigError } from '@llmdevops/docker-hub-core';
import { describe, expect, it } from 'vitest';
import { createSimulator } from './create-simulator.js';
import { type SimulatorOptions } from './options.js';

function issues(options: unknown): readonly { path: string; message: string }[] {
  try {
    createSimulator(options as SimulatorOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  return [];
}

describe('createSimulator options', () => {
  it('refuses an unknown profile at once instead of running without rules', () => {
    expect(() => createSimulator({ profile: 'docker-hub' } as unknown as SimulatorOptions)).toThrow(
      /createSimulator options:\n {2}- profile: must be one of "oci", "distribution", "dockerhub"/,
    );
  });

  it('throws a ConfigError naming a misspelt key', () => {
    expect(issues({ profile: 'dockerhub', tokenExpiresInSeconds: 60, rateLimit: true })).toEqual([
      { path: 'tokenExpiresInSeconds', message: 'unknown option; did you mean tokenExpiresIn?' },
      { path: 'rateLimit', message: 'unknown option; did you mean rateLimits?' },
    ]);
    expect(issues({ rules: { catalogue: 'paged' } })).toEqual([
      { path: 'rules.catalogue', message: 'unknown option; did you mean catalog?' },
    ]);
  });

  it('refuses wrong types', () => {
    expect(
      issues({
        auth: 'bearer',
        clock: () => 0,
        rules: { ociAcceptRequired: 'yes', catalog: 1 },
        rateLimits: { anonymousLimit: -1 },
        storage: 'disk',
        webhookAttempts: 0,
      }).map((i) => i.path),
    ).toEqual(['auth', 'clock', 'rules.ociAcceptRequired', 'rules.catalog', 'rateLimits', 'storage', 'webhookAttempts']);
  });

  it('accepts the documented options', async () => {
    const sim = createSimulator({
      profile: 'distribution',
      rules: { catalog: 'paged', ociAcceptRequired: false },
      storage: 'memory',
      auth: 'basic',
      users: [{ name: 'a', password: 'b' }],
      repositories: { 'a/b': { private: true } },
      tokenExpiresIn: 60,
      rateLimits: { anonymousLimit: 1 },
      clock: { now: () => 0 },
      webhookAttempts: 1,
      hubUrl: 'http://hub.test',
    });
    await sim.store.ready();
    expect(issues({ rateLimits: false, faults: [] })).toEqual([]);
  });
});
