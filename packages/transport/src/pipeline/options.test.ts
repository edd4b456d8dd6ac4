import { ConfigError, systemClock } from '@llmdevops/docker-hub-core';
import { Agent } from 'undici';
import { describe, expect, it } from 'vitest';
import { resolveOptions, type TransportOptions } from './options.js';
import { createTransport } from './transport.js';

function issues(options: unknown): readonly { path: string; message: string }[] {
  try {
    resolveOptions(options as TransportOptions);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  return [];
}

describe('createTransport options', () => {
  it('throws a ConfigError naming a misspelt key', () => {
    const options = { maxRetires: 5 } as unknown as TransportOptions;
    expect(() => createTransport(options)).toThrow(ConfigError);
    expect(() => createTransport(options)).toThrow(/createTransport options:\n {2}- maxRetires: unknown option; did you mean maxRetries\?/);
  });

  it('lists every bad value instead of falling back to defaults', () => {
    expect(
      issues({
        timeoutMs: -1,
        maxRetries: Number.NaN,
        maxConcurrentPerHost: 0,
        circuitBreaker: { failureThreshold: 0, resetTimeout: 5 },
        insecureHosts: 'a.example',
        ca: 7,
        clock: { now: () => 0 },
        dispatcher: {},
      }),
    ).toEqual([
      { path: 'timeoutMs', message: 'must be a finite number >= 0' },
      { path: 'maxRetries', message: 'must be an integer >= 0' },
      { path: 'maxConcurrentPerHost', message: 'must be an integer >= 1' },
      { path: 'circuitBreaker.failureThreshold', message: 'must be an integer >= 1' },
      { path: 'circuitBreaker.resetTimeout', message: 'unknown option; did you mean resetTimeoutMs?' },
      { path: 'insecureHosts', message: 'must be an array' },
      { path: 'ca', message: 'must be a PEM string or an array of them' },
      { path: 'clock', message: 'must be a Clock with now() and sleep()' },
      { path: 'dispatcher', message: 'must be an undici Dispatcher' },
    ]);
  });

  it('accepts every documented option', async () => {
    const agent = new Agent();
    const o = resolveOptions({
      dispatcher: agent,
      timeoutMs: 1000,
      connectTimeoutMs: 500,
      totalTimeoutMs: 5000,
      maxRetries: 0,
      maxRetryWaitMs: 0,
      backoffBaseMs: 1,
      backoffCapMs: 2,
      circuitBreaker: { failureThreshold: 1, successThreshold: 1, resetTimeoutMs: 0 },
      rateLimit: { lowThreshold: 0 },
      maxConcurrentPerHost: 1,
      insecureHosts: ['a.example:5000'],
      ca: ['pem'],
      proxyFromEnv: false,
      maxRedirects: 0,
      clock: systemClock,
      random: Math.random,
      userAgent: 'x',
    });
    expect(o).toMatchObject({ timeoutMs: 1000, connectTimeoutMs: 500, totalTimeoutMs: 5000, maxRetries: 0, lowThreshold: 0, userAgent: 'x' });
    await agent.close();
  });
});
