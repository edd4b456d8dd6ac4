import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  httpNext,
  type ScriptedServer,
  startScriptedServer,
} from '../../test/helpers/http-next.js';
import { resolveHubLogin } from './resolve-hub-login.js';

let hub: ScriptedServer;
beforeAll(async () => {
  hub = await startScriptedServer((r) => {
    const body = JSON.parse(r.body) as { identifier?: string; secret?: string };
    return body.identifier === 'alice' && body.secret === 'dckr_pat_env'
      ? { status: 200, body: { access_token: 'jwt-env' } }
      : { status: 401, body: { detail: 'Incorrect authentication credentials' } };
  });
});
afterAll(async () => {
  await hub.close();
});

describe('resolveHubLogin', () => {
  it('logs in with the env credentials against DOCKER_HUB_URL', async () => {
    const env = {
      DOCKER_HUB_URL: hub.url,
      DOCKER_HUB_USERNAME: 'alice',
      DOCKER_HUB_ACCESS_TOKEN: 'dckr_pat_env',
      DOCKER_CONFIG: '/nonexistent',
    };
    const session = await resolveHubLogin({ env, send: httpNext() });
    expect(session?.origin).toBe(hub.origin);
    expect((await session?.token())?.reveal()).toBe('jwt-env');
    expect(hub.received.at(-1)?.path).toBe('/v2/auth/token');
  });

  it('prefers an explicit hubUrl and explicit credentials', async () => {
    const session = await resolveHubLogin({
      env: { DOCKER_HUB_URL: 'https://wrong.example', DOCKER_CONFIG: '/nonexistent' },
      hubUrl: hub.url,
      explicit: { username: 'alice', password: 'dckr_pat_env' },
      send: httpNext(),
      clock: { now: () => Date.now() },
      onTwoFactor: async () => '1',
    });
    expect((await session?.token())?.reveal()).toBe('jwt-env');
  });

  it('returns undefined without a username and password', async () => {
    expect(
      await resolveHubLogin({ env: { DOCKER_CONFIG: '/nonexistent' }, send: httpNext() }),
    ).toBeUndefined();
    expect(
      await resolveHubLogin({
        env: { DOCKER_CONFIG: '/nonexistent' },
        explicit: { identityToken: 'x' },
        send: httpNext(),
      }),
    ).toBeUndefined();
  });

  it('defaults to hub.docker.com', async () => {
    const session = await resolveHubLogin({
      env: { DOCKER_CONFIG: '/nonexistent' },
      explicit: { username: 'a', password: 'b' },
      send: httpNext(),
    });
    expect(session?.origin).toBe('https://hub.docker.com');
  });
});
