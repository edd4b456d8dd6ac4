import {
  AuthenticationError,
  AuthorizationError,
  InsecureTransportError,
  RegistryError,
  Secret,
  ServerError,
  ValidationError,
} from '@llmdevops/docker-hub-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  httpNext,
  type ScriptedServer,
  startScriptedServer,
} from '../../test/helpers/http-next.js';
import { ANONYMOUS, type RegistryCredential } from '../credentials/types.js';
import { pullScope, pushScope } from '@llmdevops/docker-hub-core';
import { fetchRegistryToken } from './token-client.js';

let server: ScriptedServer;
const basic: RegistryCredential = {
  kind: 'basic',
  username: 'alice',
  password: new Secret('pw-1'),
  source: 'explicit',
};
const identity: RegistryCredential = {
  kind: 'identity-token',
  username: 'alice',
  token: new Secret('refresh-1'),
  source: 'docker-config',
};
const clock = { now: () => Date.parse('2026-01-01T00:00:00Z') };

beforeAll(async () => {
  server = await startScriptedServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.received.length = 0;
  server.handler = () => ({ status: 200, body: { token: 'tok', expires_in: 120 } });
});

describe('fetchRegistryToken GET', () => {
  it('sends service, repeated scopes, account and Basic credentials', async () => {
    const t = await fetchRegistryToken(
      {
        realm: `${server.url}/token`,
        service: 'svc',
        scopes: [pullScope('a/b'), pushScope('c/d')],
        credential: basic,
      },
      { send: httpNext(), clock },
    );
    expect(t.token.reveal()).toBe('tok');
    expect(t.expiresAt).toBe(clock.now() + 120_000);
    const r = server.received[0];
    expect(r?.method).toBe('GET');
    expect(r?.url.searchParams.get('service')).toBe('svc');
    expect(r?.url.searchParams.getAll('scope')).toEqual([
      'repository:a/b:pull',
      'repository:c/d:pull,push',
    ]);
    expect(r?.url.searchParams.get('account')).toBe('alice');
    expect(r?.headers.authorization).toBe(`Basic ${Buffer.from('alice:pw-1').toString('base64')}`);
  });

  it('fetches an anonymous token without Authorization or account', async () => {
    await fetchRegistryToken(
      { realm: `${server.url}/token?keep=1`, scopes: [], credential: ANONYMOUS },
      { send: httpNext() },
    );
    const r = server.received[0];
    expect(r?.headers.authorization).toBeUndefined();
    expect(r?.url.searchParams.has('account')).toBe(false);
    expect(r?.url.searchParams.has('service')).toBe(false);
    expect(r?.url.searchParams.get('keep')).toBe('1');
  });

  it('asks for an offline token with a client_id', async () => {
    await fetchRegistryToken(
      {
        realm: `${server.url}/token`,
        scopes: [],
        credential: basic,
        offlineToken: true,
        clientId: 'me',
      },
      { send: httpNext() },
    );
    const q = server.received[0]?.url.searchParams;
    expect(q?.get('offline_token')).toBe('true');
    expect(q?.get('client_id')).toBe('me');
  });

  it('maps 401 to AuthenticationError naming the account, not the password', async () => {
    server.handler = () => ({ status: 401, body: { details: 'nope' } });
    const err = await fetchRegistryToken(
      { realm: `${server.url}/token`, scopes: [], credential: basic },
      { send: httpNext() },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as Error).message).toContain('"alice"');
    expect((err as Error).message).not.toContain('pw-1');
    const anon = await fetchRegistryToken(
      { realm: `${server.url}/token`, scopes: [], credential: ANONYMOUS },
      { send: httpNext() },
    ).catch((e: unknown) => e);
    expect((anon as Error).message).toContain('anonymous');
  });

  it.each([
    [403, AuthorizationError],
    [500, ServerError],
    [418, RegistryError],
  ])('maps %i to a typed error', async (status, type) => {
    server.handler = () => ({ status });
    await expect(
      fetchRegistryToken(
        { realm: `${server.url}/token`, scopes: [], credential: ANONYMOUS },
        { send: httpNext() },
      ),
    ).rejects.toBeInstanceOf(type);
  });

  it('rejects an answer without a token', async () => {
    server.handler = () => ({ status: 200, body: { expires_in: 5 } });
    await expect(
      fetchRegistryToken(
        { realm: `${server.url}/token`, scopes: [], credential: ANONYMOUS },
        { send: httpNext() },
      ),
    ).rejects.toThrow(/no "token"/);
    server.handler = () => ({ status: 200, body: 'not json' });
    await expect(
      fetchRegistryToken(
        { realm: `${server.url}/token`, scopes: [], credential: ANONYMOUS },
        { send: httpNext() },
      ),
    ).rejects.toBeInstanceOf(RegistryError);
  });
});

