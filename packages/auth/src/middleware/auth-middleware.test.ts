import { inspect } from 'node:util';
import {
  AuthenticationError,
  AuthorizationError,
  InsecureTransportError,
  Secret,
} from '@llmdevops/docker-hub-core';
import type { Next, TransportRequest, TransportResponse } from '@llmdevops/docker-hub-transport';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  httpNext,
  oneShot,
  type ReceivedRequest,
  type ScriptedReply,
  type ScriptedServer,
  startScriptedServer,
} from '../../test/helpers/http-next.js';
import { createHubLogin } from '../hub/hub-login.js';
import { pullScope } from '@llmdevops/docker-hub-core';
import { type AuthEvent } from './auth-events.js';
import { createAuthMiddleware, type AuthMiddlewareOptions } from './auth-middleware.js';

let registry: ScriptedServer;
let tokens: ScriptedServer;
let tokenCount = 0;
const PASSWORD = 'pw-s3cret-value';
const alice = { username: 'alice', password: PASSWORD };
const basicAlice = `Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}`;

function challenge(scope?: string, error?: string): Record<string, string> {
  const parts = [`realm="${tokens.url}/token"`, 'service="test-registry"'];
  if (scope !== undefined) parts.push(`scope="${scope}"`);
  if (error !== undefined) parts.push(`error="${error}"`);
  return { 'www-authenticate': `Bearer ${parts.join(',')}` };
}

/** A registry that accepts `Bearer tok-N` tokens listed in `valid`. */
const valid = new Set<string>();
function bearerRegistry(r: ReceivedRequest): ScriptedReply {
  const auth = r.headers.authorization;
  const scope = r.method === 'GET' || r.method === 'HEAD' ? 'pull' : 'pull,push';
  const name = /^\/v2\/(.+?)\/(manifests|blobs)/.exec(r.path)?.[1] ?? 'x';
  if (auth === undefined || !valid.has(auth.replace(/^Bearer /, ''))) {
    return {
      status: 401,
      headers: challenge(
        `repository:${name}:${scope}`,
        auth === undefined ? undefined : 'invalid_token',
      ),
      body: { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] },
    };
  }
  return { status: 200, body: { ok: true } };
}

function tokenService(): ScriptedReply {
  tokenCount++;
  const t = `tok-${tokenCount}`;
  valid.add(t);
  return { status: 200, body: { token: t, expires_in: 300 } };
}

function compose(
  mw: { handle: (r: TransportRequest, n: Next) => Promise<TransportResponse> },
  next: Next,
): Next {
  return async (r) => mw.handle(r, next);
}

function get(url: string, extra: Partial<TransportRequest> = {}): TransportRequest {
  return { method: 'GET', url: new URL(url), headers: {}, ...extra };
}

beforeAll(async () => {
  registry = await startScriptedServer();
  tokens = await startScriptedServer();
});
afterAll(async () => {
  await registry.close();
  await tokens.close();
});
beforeEach(() => {
  registry.received.length = 0;
  tokens.received.length = 0;
  tokenCount = 0;
  valid.clear();
  registry.handler = bearerRegistry;
  tokens.handler = tokenService;
});

function setup(options: AuthMiddlewareOptions = {}) {
  const events: AuthEvent[] = [];
  const next = httpNext();
  const auth = createAuthMiddleware({
    credentials: alice,
    onEvent: (e) => events.push(e),
    ...options,
  });
  return { auth, send: compose(auth, next), next, events };
}

