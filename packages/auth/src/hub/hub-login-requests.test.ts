import { AuthenticationError, RegistryError, ValidationError } from '@llmdevops/docker-hub-core';
import type { Next, TransportRequest, TransportResponse } from '@llmdevops/docker-hub-transport';
import { describe, expect, it } from 'vitest';
import { type AuthEvent } from '../middleware/auth-events.js';
import { createHubLogin, type HubLoginOptions } from './hub-login.js';

function reply(status: number, body: unknown): TransportResponse {
  return {
    status,
    headers: {},
    dump: async () => Promise.resolve(),
    text: async () => Promise.resolve(body === undefined ? '' : JSON.stringify(body)),
  } as unknown as TransportResponse;
}

/** A Hub whose answers are scripted by path; records the requests. */
function hub(answers: Record<string, (n: number) => TransportResponse>): {
  send: Next;
  sent: TransportRequest[];
} {
  const sent: TransportRequest[] = [];
  const send: Next = async (r) => {
    sent.push(r);
    const answer = answers[r.url.pathname];
    return Promise.resolve(answer === undefined ? reply(404, {}) : answer(sent.length));
  };
  return { send, sent };
}

function login(
  send: Next,
  extra: Partial<HubLoginOptions> = {},
): ReturnType<typeof createHubLogin> {
  return createHubLogin({
    hubUrl: 'https://hub.test/api',
    identifier: 'alice',
    secret: 'pw',
    send,
    ...extra,
  });
}

async function failure(p: Promise<unknown>): Promise<Error> {
  const e: unknown = await p.catch((x: unknown) => x);
  if (!(e instanceof Error)) throw new Error('expected a failure');
  return e;
}