describe('fetchRegistryToken POST', () => {
  it('uses the refresh_token grant for identity tokens with a space-separated scope', async () => {
    server.handler = () => ({
      status: 200,
      body: { access_token: 'acc', expires_in: 900, refresh_token: 'refresh-2' },
    });
    const t = await fetchRegistryToken(
      {
        realm: `${server.url}/token`,
        service: 'svc',
        scopes: [pullScope('a'), pullScope('b')],
        credential: identity,
      },
      { send: httpNext() },
    );
    expect(t.token.reveal()).toBe('acc');
    expect(t.refreshToken?.reveal()).toBe('refresh-2');
    const r = server.received[0];
    expect(r?.method).toBe('POST');
    expect(r?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(r?.body);
    expect(Object.fromEntries(form)).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'refresh-1',
      service: 'svc',
      client_id: 'docker-hub-ts',
      scope: 'repository:a:pull repository:b:pull',
    });
  });

  it('uses the password grant with forceOAuth', async () => {
    await fetchRegistryToken(
      {
        realm: `${server.url}/token`,
        scopes: [],
        credential: basic,
        forceOAuth: true,
        offlineToken: true,
      },
      { send: httpNext() },
    );
    const form = new URLSearchParams(server.received[0]?.body);
    expect(form.get('grant_type')).toBe('password');
    expect(form.get('username')).toBe('alice');
    expect(form.get('password')).toBe('pw-1');
    expect(form.get('access_type')).toBe('offline');
    expect(form.has('scope')).toBe(false);
  });

  it.each([404, 405])('falls back to GET when POST answers %i', async (status) => {
    server.handler = (r) =>
      r.method === 'POST' ? { status } : { status: 200, body: { token: 'via-get' } };
    const t = await fetchRegistryToken(
      { realm: `${server.url}/token`, scopes: [pullScope('a')], credential: identity },
      { send: httpNext() },
    );
    expect(t.token.reveal()).toBe('via-get');
    expect(server.received.map((r) => r.method)).toEqual(['POST', 'GET']);
    expect(server.received[1]?.headers.authorization).toBe(
      `Basic ${Buffer.from('alice:refresh-1').toString('base64')}`,
    );
  });

  it('uses <token> as the Basic user for an identity token without username on GET fallback', async () => {
    server.handler = (r) =>
      r.method === 'POST' ? { status: 404 } : { status: 200, body: { token: 't' } };
    const cred: RegistryCredential = {
      kind: 'identity-token',
      username: undefined,
      token: new Secret('rt'),
      source: 'explicit',
    };
    await fetchRegistryToken(
      { realm: `${server.url}/token`, scopes: [], credential: cred },
      { send: httpNext() },
    );
    expect(server.received[1]?.headers.authorization).toBe(
      `Basic ${Buffer.from('<token>:rt').toString('base64')}`,
    );
  });
});

describe('fetchRegistryToken realm rules', () => {
  it('refuses to send credentials to a plain-HTTP non-loopback realm, without sending anything', async () => {
    const sent = httpNext();
    await expect(
      fetchRegistryToken(
        { realm: 'http://auth.example.test/token', scopes: [], credential: basic },
        { send: sent },
      ),
    ).rejects.toBeInstanceOf(InsecureTransportError);
    expect(sent.sent).toHaveLength(0);
  });

  it('allows it for a host marked insecure', async () => {
    const calls: string[] = [];
    const send = async (req: Parameters<ReturnType<typeof httpNext>>[0]) => {
      calls.push(req.url.host);
      return httpNext()({ ...req, url: new URL(`${server.url}/token`) });
    };
    await fetchRegistryToken(
      {
        realm: 'http://auth.example.test/token',
        scopes: [],
        credential: basic,
        insecureHosts: new Set(['auth.example.test']),
      },
      { send },
    );
    expect(calls).toEqual(['auth.example.test']);
  });

  it.each(['not a url', 'ftp://x/token', 'https://user:pw@x/token'])(
    'rejects realm %j',
    async (realm) => {
      await expect(
        fetchRegistryToken({ realm, scopes: [], credential: ANONYMOUS }, { send: httpNext() }),
      ).rejects.toBeInstanceOf(ValidationError);
    },
  );

  it('refuses to exchange a registry token credential', async () => {
    const cred: RegistryCredential = {
      kind: 'registry-token',
      token: new Secret('x'),
      source: 'explicit',
    };
    await expect(
      fetchRegistryToken(
        { realm: `${server.url}/token`, scopes: [], credential: cred },
        { send: httpNext() },
      ),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});