describe('auth middleware: bearer', () => {
  it('answers a challenge with a token for the challenged scope, then sends it preemptively', async () => {
    const { auth, send, next, events } = setup();
    expect(auth.name).toBe('auth');
    const res = await send(get(`${registry.url}/v2/a/b/manifests/v1`));
    expect(res.status).toBe(200);
    await res.dump();
    expect(tokens.received).toHaveLength(1);
    const q = tokens.received[0]?.url.searchParams;
    expect(q?.getAll('scope')).toEqual(['repository:a/b:pull']);
    expect(q?.get('service')).toBe('test-registry');
    expect(q?.get('account')).toBe('alice');
    expect(tokens.received[0]?.headers.authorization).toBe(basicAlice);
    expect(registry.received.map((r) => r.headers.authorization)).toEqual([
      undefined,
      'Bearer tok-1',
    ]);

    const again = await send(get(`${registry.url}/v2/a/b/blobs/sha256:00`));
    expect(again.status).toBe(200);
    await again.dump();
    expect(tokens.received).toHaveLength(1);
    expect(registry.received[2]?.headers.authorization).toBe('Bearer tok-1');
    expect(events.map((e) => e.type)).toEqual(['challenge', 'token', 'retry']);

    // The registry's credentials went only to the realm; tokens only to the registry.
    for (const s of next.sent) {
      const a = s.headers['authorization'];
      if (a?.startsWith('Basic ') === true) expect(new URL(s.url).origin).toBe(tokens.origin);
      if (a?.startsWith('Bearer ') === true) expect(new URL(s.url).origin).toBe(registry.origin);
    }
  });

  it('uses exactly the challenged scope, not the hint', async () => {
    const { send } = setup();
    registry.handler = (r) =>
      r.headers.authorization === undefined
        ? {
            status: 401,
            headers: challenge('repository:me/dst:pull,push repository:other/src:pull'),
          }
        : { status: 201 };
    const res = await send({
      method: 'POST',
      url: new URL(`${registry.url}/v2/me/dst/blobs/uploads/?mount=sha256:00&from=other/src`),
      headers: {},
      context: { repository: 'me/dst', actions: ['pull'] },
    });
    expect(res.status).toBe(201);
    expect(tokens.received[0]?.url.searchParams.getAll('scope')).toEqual([
      'repository:me/dst:pull,push',
      'repository:other/src:pull',
    ]);
  });

  it('falls back to the inferred scope when the challenge has none (/v2/)', async () => {
    const { send } = setup();
    registry.handler = (r) =>
      r.headers.authorization === undefined
        ? { status: 401, headers: challenge() }
        : { status: 200, body: {} };
    expect((await send(get(`${registry.url}/v2/`))).status).toBe(200);
    expect(tokens.received[0]?.url.searchParams.getAll('scope')).toEqual([]);
  });

  it('evicts a refused cached token, fetches a new one and retries once', async () => {
    const { send, auth } = setup();
    await (await send(get(`${registry.url}/v2/a/manifests/x`))).dump();
    valid.clear(); // the registry no longer accepts tok-1
    const res = await send(get(`${registry.url}/v2/a/manifests/x`));
    expect(res.status).toBe(200);
    expect(tokens.received).toHaveLength(2);
    expect(registry.received.slice(2).map((r) => r.headers.authorization)).toEqual([
      'Bearer tok-1',
      'Bearer tok-2',
    ]);
    expect(auth.cache.size).toBe(1);
  });

  it('shares one token request between concurrent first requests', async () => {
    const { send } = setup();
    const results = await Promise.all(
      [1, 2, 3, 4].map(async () => send(get(`${registry.url}/v2/a/manifests/x`))),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(tokens.received).toHaveLength(1);
  });

  it('throws AuthenticationError when anonymous access is refused', async () => {
    const { send } = setup({
      credentials: async () => ({ kind: 'anonymous', source: 'anonymous' }),
    });
    registry.handler = () => ({
      status: 401,
      headers: challenge('repository:private/x:pull', 'insufficient_scope'),
      body: { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] },
    });
    const err = await send(get(`${registry.url}/v2/private/x/manifests/latest`)).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as AuthenticationError).message).toMatch(
      /anonymous access refused for repository:private\/x:pull/,
    );
    expect((err as AuthenticationError).registryCode).toBe('UNAUTHORIZED');
    expect(tokens.received[0]?.headers.authorization).toBeUndefined();
  });

  it('throws AuthorizationError for insufficient_scope with credentials', async () => {
    const { send } = setup();
    registry.handler = () => ({
      status: 401,
      headers: challenge('repository:a:pull,push', 'insufficient_scope'),
    });
    const err = await send({
      method: 'PUT',
      url: new URL(`${registry.url}/v2/a/manifests/v1`),
      headers: {},
      body: '{}',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthorizationError);
    expect((err as Error).message).toContain('"alice"');
    expect((err as Error).message).not.toContain(PASSWORD);
  });

  it('throws AuthenticationError when the token service refuses the password', async () => {
    const { send } = setup();
    tokens.handler = () => ({ status: 401, body: { details: 'bad' } });
    await expect(send(get(`${registry.url}/v2/a/manifests/x`))).rejects.toBeInstanceOf(
      AuthenticationError,
    );
  });

  it('throws AuthenticationError when the retried token is refused too', async () => {
    const { send } = setup();
    registry.handler = () => ({
      status: 401,
      headers: challenge('repository:a:pull', 'invalid_token'),
    });
    const err = await send(get(`${registry.url}/v2/a/manifests/x`)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as Error).message).toMatch(/credentials of "alice" \(from explicit\) were refused/);
    expect(registry.received).toHaveLength(2);
  });

  it('does not replay a one-shot body, but replays replayable streams', async () => {
    const { send } = setup();
    registry.handler = (r) =>
      r.headers.authorization === undefined
        ? { status: 401, headers: challenge('repository:a:pull,push') }
        : { status: 202 };
    const err = await send({
      method: 'PATCH',
      url: new URL(`${registry.url}/v2/a/blobs/uploads/1`),
      headers: {},
      body: { stream: oneShot('data'), replayable: false },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as Error).message).toMatch(/one-shot stream/);
    // The host is known now: the next one-shot request is authorized up front.
    const ok = await send({
      method: 'PATCH',
      url: new URL(`${registry.url}/v2/a/blobs/uploads/1`),
      headers: {},
      body: { stream: oneShot('data'), replayable: false },
    });
    expect(ok.status).toBe(202);
    expect(registry.received.at(-1)?.body).toBe('data');
  });

  it('returns a 401 without a usable challenge as is', async () => {
    const { send } = setup();
    registry.handler = () => ({ status: 401, headers: { 'www-authenticate': 'Negotiate' } });
    const res = await send(get(`${registry.url}/v2/a/manifests/x`));
    expect(res.status).toBe(401);
    registry.handler = () => ({ status: 401 });
    expect((await send(get(`${registry.url}/v2/a/manifests/x`))).status).toBe(401);
  });

  it('leaves requests with Authorization or the skip flag alone', async () => {
    const { send } = setup();
    registry.handler = () => ({ status: 401, headers: challenge('repository:a:pull') });
    expect(
      (
        await send(
          get(`${registry.url}/v2/a/manifests/x`, { headers: { authorization: 'Bearer mine' } }),
        )
      ).status,
    ).toBe(401);
    expect(
      (await send(get(`${registry.url}/v2/a/manifests/x`, { context: { authSkip: true } }))).status,
    ).toBe(401);
    expect(tokens.received).toHaveLength(0);
  });

  it('sends a registry-token credential as is', async () => {
    const { send } = setup({ credentials: { registryToken: 'tok-static' } });
    valid.add('tok-static');
    expect((await send(get(`${registry.url}/v2/a/manifests/x`))).status).toBe(200);
    expect(tokens.received).toHaveLength(0);
  });

  it('uses transportNext or fetchToken for token requests', async () => {
    const viaTransport = vi.fn(httpNext());
    const a = setup({ transportNext: viaTransport });
    await a.send(get(`${registry.url}/v2/a/manifests/x`));
    expect(viaTransport).toHaveBeenCalledTimes(1);
    const fetchToken = vi.fn(async () => ({
      token: new Secret('tok-custom'),
      issuedAt: 0,
      expiresAt: Date.now() + 600_000,
      refreshToken: undefined,
      scopes: [pullScope('a')],
    }));
    valid.add('tok-custom');
    const b = setup({ fetchToken });
    expect((await b.send(get(`${registry.url}/v2/a/manifests/x`))).status).toBe(200);
    expect(fetchToken).toHaveBeenCalledWith(
      expect.objectContaining({ realm: `${tokens.url}/token`, service: 'test-registry' }),
    );
  });

  it('refreshes ahead of expiry with ensureFresh (injected clock)', async () => {
    let now = 1_000_000;
    const clock = { now: () => now };
    const { send, auth } = setup({ clock, refreshMarginMs: 5_000 });
    await auth.ensureFresh({ url: registry.url, scopes: [pullScope('a')] }); // unknown host: no-op
    expect(tokens.received).toHaveLength(0);
    await send(get(`${registry.url}/v2/a/manifests/x`));
    expect(tokens.received).toHaveLength(1);
    await auth.ensureFresh({ url: `${registry.url}/v2/`, scopes: [pullScope('a')] });
    expect(tokens.received).toHaveLength(1); // still fresh
    now += 290_000; // 10 s left < 3 x margin
    await auth.ensureFresh({ url: registry.url, scopes: [pullScope('a')] });
    expect(tokens.received).toHaveLength(2);
    now += 300_000; // tok-2 expired: the next request fetches before sending
    await send(get(`${registry.url}/v2/a/manifests/x`));
    expect(tokens.received).toHaveLength(3);
    expect(registry.received.at(-1)?.headers.authorization).toBe('Bearer tok-3');
  });

  it('asks for refresh tokens and uses OAuth when configured', async () => {
    const { send } = setup({ offlineToken: true, forceOAuth: true, clientId: 'cli' });
    await send(get(`${registry.url}/v2/a/manifests/x`));
    const form = new URLSearchParams(tokens.received[0]?.body);
    expect(form.get('grant_type')).toBe('password');
    expect(form.get('client_id')).toBe('cli');
    expect(form.get('access_type')).toBe('offline');
  });

  it('reuses a refresh token from an offline exchange, falling back to the password when it is refused', async () => {
    tokens.handler = (r) => {
      const form = new URLSearchParams(r.body);
      if (r.method === 'POST' && form.get('refresh_token') === 'rt-revoked')
        return { status: 401, body: {} };
      tokenCount++;
      const t = `tok-${tokenCount}`;
      valid.add(t);
      return {
        status: 200,
        body: { token: t, refresh_token: tokenCount === 2 ? 'rt-revoked' : `rt-${tokenCount}` },
      };
    };
    const { send, auth } = setup({ offlineToken: true });
    await send(get(`${registry.url}/v2/a/manifests/x`)); // GET with Basic, offline_token=true -> rt-1
    expect(tokens.received[0]?.url.searchParams.get('offline_token')).toBe('true');
    await send(get(`${registry.url}/v2/b/manifests/x`)); // POST refresh_token=rt-1 -> rt-revoked
    const second = new URLSearchParams(tokens.received[1]?.body);
    expect(tokens.received[1]?.method).toBe('POST');
    expect(second.get('grant_type')).toBe('refresh_token');
    expect(second.get('refresh_token')).toBe('rt-1');
    await send(get(`${registry.url}/v2/c/manifests/x`)); // POST rt-revoked -> 401 -> GET with Basic
    expect(tokens.received.slice(2).map((r) => r.method)).toEqual(['POST', 'GET']);
    expect(tokens.received[3]?.headers.authorization).toBe(basicAlice);
    auth.dispose();
  });

  it('dispose() zeroes cached tokens and calls the provider and hub dispose', async () => {
    const provider = Object.assign(
      async () => ({ kind: 'anonymous' as const, source: 'anonymous' as const }),
      { dispose: vi.fn() },
    );
    const { send, auth } = setup({ credentials: provider });
    registry.handler = (r) =>
      r.headers.authorization === undefined
        ? { status: 401, headers: challenge('repository:a:pull') }
        : { status: 200 };
    await send(get(`${registry.url}/v2/a/manifests/x`));
    const token = auth.cache.get({
      realm: `${tokens.url}/token`,
      service: 'test-registry',
      account: '',
      scopes: [pullScope('a')],
    });
    expect(token?.token.disposed).toBe(false);
    auth.dispose();
    expect(token?.token.disposed).toBe(true);
    expect(provider.dispose).toHaveBeenCalled();
  });

  it('keeps secrets out of events and inspect output', async () => {
    const { send, events, auth } = setup();
    await send(get(`${registry.url}/v2/a/manifests/x`));
    const dump =
      JSON.stringify(events) + inspect(auth, { depth: 10 }) + inspect(auth.cache, { depth: 10 });
    expect(dump).not.toContain(PASSWORD);
    expect(dump).not.toContain('tok-1');
  });
});

