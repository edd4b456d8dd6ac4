import { ConfigError, Secret } from '@llmdevops/docker-hub-core';
import { describe, expect, it } from 'vitest';
import { createHubLogin, type HubLoginOptions } from '../hub/hub-login.js';
import { createAuthMiddleware, type AuthMiddlewareOptions } from '../middleware/auth-middleware.js';

const send = (): Promise<never> => Promise.reject(new Error('not sent'));

describe('createAuthMiddleware options', () => {
  it('throws a ConfigError naming a misspelt key', () => {
    const options = { refreshMargin: 5_000 } as unknown as AuthMiddlewareOptions;
    expect(() => createAuthMiddleware(options)).toThrow(ConfigError);
    expect(() => createAuthMiddleware(options)).toThrow(/refreshMargin: unknown option; did you mean refreshMarginMs\?/);
  });

  it('lists every wrongly typed value', () => {
    const options = {
      credentials: 'alice:secret',
      clock: Date.now,
      refreshMarginMs: -1,
      insecureHosts: 'a.example',
      offlineToken: 'yes',
    } as unknown as AuthMiddlewareOptions;
    let error: unknown;
    try {
      createAuthMiddleware(options);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.path)).toEqual([
      'credentials',
      'clock',
      'refreshMarginMs',
      'insecureHosts',
      'offlineToken',
    ]);
    expect(JSON.stringify(error)).not.toContain('secret');
  });

  it('accepts the documented options', () => {
    expect(() =>
      createAuthMiddleware({
        credentials: { username: 'alice', password: new Secret('pw') },
        clock: { now: () => 0 },
        refreshMarginMs: 0,
        insecureHosts: new Set(['a.example:5000']),
        clientId: 'x',
        offlineToken: true,
        forceOAuth: false,
        onEvent: () => undefined,
      }),
    ).not.toThrow();
  });
});

describe('createHubLogin options', () => {
  it('throws a ConfigError naming a misspelt key', () => {
    const options = { identifier: 'alice', secret: 'pw', send, renewMargin: 1 } as unknown as HubLoginOptions;
    expect(() => createHubLogin(options)).toThrow(/createHubLogin options:\n {2}- renewMargin: unknown option; did you mean renewMarginMs\?/);
  });

  it('refuses wrong types, never echoing the secret', () => {
    const options = { identifier: 7, secret: 12345, send: 'x', endpoint: 'v3', hubUrl: 1 } as unknown as HubLoginOptions;
    let error: unknown;
    try {
      createHubLogin(options);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.path)).toEqual(['identifier', 'secret', 'send', 'endpoint', 'hubUrl']);
    expect((error as ConfigError).message).not.toContain('12345');
  });

  it('accepts a Secret, a URL and every endpoint', () => {
    for (const endpoint of ['auto', 'auth-token', 'users-login'] as const) {
      const hub = createHubLogin({ identifier: 'alice', secret: new Secret('pw'), send, endpoint, hubUrl: new URL('https://hub.example') });
      hub.dispose();
    }
  });
});
