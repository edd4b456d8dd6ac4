import {
  AuthenticationError,
  AuthorizationError,
  NotFoundError,
  RateLimitError,
  RegistryError,
  Secret,
  ServerError,
  ValidationError,
} from '@llmdevops/docker-hub-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  httpNext,
  type ReceivedRequest,
  type ScriptedReply,
  type ScriptedServer,
  startScriptedServer,
} from '../../test/helpers/http-next.js';
import { hubErrorFromResponse, readHubErrorBody } from './hub-errors.js';
import { createHubLogin } from './hub-login.js';

function jwt(exp: number): string {
  const enc = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${enc({ alg: 'HS256' })}.${enc({ exp, sub: 'alice' })}.sig`;
}

let hub: ScriptedServer;
const clock = {
  t: 1_800_000_000_000,
  now(): number {
    return this.t;
  },
};

beforeAll(async () => {
  hub = await startScriptedServer();
});
afterAll(async () => {
  await hub.close();
});
beforeEach(() => {
  hub.received.length = 0;
  clock.t = 1_800_000_000_000;
});

function route(routes: Record<string, (r: ReceivedRequest) => ScriptedReply>): void {
  hub.handler = (r) => routes[r.path]?.(r) ?? { status: 404, body: { detail: 'not found' } };
}

describe('createHubLogin', () => {
  it('logs in with /v2/auth/token and renews before exp', async () => {
    let n = 0;
    route({
      '/v2/auth/token': () => ({
        status: 200,
        body: { access_token: jwt(clock.t / 1000 + 600 + n++) },
      }),
    });
    const session = createHubLogin({
      hubUrl: `${hub.url}/`,
      identifier: 'alice',
      secret: 'dckr_pat_abc',
      send: httpNext(),
      clock,
    });
    expect(session.origin).toBe(hub.origin);
    expect(session.expiresAt).toBeUndefined();
    const first = await session.token();
    expect(JSON.parse(hub.received[0]?.body ?? '')).toEqual({
      identifier: 'alice',
      secret: 'dckr_pat_abc',
    });
    expect(session.expiresAt).toBe(clock.t + 600_000);
    clock.t += 500_000;
    expect(await session.token()).toBe(first);
    clock.t += 50_000; // within 60 s of exp
    const second = await session.token();
    expect(second).not.toBe(first);
    expect(hub.received).toHaveLength(2);
    session.dispose();
    expect(first.disposed).toBe(true);
    expect(second.disposed).toBe(true);
    await expect(session.token()).rejects.toBeInstanceOf(ValidationError);
  });

  it('shares one login between concurrent callers and re-logs in after invalidate()', async () => {
    route({ '/v2/auth/token': () => ({ status: 200, body: { access_token: 'opaque' } }) });
    const session = createHubLogin({
      hubUrl: hub.url,
      identifier: 'alice',
      secret: new Secret('pw'),
      send: httpNext(),
      clock,
      defaultLifetimeMs: 120_000,
    });
    const [a, b] = await Promise.all([session.token(), session.token()]);
    expect(a).toBe(b);
    expect(hub.received).toHaveLength(1);
    expect(session.expiresAt).toBe(clock.t + 120_000);
    session.invalidate();
    await session.token();
    expect(hub.received).toHaveLength(2);
  });

  it("does not dispose the caller's Secret", async () => {
    const secret = new Secret('pw');
    const session = createHubLogin({
      hubUrl: hub.url,
      identifier: 'alice',
      secret,
      send: httpNext(),
    });
    session.dispose();
    expect(secret.disposed).toBe(false);
  });

  it('falls back to the legacy /v2/users/login when /v2/auth/token is missing', async () => {
    route({
      '/v2/users/login': () => ({ status: 200, body: { token: jwt(clock.t / 1000 + 3600) } }),
    });
    const session = createHubLogin({
      hubUrl: hub.url,
      identifier: 'alice',
      secret: 'pw',
      send: httpNext(),
      clock,
    });
    await session.token();
    expect(hub.received.map((r) => r.path)).toEqual(['/v2/auth/token', '/v2/users/login']);
    expect(JSON.parse(hub.received[1]?.body ?? '')).toEqual({ username: 'alice', password: 'pw' });
  });

  it('runs the 2FA flow with the code from the callback', async () => {
    route({
      '/v2/users/login': () => ({
        status: 401,
        body: {
          detail: 'Require secondary authentication on MFA enabled account',
          login_2fa_token: 'l2fa',
        },
      }),
      '/v2/users/2fa-login': (r) =>
        JSON.parse(r.body).code === '123456'
          ? { status: 200, body: { token: jwt(clock.t / 1000 + 3600) } }
          : { status: 401, body: { detail: 'Incorrect' } },
    });
    const onTwoFactor = vi.fn(async () => ' 123456 ');
    const session = createHubLogin({
      hubUrl: hub.url,
      identifier: 'alice',
      secret: 'pw',
      send: httpNext(),
      clock,
      endpoint: 'users-login',
      onTwoFactor,
    });
    await session.token();
    expect(onTwoFactor).toHaveBeenCalledWith({ identifier: 'alice' });
    expect(JSON.parse(hub.received[1]?.body ?? '')).toEqual({
      login_2fa_token: 'l2fa',
      code: '123456',
    });
  });

  it('also handles a 2FA answer from /v2/auth/token', async () => {
    route({
      '/v2/auth/token': () => ({
        status: 401,
        body: { detail: 'Incorrect authentication credentials', login_2fa_token: 'l2fa' },
      }),
      '/v2/users/2fa-login': () => ({ status: 200, body: { token: 'jwt' } }),
    });
    const session = createHubLogin({
      hubUrl: hub.url,
      identifier: 'alice',
      secret: 'pw',
      send: httpNext(),
      onTwoFactor: async () => '1',
    });
    expect((await session.token()).reveal()).toBe('jwt');
  });

  it.each([
    ['no callback', undefined, /supply a one-time code/],
    ['an empty code', async () => '  ', /code was empty/],
    ['a refused code', async () => '000000', /code was refused/],
  ])('fails with TWO_FACTOR_REQUIRED for %s', async (_label, onTwoFactor, message) => {
    route({
      '/v2/users/login': () => ({
        status: 401,
        body: { detail: 'Require secondary authentication', login_2fa_token: 'l2fa-secret' },
      }),
      '/v2/users/2fa-login': () => ({
        status: 401,
        body: { detail: 'Incorrect authentication credentials' },
      }),
    });
    const session = createHubLogin({
      hubUrl: hub.url,
      identifier: 'alice',
      secret: 'pw',
      send: httpNext(),
      endpoint: 'users-login',
      ...(onTwoFactor === undefined ? {} : { onTwoFactor }),
    });
    const err = await session.token().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as AuthenticationError).code).toBe('TWO_FACTOR_REQUIRED');
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('l2fa-secret');
  });

  it('reports wrong credentials without the secret', async () => {
    route({
      '/v2/auth/token': () => ({
        status: 401,
        body: { detail: 'Incorrect authentication credentials', errinfo: {} },
      }),
    });
    const session = createHubLogin({
      hubUrl: hub.url,
      identifier: 'alice',
      secret: 'very-secret-pw',
      send: httpNext(),
    });
    const err = await session.token().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as AuthenticationError).code).toBe('UNAUTHORIZED');
    expect((err as Error).message).toContain('wrong username or password');
    expect((err as Error).message).toContain('Incorrect authentication credentials');
    expect((err as Error).message).not.toContain('very-secret-pw');
  });

  it('explains SSO-enforced organizations', async () => {
    route({
      '/v2/users/login': () => ({
        status: 401,
        body: { detail: 'Your organization enforces SSO. Use a personal access token.' },
      }),
    });
    const session = createHubLogin({
      hubUrl: hub.url,
      identifier: 'alice',
      secret: 'pw',
      send: httpNext(),
      endpoint: 'users-login',
    });
    await expect(session.token()).rejects.toThrow(
      /enforces single sign-on; use a personal access token/,
    );
  });

  it('reports a missing /v2/auth/token when the endpoint is forced', async () => {
    route({});
    const session = createHubLogin({
      hubUrl: hub.url,
      identifier: 'alice',
      secret: 'pw',
      send: httpNext(),
      endpoint: 'auth-token',
    });
    await expect(session.token()).rejects.toThrow(/is not available/);
  });

  it.each([
    ['/v2/auth/token', {}],
    ['/v2/users/login', { endpoint: 'users-login' as const }],
  ])('rejects a 200 without a token from %s', async (path, extra) => {
    route({ [path]: () => ({ status: 200, body: { nothing: true } }) });
    const session = createHubLogin({
      hubUrl: hub.url,
      identifier: 'alice',
      secret: 'pw',
      send: httpNext(),
      ...extra,
    });
    await expect(session.token()).rejects.toBeInstanceOf(RegistryError);
  });

  it('rejects a 2FA answer without a token and maps other 2FA failures', async () => {
    route({
      '/v2/users/login': () => ({ status: 401, body: { login_2fa_token: 'x' } }),
      '/v2/users/2fa-login': () => ({ status: 200, body: {} }),
    });
    const session = createHubLogin({
      hubUrl: hub.url,
      identifier: 'a',
      secret: 'pw',
      send: httpNext(),
      endpoint: 'users-login',
      onTwoFactor: async () => '1',
    });
    await expect(session.token()).rejects.toThrow(/2FA answer has no token/);
    route({
      '/v2/users/login': () => ({ status: 401, body: { login_2fa_token: 'x' } }),
      '/v2/users/2fa-login': () => ({ status: 500, body: {} }),
    });
    await expect(session.token()).rejects.toBeInstanceOf(ServerError);
  });

  it('reports each login as a token event and a refusal as a refused event, never the secrets', async () => {
    let refuse = false;
    route({
      '/v2/auth/token': () =>
        refuse
          ? { status: 401, body: { detail: 'Incorrect authentication credentials' } }
          : { status: 200, body: { access_token: jwt(clock.t / 1000 + 600) } },
    });
    const events: unknown[] = [];
    const session = createHubLogin({
      hubUrl: hub.url,
      identifier: 'alice',
      secret: 'dckr_pat_event-secret',
      send: httpNext(),
      clock,
      onEvent: (e) => events.push(e),
    });
    await session.token();
    expect(events).toEqual([
      {
        type: 'token',
        realmHost: new URL(hub.url).host,
        scopes: [],
        expiresAt: clock.t + 600_000,
        account: 'alice',
      },
    ]);
    refuse = true;
    session.invalidate();
    await expect(session.token()).rejects.toBeInstanceOf(AuthenticationError);
    expect(events[1]).toEqual({
      type: 'refused',
      host: new URL(hub.url).host,
      status: 401,
      reason: 'UNAUTHORIZED',
    });
    expect(JSON.stringify(events)).not.toContain('event-secret');
    expect(JSON.stringify(events)).not.toContain('eyJ');
  });

  it('validates its options', () => {
    expect(() =>
      createHubLogin({ hubUrl: 'ftp://x', identifier: 'a', secret: 'b', send: httpNext() }),
    ).toThrow(ValidationError);
    expect(() => createHubLogin({ identifier: '', secret: 'b', send: httpNext() })).toThrow(
      ValidationError,
    );
  });
});

describe('hubErrorFromResponse', () => {
  it('recognizes JWTs issued from a PAT being refused (403: AuthorizationError, 401: AuthenticationError)', () => {
    for (const detail of [
      'access is forbidden with a JWT issued from a personal access token',
      'access to the resource is forbidden with personal access token',
    ]) {
      const err = hubErrorFromResponse(403, { detail }, 'PATCH repo');
      expect(err).toBeInstanceOf(AuthorizationError);
      expect(err.status).toBe(403);
      expect(err.message).toMatch(/refuses JWTs issued from a personal access token/);
    }
    const at401 = hubErrorFromResponse(
      401,
      { detail: 'access is forbidden with a JWT issued from a personal access token' },
      'PATCH repo',
    );
    expect(at401).toBeInstanceOf(AuthenticationError);
    expect(at401.message).toMatch(/refuses JWTs issued from a personal access token/);
  });

  it('says how to fix an access token whose scope is too narrow, keeping the Hub text', () => {
    const err = hubErrorFromResponse(
      403,
      { errinfo: {}, detail: 'access denied: insufficient scope' },
      'DELETE Hub tag alice/app:1',
    );
    expect(err).toBeInstanceOf(AuthorizationError);
    expect(err.code).toBe('DENIED');
    expect(err.message).toMatch(/^DELETE Hub tag alice\/app:1: the access token's scope/);
    expect(err.message).toContain('Read, Write & Delete to delete tags');
    expect(err.message).toContain('(Docker Hub said: access denied: insufficient scope)');
  });

  it('keeps the Hub text of a plain 403', () => {
    const err = hubErrorFromResponse(403, { detail: 'You do not have permission' }, 'x');
    expect(err.message).toBe(
      'x: access denied (403) (Docker Hub said: You do not have permission)',
    );
  });

  it('redacts token-looking words the server echoes', () => {
    const err = hubErrorFromResponse(
      401,
      { message: 'bad token dckr_pat_abcdef and eyJa.eyJb.c' },
      'x',
    );
    expect(err.message).not.toContain('dckr_pat_abcdef');
    expect(err.message).not.toContain('eyJa.eyJb.c');
  });

  it.each([
    [401, {}, AuthenticationError],
    [403, { detail: 'nope' }, AuthorizationError],
    [404, null, NotFoundError],
    [429, 'x', RateLimitError],
    [503, {}, ServerError],
    [400, { fields: {} }, RegistryError],
  ])('maps %i to a typed error', (status, body, type) => {
    expect(hubErrorFromResponse(status, body, 'x')).toBeInstanceOf(type);
  });

  it('reads the short fields only', () => {
    expect(readHubErrorBody({ detail: 'd', message: '', login_2fa_token: 5 })).toEqual({
      detail: 'd',
      message: undefined,
      login2faToken: undefined,
    });
    expect(readHubErrorBody(undefined)).toEqual({
      detail: undefined,
      message: undefined,
      login2faToken: undefined,
    });
  });
});
