import { ConfigError, systemClock } from '@llmdevops/docker-hub-core';
import { Agent } from 'undici';
import { describe, expect, it } from 'vitest';
import { createSchemeStore } from '../dispatch/scheme.js';
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

describe('createTransport options, every rule and default', () => {
  it('fills every default, and the connect timeout from timeoutMs', () => {
    expect(resolveOptions({})).toEqual({
      timeoutMs: 60_000,
      connectTimeoutMs: 60_000,
      totalTimeoutMs: undefined,
      maxRetries: 3,
      maxRetryWaitMs: 60_000,
      backoffBaseMs: 200,
      backoffCapMs: 10_000,
      circuitBreaker: { failureThreshold: 5, successThreshold: 2, resetTimeoutMs: 30_000 },
      lowThreshold: 10,
      maxConcurrentPerHost: 16,
      insecureHosts: [],
      maxRedirects: 10,
      userAgent: 'docker-hub-transport',
    });
    expect(resolveOptions({ timeoutMs: 5 }).connectTimeoutMs).toBe(5);
  });

  it('keeps its own copy of insecureHosts', () => {
    const hosts = ['a.example'];
    const o = resolveOptions({ insecureHosts: hosts });
    hosts.push('b.example');
    expect(o.insecureHosts).toEqual(['a.example']);
  });

  it('names every other option with a bad value', () => {
    expect(
      issues({
        dispatcher: { dispatch: 5 },
        connectTimeoutMs: Number.NaN,
        totalTimeoutMs: -1,
        maxRetryWaitMs: -1,
        backoffBaseMs: -1,
        backoffCapMs: -1,
        circuitBreaker: { successThreshold: 0, resetTimeoutMs: -1 },
        rateLimit: { lowThreshold: -1 },
        proxyFromEnv: 'yes',
        proxy: true,
        tls: 'x',
        certsRoots: ['a', 1],
        env: 'x',
        schemeStore: { get: () => undefined, set: () => undefined },
        maxRedirects: 1.5,
        random: 5,
        userAgent: 5,
      }),
    ).toEqual([
      { path: 'dispatcher', message: 'must be an undici Dispatcher' },
      { path: 'connectTimeoutMs', message: 'must be a finite number >= 0' },
      { path: 'totalTimeoutMs', message: 'must be a finite number >= 0' },
      { path: 'maxRetryWaitMs', message: 'must be a finite number >= 0' },
      { path: 'backoffBaseMs', message: 'must be a finite number >= 0' },
      { path: 'backoffCapMs', message: 'must be a finite number >= 0' },
      { path: 'circuitBreaker.successThreshold', message: 'must be an integer >= 1' },
      { path: 'circuitBreaker.resetTimeoutMs', message: 'must be a finite number >= 0' },
      { path: 'rateLimit.lowThreshold', message: 'must be a finite number >= 0' },
      { path: 'proxyFromEnv', message: 'must be true or false' },
      { path: 'proxy', message: "must be { url, httpUrl, noProxy }, 'env' or false" },
      { path: 'tls', message: 'must be an object' },
      { path: 'certsRoots.1', message: 'must be a string' },
      { path: 'env', message: 'must be an object' },
      { path: 'schemeStore', message: 'must be a scheme store ({ get, set, delete }, e.g. createSchemeStore())' },
      { path: 'maxRedirects', message: 'must be an integer >= 0' },
      { path: 'random', message: 'must be a function' },
      { path: 'userAgent', message: 'must be a string' },
    ]);
  });

  it("accepts a proxy of 'env', false or { url }, a CA list and a scheme store, and refuses null for objects", () => {
    for (const proxy of ['env', false, { url: 'http://proxy.test:3128' }]) expect(issues({ proxy }), JSON.stringify(proxy)).toEqual([]);
    expect(issues({ proxy: 'x' })).toEqual([{ path: 'proxy', message: "must be { url, httpUrl, noProxy }, 'env' or false" }]);
    expect(issues({ proxy: { url: 5 } })).toEqual([{ path: 'proxy', message: "must be { url, httpUrl, noProxy }, 'env' or false" }]);
    expect(issues({ ca: 'pem' })).toEqual([]);
    expect(issues({ ca: ['a', 'b'] })).toEqual([]);
    expect(issues({ ca: [1] })).toEqual([{ path: 'ca', message: 'must be a PEM string or an array of them' }]);
    expect(issues({ schemeStore: createSchemeStore() })).toEqual([]);
    expect(issues({ schemeStore: null })).toEqual([{ path: 'schemeStore', message: 'must be a scheme store ({ get, set, delete }, e.g. createSchemeStore())' }]);
    expect(issues({ dispatcher: null })).toEqual([{ path: 'dispatcher', message: 'must be an undici Dispatcher' }]);
    expect(issues({ dispatcher: { dispatch: () => true } })).toEqual([]);
  });
});