describe('auth middleware: Basic', () => {
  beforeEach(() => {
    registry.handler = (r) =>
      r.headers.authorization === basicAlice
        ? { status: 200 }
        : {
            status: 401,
            headers: { 'www-authenticate': 'Basic realm="test-basic"' },
            body: { errors: [{ code: 'UNAUTHORIZED', message: 'x' }] },
          };
  });

  it('retries with Basic and then sends it preemptively', async () => {
    const { send } = setup();
    expect((await send(get(`${registry.url}/v2/a/manifests/x`))).status).toBe(200);
    expect((await send(get(`${registry.url}/v2/b/manifests/x`))).status).toBe(200);
    expect(registry.received.map((r) => r.headers.authorization)).toEqual([
      undefined,
      basicAlice,
      basicAlice,
    ]);
  });

  it('reports missing and wrong credentials', async () => {
    const anon = setup({ credentials: async () => ({ kind: 'anonymous', source: 'anonymous' }) });
    await expect(anon.send(get(`${registry.url}/v2/a/manifests/x`))).rejects.toThrow(
      /no username\/password credentials are configured/,
    );
    const wrong = setup({ credentials: { username: 'alice', password: 'wrong-password' } });
    const err = await wrong.send(get(`${registry.url}/v2/a/manifests/x`)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as Error).message).not.toContain('wrong-password');
    const idt = setup({ credentials: { identityToken: 'idt' } });
    await expect(idt.send(get(`${registry.url}/v2/a/manifests/x`))).rejects.toThrow(
      /no username\/password/,
    );
  });

  it('never sends Basic over plain HTTP to a non-loopback host unless marked insecure', async () => {
    const wire: TransportRequest[] = [];
    const fake: Next = async (req) => {
      wire.push(req);
      const ok = req.headers['authorization'] !== undefined;
      return {
        status: ok ? 200 : 401,
        headers: ok ? {} : { 'www-authenticate': 'Basic realm="x"' },
        url: req.url,
        body: undefined as never,
        header: () => undefined,
        text: async () => '',
        bytes: async () => new Uint8Array(),
        json: async () => ({}) as never,
        dump: async () => undefined,
      };
    };
    const auth = createAuthMiddleware({ credentials: alice });
    await expect(
      auth.handle(get('http://registry.example.test/v2/a/manifests/x'), fake),
    ).rejects.toBeInstanceOf(InsecureTransportError);
    expect(wire.every((r) => r.headers['authorization'] === undefined)).toBe(true);
    const allowed = createAuthMiddleware({
      credentials: alice,
      insecureHosts: ['REGISTRY.example.test'],
    });
    expect(
      (await allowed.handle(get('http://registry.example.test/v2/a/manifests/x'), fake)).status,
    ).toBe(200);
    const https = createAuthMiddleware({ credentials: alice });
    expect(
      (await https.handle(get('https://registry.example.test/v2/a/manifests/x'), fake)).status,
    ).toBe(200);
  });
});

