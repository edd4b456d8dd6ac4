// DockerHubClient's Docker Hub API calls go through one Hub session (the auth package's Hub
// path): client.login() obtains its JWT with a password, an access token or a 2FA code, the Hub
// services reuse it, refusals are typed with hints, and auth events reach client.events.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthEvent } from '@llmdevops/docker-hub-auth';
import {
  AuthenticationError,
  AuthorizationError,
  NotFoundError,
  Secret,
} from '@llmdevops/docker-hub-core';
import {
  createSimulator,
  SimulatorDispatcher,
  type FetchHandler,
  type Simulator,
} from '@llmdevops/docker-hub-simulation';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DockerHubClient, type ClientDeps } from '../src/index.js';

const ORIGIN = 'http://127.0.0.1:65535';
const HOST = new URL(ORIGIN).host;
const USERS = [
  {
    name: 'alice',
    password: 'alice-pw',
    namespaces: ['alice'],
    accessTokens: [
      { token: 'dckr_pat_alice_rw', scope: 'repo:write' as const },
      'dckr_pat_alice_admin',
    ],
  },
  {
    name: 'bob',
    password: 'bob-pw',
    namespaces: ['bob'],
    twoFactorCode: '246810',
    accessTokens: ['dckr_pat_bob'],
  },
];

// Near the real time: the client reads the JWT `exp` with its own clock.
let simNow = Date.now();
let sim: Simulator;
/** Requests seen, as `METHOD path`, and the JSON bodies of Hub logins. */
let seen: string[] = [];
let loginBodies: unknown[] = [];
/** Per-test rewrite of answers. */
let rewrite: ((req: Request, real: () => Promise<Response>) => Promise<Response>) | undefined;
let empty: string;
const open: DockerHubClient[] = [];

const wrapped: FetchHandler = async (req, info) => {
  const url = new URL(req.url);
  seen.push(`${req.method} ${url.pathname}`);
  if (req.method === 'POST' && url.pathname.startsWith('/v2/') && !url.pathname.includes('/blobs/'))
    loginBodies.push(await req.clone().json());
  const real = (): Promise<Response> => sim.fetch(req, info);
  return rewrite === undefined ? real() : rewrite(req, real);
};

function client(
  auth: { username: string; password?: string; accessToken?: string },
  deps: ClientDeps = {},
): DockerHubClient {
  const c = new DockerHubClient(
    {
      registryUrl: ORIGIN,
      hubUrl: ORIGIN,
      authUrl: ORIGIN,
      dispatcher: new SimulatorDispatcher(wrapped),
      resilience: { maxRetries: 0 },
      auth,
    },
    { env: { DOCKER_CONFIG: empty }, ...deps },
  );
  open.push(c);
  return c;
}

const hubLogins = (): string[] =>
  seen.filter((s) => /^POST \/v2\/(auth\/token|users\/login|users\/2fa-login)$/.test(s));

beforeAll(() => {
  sim = createSimulator({
    profile: 'dockerhub',
    auth: 'token',
    users: USERS,
    hubUrl: ORIGIN,
    clock: { now: () => simNow },
    repositories: {
      'alice/private': { private: true, description: 'hidden' },
      'alice/app': {},
      'bob/tool': { private: true },
    },
  });
  empty = mkdtempSync(join(tmpdir(), 'svc-hub-session-'));
});

afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await sim.close();
  rmSync(empty, { recursive: true, force: true });
});

beforeEach(() => {
  seen = [];
  loginBodies = [];
  rewrite = undefined;
});