describe('createHubLogin requests and answers', () => {
  it('posts JSON to /v2/auth/token under the Hub URL path, with the caller signal and the login context', async () => {
    const { send, sent } = hub({ '/api/v2/auth/token': () => reply(200, { access_token: 'jwt' }) });
    const signal = new AbortController().signal;
    expect((await login(send).token(signal)).reveal()).toBe('jwt');
    const req = sent[0];
    expect(req?.method).toBe('POST');
    expect(req?.url.href).toBe('https://hub.test/api/v2/auth/token');
    expect(req?.headers).toEqual({
      accept: 'application/json',
      'content-type': 'application/json',
    });
    expect(req?.body).toBe('{"identifier":"alice","secret":"pw"}');
    expect(req?.signal).toBe(signal);
    expect(req?.idempotent).toBe(false);
    expect(req?.context).toEqual({ operation: 'hub.login', authSkip: true });
    const other = hub({ '/v2/auth/token': () => reply(200, { access_token: 'jwt' }) });
    await createHubLogin({
      hubUrl: 'https://hub.test/',
      identifier: 'alice',
      secret: 'pw',
      send: other.send,
    }).token();
    expect(other.sent[0]?.url.href).toBe('https://hub.test/v2/auth/token');
    expect(other.sent[0] !== undefined && 'signal' in other.sent[0]).toBe(false);
  });

  it('falls back to /v2/users/login on 404 and on 405, reading token before access_token', async () => {
    for (const status of [404, 405]) {
      const { send, sent } = hub({
        '/api/v2/auth/token': () => reply(status, {}),
        '/api/v2/users/login': () => reply(200, { token: 'legacy', access_token: 'other' }),
      });
      expect((await login(send).token()).reveal()).toBe('legacy');
      expect(sent[1]?.body).toBe('{"username":"alice","password":"pw"}');
    }
    const current = hub({
      '/api/v2/auth/token': () => reply(200, { access_token: 'first', token: 'second' }),
    });
    expect((await login(current.send).token()).reveal()).toBe('first');
    const emptyFirst = hub({
      '/api/v2/auth/token': () => reply(200, { access_token: '', token: 'second' }),
    });
    expect((await login(emptyFirst.send).token()).reveal()).toBe('second');
  });

  it('names what is missing from an answer without a usable token', async () => {
    for (const body of [{}, [], 'text', { access_token: 5 }]) {
      const e = await failure(
        login(hub({ '/api/v2/auth/token': () => reply(200, body) }).send).token(),
      );
      expect(e).toBeInstanceOf(RegistryError);
      expect(e.message).toBe('Docker Hub login for "alice": answer has no access_token');
      expect(e).toMatchObject({ status: 200 });
    }
    const legacy = await failure(
      login(hub({ '/api/v2/users/login': () => reply(201, {}) }).send, {
        endpoint: 'users-login',
      }).token(),
    );
    expect(legacy.message).toBe('Docker Hub login for "alice": answer has no token');
    expect(legacy).toMatchObject({ status: 201 });
  });

  it('with endpoint auth-token, says the route is not available instead of falling back', async () => {
    const { send, sent } = hub({});
    const e = await failure(login(send, { endpoint: 'auth-token' }).token());
    expect(e).toBeInstanceOf(RegistryError);
    expect(e.message).toBe('Docker Hub login for "alice": /api/v2/auth/token is not available');
    expect(e).toMatchObject({ status: 404 });
    expect(sent).toHaveLength(1);
  });

  it('treats 400 as a refusal and 399 as an answer', async () => {
    const e = await failure(
      login(hub({ '/api/v2/auth/token': () => reply(400, {}) }).send).token(),
    );
    expect(e).toBeInstanceOf(RegistryError);
    expect(
      (
        await login(
          hub({ '/api/v2/auth/token': () => reply(399, { access_token: 'ok' }) }).send,
        ).token()
      ).reveal(),
    ).toBe('ok');
    const legacy = await failure(
      login(hub({ '/api/v2/users/login': () => reply(400, { login_2fa_token: 'l' }) }).send, {
        endpoint: 'users-login',
      }).token(),
    );
    expect(legacy).not.toBeInstanceOf(AuthenticationError);
  });

  it('runs the second factor with the caller signal, refusing an empty code and a refused code with TWO_FACTOR_REQUIRED', async () => {
    const answers = {
      '/api/v2/users/login': () => reply(401, { login_2fa_token: 'l2fa' }),
      '/api/v2/users/2fa-login': () => reply(200, { token: 'jwt-2fa' }),
    };
    const seen: (AbortSignal | undefined)[] = [];
    const signal = new AbortController().signal;
    const { send, sent } = hub(answers);
    const ok = login(send, {
      endpoint: 'users-login',
      onTwoFactor: async (info) => {
        seen.push(info.signal);
        return Promise.resolve(' 123456 ');
      },
    });
    expect((await ok.token(signal)).reveal()).toBe('jwt-2fa');
    expect(seen).toEqual([signal]);
    expect(sent[1]?.body).toBe('{"login_2fa_token":"l2fa","code":"123456"}');
    const empty = await failure(
      login(send, {
        endpoint: 'users-login',
        onTwoFactor: async () => Promise.resolve('  '),
      }).token(),
    );
    expect(empty.message).toBe(
      'Docker Hub login for "alice": two-factor authentication is enabled for this account; the one-time code was empty',
    );
    expect(empty).toMatchObject({ code: 'TWO_FACTOR_REQUIRED' });
    expect(empty).toMatchObject({ status: 401 });
    const refused = hub({ ...answers, '/api/v2/users/2fa-login': () => reply(401, {}) });
    const e = await failure(
      login(refused.send, {
        endpoint: 'users-login',
        onTwoFactor: async () => Promise.resolve('1'),
      }).token(),
    );
    expect(e.message).toBe('Docker Hub login for "alice": the one-time code was refused');
    const broken = hub({ ...answers, '/api/v2/users/2fa-login': () => reply(200, {}) });
    const none = await failure(
      login(broken.send, {
        endpoint: 'users-login',
        onTwoFactor: async () => Promise.resolve('1'),
      }).token(),
    );
    expect(none.message).toBe('Docker Hub login for "alice": 2FA answer has no token');
    expect(none).toMatchObject({ status: 200 });
    const server = hub({ ...answers, '/api/v2/users/2fa-login': () => reply(400, {}) });
    const bad = await failure(
      login(server.send, {
        endpoint: 'users-login',
        onTwoFactor: async () => Promise.resolve('1'),
      }).token(),
    );
    expect(bad).toMatchObject({ status: 400 });
  });

  it('validates the Hub URL and the identifier, naming the problem', () => {
    const send: Next = async () => Promise.resolve(reply(200, {}));
    let bad: unknown;
    try {
      createHubLogin({ hubUrl: 'ftp://hub.test', identifier: 'a', secret: 's', send });
    } catch (e) {
      bad = e;
    }
    expect(bad).toBeInstanceOf(ValidationError);
    expect(bad).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'Hub URL must be http(s)',
      input: 'ftp:',
    });
    let empty: unknown;
    try {
      createHubLogin({ hubUrl: 'https://hub.test', identifier: '', secret: 's', send });
    } catch (e) {
      empty = e;
    }
    expect(empty).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'Hub login needs a username or organization name',
      input: '',
    });
  });

  it('refuses a disposed session, and renews exactly at the renewal margin', async () => {
    let now = 0;
    const { send, sent } = hub({
      '/api/v2/auth/token': (n) => reply(200, { access_token: `jwt-${n}` }),
    });
    const events: AuthEvent[] = [];
    const s = login(send, {
      clock: { now: () => now },
      defaultLifetimeMs: 100_000,
      renewMarginMs: 10_000,
      onEvent: (e) => events.push(e),
    });
    expect((await s.token()).reveal()).toBe('jwt-1');
    now = 89_999;
    expect((await s.token()).reveal()).toBe('jwt-1');
    now = 90_000;
    expect((await s.token()).reveal()).toBe('jwt-2');
    expect(sent).toHaveLength(2);
    s.dispose();
    const e = await failure(s.token());
    expect(e).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'Hub session was disposed',
      input: 'session',
    });
  });

  it('reports refused logins with their status and code, and no event for other failures', async () => {
    const events: AuthEvent[] = [];
    const refused = hub({ '/api/v2/auth/token': () => reply(403, { detail: 'nope' }) });
    await failure(login(refused.send, { onEvent: (e) => events.push(e) }).token());
    expect(events).toEqual([{ type: 'refused', host: 'hub.test', status: 403, reason: 'DENIED' }]);
    const down = hub({ '/api/v2/auth/token': () => reply(503, {}) });
    await failure(login(down.send, { onEvent: (e) => events.push(e) }).token());
    expect(events).toHaveLength(1);
  });
});