describe('auth middleware: realm guard', () => {
  it('does not follow a public registry to an internal token realm', async () => {
    const wire: string[] = [];
    const fake: Next = async (req) => {
      wire.push(req.url.href);
      const headers = {
        'www-authenticate': 'Bearer realm="http://169.254.169.254/token",service="x"',
      };
      return {
        status: 401,
        headers,
        url: req.url,
        body: undefined as never,
        header: () => undefined,
        text: async () => '',
        bytes: async () => new Uint8Array(),
        json: async () => ({}) as never,
        dump: async () => undefined,
      };
    };
    const auth = createAuthMiddleware({ credentials: { kind: 'anonymous', source: 'anonymous' } });
    await expect(
      auth.handle(get('https://registry.example.test/v2/a/manifests/x'), fake),
    ).rejects.toBeInstanceOf(InsecureTransportError);
    await expect(
      auth.ensureFresh({ url: 'https://registry.example.test/', scopes: [] }),
    ).rejects.toBeInstanceOf(InsecureTransportError);
    expect(wire).toEqual(['https://registry.example.test/v2/a/manifests/x']);
  });
});

describe('auth middleware: Docker Hub API', () => {
  it('attaches the Hub JWT, renews it once on 401, and passes login calls through', async () => {
    let jwtN = 0;
    const good = new Set<string>();
    const hubServer = await startScriptedServer((r) => {
      if (r.path === '/v2/auth/token') {
        const t = `hubjwt-${++jwtN}`;
        good.add(t);
        return { status: 200, body: { access_token: t } };
      }
      return r.headers.authorization !== undefined &&
        good.has(r.headers.authorization.replace('Bearer ', ''))
        ? { status: 200, body: {} }
        : { status: 401, body: { detail: 'expired' } };
    });
    try {
      const next = httpNext();
      const hub = createHubLogin({
        hubUrl: hubServer.url,
        identifier: 'alice',
        secret: PASSWORD,
        send: next,
      });
      const auth = createAuthMiddleware({ credentials: alice, hub });
      const send = compose(auth, next);
      expect((await send(get(`${hubServer.url}/v2/repositories/alice/`))).status).toBe(200);
      good.clear();
      expect((await send(get(`${hubServer.url}/v2/repositories/alice/`))).status).toBe(200);
      expect(jwtN).toBe(2);
      const login = await send({
        method: 'POST',
        url: new URL(`${hubServer.url}/v2/auth/token`),
        headers: {},
        body: '{}',
      });
      expect(login.status).toBe(200);
      expect(hubServer.received.at(-1)?.headers.authorization).toBeUndefined();
      hubServer.handler = (r) =>
        r.path === '/v2/auth/token'
          ? { status: 200, body: { access_token: 'x' } }
          : {
              status: 401,
              body: {
                detail: 'access is forbidden with a JWT issued from a personal access token',
              },
            };
      hub.invalidate();
      await expect(send(get(`${hubServer.url}/v2/repositories/alice/`))).rejects.toThrow(
        /personal access token/,
      );
      auth.dispose();
    } finally {
      await hubServer.close();
    }
  });
});
