import {
  AuthenticationError,
  InsecureTransportError,
  type RegistryError,
} from '@llmdevops/docker-hub-core';
import type { TransportRequest } from '@llmdevops/docker-hub-transport';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  httpNext,
  oneShot,
  type ScriptedServer,
  startScriptedServer,
} from '../../test/helpers/http-next.js';
import { hubResponseError } from '../hub/hub-errors.js';
import { createHubLogin } from '../hub/hub-login.js';
import { type AuthEvent } from './auth-events.js';
import { sendHubRequest } from './hub-requests.js';

let hub: ScriptedServer;
let jwtN = 0;
/** JWTs the scripted Hub accepts right now. */
const accepted = new Set<string>();

beforeAll(async () => {
  hub = await startScriptedServer();
});
afterAll(async () => {
  await hub.close();
});
beforeEach(() => {
  jwtN = 0;
  accepted.clear();
  hub.received.length = 0;
  hub.handler = (r) => {
    if (r.path === '/v2/auth/token') {
      const t = `hubjwt-${++jwtN}`;
      accepted.add(t);
      return { status: 200, body: { access_token: t } };
    }
    return accepted.has((r.headers.authorization ?? '').replace('Bearer ', ''))
      ? { status: 200, body: { ok: true } }
      : { status: 401, body: { detail: 'Given token not valid for any token type' } };
  };
});

function session(events: AuthEvent[]): ReturnType<typeof createHubLogin> {
  return createHubLogin({
    hubUrl: hub.url,
    identifier: 'alice',
    secret: 'alice-pw',
    send: httpNext(),
    onEvent: (e) => events.push(e),
  });
}

const get = (path: string): TransportRequest => ({
  method: 'GET',
  url: new URL(path, hub.url),
  headers: { accept: 'application/json' },
});

describe('sendHubRequest', () => {
  it('logs in once for several calls, and once more after a 401, reporting the retry', async () => {
    const events: AuthEvent[] = [];
    const hubSession = session(events);
    const options = { hub: hubSession, onEvent: (e: AuthEvent) => events.push(e) };
    expect((await sendHubRequest(get('/v2/a'), httpNext(), options)).status).toBe(200);
    expect((await sendHubRequest(get('/v2/b'), httpNext(), options)).status).toBe(200);
    expect(jwtN).toBe(1);
    accepted.clear(); // the Hub revoked the JWT early
    expect((await sendHubRequest(get('/v2/c'), httpNext(), options)).status).toBe(200);
    expect(jwtN).toBe(2);
    expect(hub.received.map((r) => `${r.path} ${r.headers.authorization ?? '-'}`)).toEqual([
      '/v2/auth/token -',
      '/v2/a Bearer hubjwt-1',
      '/v2/b Bearer hubjwt-1',
      '/v2/c Bearer hubjwt-1',
      '/v2/auth/token -',
      '/v2/c Bearer hubjwt-2',
    ]);
    expect(events.map((e) => e.type)).toEqual(['token', 'retry', 'token']);
    expect(events[1]).toEqual({ type: 'retry', host: hub.host, reason: 'expired' });
    hubSession.dispose();
  });

  it('throws AuthenticationError and reports refused when the renewed JWT is refused too', async () => {
    const events: AuthEvent[] = [];
    const hubSession = session(events);
    hub.handler = (r) =>
      r.path === '/v2/auth/token'
        ? { status: 200, body: { access_token: `hubjwt-${++jwtN}` } }
        : { status: 401, body: { detail: 'Given token not valid for any token type' } };
    const err = await sendHubRequest(get('/v2/x'), httpNext(), {
      hub: hubSession,
      onEvent: (e) => events.push(e),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as Error).message).toMatch(/^Docker Hub API GET \/v2\/x: wrong username/);
    expect(jwtN).toBe(2);
    expect(events.at(-1)).toEqual({
      type: 'refused',
      host: hub.host,
      status: 401,
      reason: 'UNAUTHORIZED',
    });
    expect(JSON.stringify(events)).not.toContain('hubjwt');
  });

  it('does not resend a one-shot body, and returns a 403 for the caller to map', async () => {
    const hubSession = session([]);
    await hubSession.token();
    accepted.clear();
    const res = await sendHubRequest(
      {
        method: 'PUT',
        url: new URL('/v2/y', hub.url),
        headers: {},
        body: { stream: oneShot('{}'), replayable: false },
      },
      httpNext(),
      { hub: hubSession },
    );
    expect(res.status).toBe(401);
    await res.dump();
    expect(jwtN).toBe(1);
    hub.handler = (r) =>
      r.path === '/v2/auth/token'
        ? { status: 200, body: { access_token: 'x' } }
        : { status: 403, body: { detail: 'access denied: insufficient scope' } };
    hubSession.invalidate();
    const denied = await sendHubRequest(get('/v2/z'), httpNext(), { hub: hubSession });
    expect(denied.status).toBe(403);
    const err: RegistryError = await hubResponseError(denied, 'DELETE tag');
    expect(err.code).toBe('DENIED');
    expect(err.message).toMatch(/scope does not allow this call/);
  });

  it('passes login calls through without a JWT and refuses plain HTTP to a remote host', async () => {
    const hubSession = session([]);
    const login = await sendHubRequest(
      { method: 'POST', url: new URL('/v2/users/login', hub.url), headers: {}, body: '{}' },
      httpNext(),
      { hub: hubSession },
    );
    await login.dump();
    expect(hub.received.at(-1)?.headers.authorization).toBeUndefined();
    expect(jwtN).toBe(0);
    const sent: string[] = [];
    await expect(
      sendHubRequest(
        { method: 'GET', url: new URL('http://hub.example.test/v2/x'), headers: {} },
        async (r) => {
          sent.push(r.url.href);
          return Promise.reject(new Error('not reached'));
        },
        { hub: hubSession },
      ),
    ).rejects.toBeInstanceOf(InsecureTransportError);
    expect(sent).toEqual([]);
  });
});