describe('client.login() on Docker Hub obtains the Hub JWT through the one session', () => {
  it('password: logs in to the Hub API once; the Hub services reuse that JWT', async () => {
    const c = client({ username: 'alice', password: 'alice-pw' });
    const result = await c.login();
    expect(result).toMatchObject({ registry: HOST, username: 'alice' });
    const expiresAt = result.hubSessionExpiresAt?.getTime() ?? 0;
    expect(Math.abs(expiresAt - (simNow + 600_000))).toBeLessThan(5_000);
    expect(hubLogins()).toEqual(['POST /v2/auth/token']);
    expect(loginBodies).toContainEqual({ identifier: 'alice', secret: 'alice-pw' });
    await expect(c.repositories.get('alice', 'private')).resolves.toMatchObject({
      isPrivate: true,
    });
    expect(hubLogins()).toEqual(['POST /v2/auth/token']);
  });

  it('PAT: sends the access token as the secret, and asks no 2FA code of a 2FA account', async () => {
    const onTwoFactor = vi.fn(async (_info: { identifier: string }) => Promise.resolve('246810'));
    const c = client({ username: 'bob', accessToken: 'dckr_pat_bob' }, { onTwoFactor });
    await expect(c.login()).resolves.toMatchObject({ username: 'bob' });
    expect(loginBodies).toContainEqual({ identifier: 'bob', secret: 'dckr_pat_bob' });
    expect(hubLogins()).toEqual(['POST /v2/auth/token']);
    expect(onTwoFactor).not.toHaveBeenCalled();
    await expect(c.repositories.get('bob', 'tool')).resolves.toMatchObject({ name: 'tool' });
  });

  it('2FA: a password login asks onTwoFactor once and completes through /v2/users/2fa-login', async () => {
    const onTwoFactor = vi.fn(async (_info: { identifier: string }) => Promise.resolve('246810'));
    const c = client({ username: 'bob', password: 'bob-pw' }, { onTwoFactor });
    await c.login();
    expect(onTwoFactor).toHaveBeenCalledTimes(1);
    expect(onTwoFactor.mock.calls[0]?.[0]).toMatchObject({ identifier: 'bob' });
    expect(hubLogins()).toEqual(['POST /v2/auth/token', 'POST /v2/users/2fa-login']);
    expect(loginBodies).toContainEqual(expect.objectContaining({ code: '246810' }));
    await expect(c.repositories.get('bob', 'tool')).resolves.toMatchObject({ name: 'tool' });
    expect(hubLogins()).toHaveLength(2);
  });

  it.each([
    ['no onTwoFactor', undefined, /supply a one-time code/],
    ['a wrong code', async () => Promise.resolve('000000'), /code was refused/],
  ])('2FA with %s: login() fails with TWO_FACTOR_REQUIRED', async (_label, onTwoFactor, text) => {
    const c = client(
      { username: 'bob', password: 'bob-pw' },
      onTwoFactor === undefined ? {} : { onTwoFactor },
    );
    const err = await c.login().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as AuthenticationError).code).toBe('TWO_FACTOR_REQUIRED');
    expect((err as Error).message).toMatch(text);
    // The registry had accepted the password: it is the Hub login that failed.
    expect(seen).toContain('GET /v2/');
  });

  it('fails early when Docker Hub refuses the credentials the registry accepted, with the SSO hint', async () => {
    rewrite = async (req, real) =>
      new URL(req.url).pathname === '/v2/auth/token'
        ? Response.json(
            { detail: 'Your organization enforces SSO. Use a personal access token.' },
            { status: 401 },
          )
        : real();
    const c = client({ username: 'alice', password: 'alice-pw' });
    const err = await c.login().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as AuthenticationError).code).toBe('UNAUTHORIZED');
    expect((err as Error).message).toMatch(/enforces single sign-on; use a personal access token/);
    expect((err as Error).message).not.toContain('alice-pw');
  });

  it("logs in to the Hub API only for Docker Hub, with the account of the client's credential provider", async () => {
    const hosts: string[] = [];
    const credentials: ClientDeps['credentials'] = async (host) => {
      hosts.push(host);
      return Promise.resolve({
        kind: 'basic',
        username: 'alice',
        password: new Secret('alice-pw'),
        source: 'explicit',
      });
    };
    const c = client({ username: 'nobody', password: 'unused' }, { credentials });
    const other = await c.login({ registry: HOST.replace('127.0.0.1', 'localhost') });
    expect(other.hubSessionExpiresAt).toBeUndefined();
    expect(hubLogins()).toEqual([]);
    const hub = await c.login();
    expect(hub.hubSessionExpiresAt).toBeInstanceOf(Date);
    expect(loginBodies).toContainEqual({ identifier: 'alice', secret: 'alice-pw' });
    expect(hosts).toContain(HOST);
  });
});

describe('access-token scope', () => {
  it('a token without the delete scope gets AuthorizationError with a hint; the admin token gets past it', async () => {
    const rw = client({ username: 'alice', accessToken: 'dckr_pat_alice_rw' });
    const err = await rw.hubTags.delete('alice', 'app', 'v1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthorizationError);
    expect((err as AuthorizationError).code).toBe('DENIED');
    expect((err as Error).message).toMatch(/access token's scope does not allow this call/);
    expect((err as Error).message).toContain('Read, Write & Delete to delete tags');
    expect((err as Error).message).not.toContain('dckr_pat');
    // The same call with a token that has the scope fails only because the tag does not exist.
    const admin = client({ username: 'alice', accessToken: 'dckr_pat_alice_admin' });
    await expect(admin.hubTags.delete('alice', 'app', 'v1')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('client.tags.delete on Docker Hub goes the same way: one Hub login, the same scope hint', async () => {
    const rw = client({ username: 'alice', accessToken: 'dckr_pat_alice_rw' });
    const err = await rw.tags.delete('alice/app:v1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthorizationError);
    expect((err as Error).message).toMatch(
      /^DELETE Hub tag alice\/app:v1: the access token's scope does not allow this call/,
    );
    expect(seen).toContain('DELETE /v2/repositories/alice/app/tags/v1/');
    expect(hubLogins()).toEqual(['POST /v2/auth/token']);
  });
});

describe('auth events on client.events', () => {
  it('reports registry tokens, the Hub login and a JWT renewal after a 401, without secrets', async () => {
    const c = client({ username: 'alice', password: 'alice-pw' });
    const events: AuthEvent[] = [];
    const requests: string[] = [];
    const stop = c.events.on('auth', (e) => events.push(e));
    c.events.on('requestEnd', (e) => requests.push(`${e.method} ${e.route}`));
    await c.login();
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'challenge', host: HOST, scheme: 'bearer' }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'token', realmHost: HOST, scopes: [], account: 'alice' }),
    );
    expect(requests).toContain('GET /v2/');
    const before = events.length;
    simNow += 11 * 60 * 1000; // the 10-minute JWT is expired for the Hub, not yet for the client
    try {
      await c.repositories.get('alice', 'private');
    } finally {
      simNow -= 11 * 60 * 1000;
    }
    expect(events.slice(before).map((e) => e.type)).toEqual(['retry', 'token']);
    expect(events[before]).toEqual({ type: 'retry', host: HOST, reason: 'expired' });
    const text = JSON.stringify(events);
    expect(text).not.toContain('alice-pw');
    expect(text).not.toContain('eyJ');
    stop();
    const count = events.length;
    await c.repositories.get('alice', 'app');
    expect(events).toHaveLength(count);
  });

  it('reports a refused Hub login', async () => {
    const c = client({ username: 'bob', password: 'bob-pw' });
    const events: AuthEvent[] = [];
    c.events.on('auth', (e) => events.push(e));
    await expect(c.login()).rejects.toBeInstanceOf(AuthenticationError);
    expect(events.at(-1)).toEqual({
      type: 'refused',
      host: HOST,
      status: 401,
      reason: 'TWO_FACTOR_REQUIRED',
    });
  });
});
