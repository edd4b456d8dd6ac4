import type { Next, TransportRequest, TransportResponse } from '@llmdevops/docker-hub-transport';
import { describe, expect, it } from 'vitest';
import { type AuthEvent } from '../middleware/auth-events.js';
import { resolveHubLogin } from './resolve-hub-login.js';

function reply(status: number, body: unknown): TransportResponse {
  return {
    status,
    headers: {},
    dump: async () => Promise.resolve(),
    text: async () => Promise.resolve(JSON.stringify(body)),
  } as unknown as TransportResponse;
}

const explicit = { username: 'alice', password: 'pw' };
const noConfig = { DOCKER_CONFIG: '/nonexistent' };

describe('resolveHubLogin options', () => {
  it('uses https://hub.docker.com when DOCKER_HUB_URL is empty or unset', async () => {
    const send: Next = async () => Promise.resolve(reply(200, { access_token: 'jwt' }));
    for (const env of [{ ...noConfig, DOCKER_HUB_URL: '' }, noConfig]) {
      const session = await resolveHubLogin({ env, explicit, send });
      expect(session?.origin).toBe('https://hub.docker.com');
    }
  });

  it('hands the clock, the event listener and the 2FA callback to the session', async () => {
    const sent: TransportRequest[] = [];
    const send: Next = async (r) => {
      sent.push(r);
      if (r.url.pathname === '/v2/auth/token') return Promise.resolve(reply(404, {}));
      if (r.url.pathname === '/v2/users/login')
        return Promise.resolve(reply(401, { login_2fa_token: 'l2fa' }));
      return Promise.resolve(reply(200, { token: 'opaque-jwt' }));
    };
    const events: AuthEvent[] = [];
    const asked: string[] = [];
    const session = await resolveHubLogin({
      env: { ...noConfig, DOCKER_HUB_URL: 'https://hub.test' },
      explicit,
      send,
      clock: { now: () => 1_000 },
      onEvent: (e) => events.push(e),
      onTwoFactor: async ({ identifier }) => {
        asked.push(identifier);
        return Promise.resolve('123456');
      },
    });
    expect((await session?.token())?.reveal()).toBe('opaque-jwt');
    expect(asked).toEqual(['alice']);
    expect(sent.map((r) => r.url.pathname)).toEqual([
      '/v2/auth/token',
      '/v2/users/login',
      '/v2/users/2fa-login',
    ]);
    expect(session?.expiresAt).toBe(1_000 + 300_000);
    expect(events).toEqual([
      { type: 'token', realmHost: 'hub.test', scopes: [], expiresAt: 301_000, account: 'alice' },
    ]);
  });
});
