// Integration: the auth middleware against the real CNCF distribution registry with token auth
// (RS256 JWTs with x5c from tooling/registry's token service).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthenticationError, AuthorizationError, pushScope } from '@llmdevops/docker-hub-core';
import type { Next } from '@llmdevops/docker-hub-transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RealRegistry, startRealRegistry } from '../../../tooling/registry/real-registry.js';
import {
  createAuthMiddleware,
  createCredentialProvider,
  type CredentialInput,
  storeCredentials,
  verifyRegistryLogin,
} from '../src/index.js';
import { httpNext, oneShot } from './helpers/http-next.js';
import {
  digestOf,
  finishUpload,
  patchChunk,
  pullImage,
  pushImage,
  startUpload,
} from './helpers/registry-ops.js';

let reg: RealRegistry;
let shortLived: RealRegistry;

beforeAll(async () => {
  [reg, shortLived] = await Promise.all([
    startRealRegistry({ auth: 'token' }),
    startRealRegistry({ auth: 'token', tokenExpiresIn: 2 }),
  ]);
});
afterAll(async () => {
  await Promise.all([reg.stop(), shortLived.stop()]);
});

function user(r: RealRegistry, name: string): CredentialInput {
  const u = r.users.find((x) => x.name === name);
  if (u === undefined) throw new Error(`no user ${name}`);
  return { username: u.name, password: u.password };
}

function client(options: Parameters<typeof createAuthMiddleware>[0]): {
  send: Next;
  auth: ReturnType<typeof createAuthMiddleware>;
} {
  const auth = createAuthMiddleware(options);
  const next = httpNext();
  return { auth, send: async (req) => auth.handle(req, next) };
}

describe('real registry, token auth', () => {
  it('pushes and pulls with full rights', async () => {
    const { send, auth } = client({ credentials: user(reg, 'alice') });
    await pushImage(send, reg.url, 'test/app', 'v1', 'hello layer');
    expect(await pullImage(send, reg.url, 'test/app', 'v1')).toBe('hello layer');
    const catalog = await send({
      method: 'GET',
      url: new URL(`${reg.url}/v2/_catalog`),
      headers: {},
    });
    expect(await catalog.json()).toMatchObject({
      repositories: expect.arrayContaining(['test/app']),
    });
    auth.dispose();
  });

  it('denies anonymous pulls', async () => {
    const { send } = client({ credentials: { kind: 'anonymous', source: 'anonymous' } });
    const err = await pullImage(send, reg.url, 'test/app', 'v1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as Error).message).toMatch(/anonymous access refused/);
  });

  it('lets reader pull but refuses its push (pull-only token)', async () => {
    const writer = client({ credentials: user(reg, 'alice') });
    await pushImage(writer.send, reg.url, 'test/ro', 'v1', 'read me');
    const { send } = client({ credentials: user(reg, 'reader') });
    expect(await pullImage(send, reg.url, 'test/ro', 'v1')).toBe('read me');
    const err = await pushImage(send, reg.url, 'test/ro', 'v2').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthorizationError);
    expect((err as AuthorizationError).code).toBe('DENIED');
    expect((err as Error).message).toContain('"reader"');
  });

  it('reports a wrong password as AuthenticationError', async () => {
    const { send } = client({ credentials: { username: 'alice', password: 'not-the-password' } });
    const err = await pullImage(send, reg.url, 'test/app', 'v1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as AuthenticationError).code).toBe('UNAUTHORIZED');
    expect((err as Error).message).not.toContain('not-the-password');
  });

  it('reads credentials from a config.json in DOCKER_CONFIG (written with storeCredentials)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'auth-dockercfg-'));
    try {
      const alice = user(reg, 'alice') as { username: string; password: string };
      const { Secret } = await import('@llmdevops/docker-hub-core');
      await storeCredentials(
        reg.host,
        { username: alice.username, password: new Secret(alice.password) },
        { env: { DOCKER_CONFIG: dir } },
      );
      const provider = createCredentialProvider({ env: { DOCKER_CONFIG: dir } });
      const { send, auth } = client({ credentials: provider });
      await pushImage(send, reg.url, 'test/cfg', 'v1', 'from config');
      expect(await pullImage(send, reg.url, 'test/cfg', 'v1')).toBe('from config');
      expect(reg.tokenRequests.at(-1)?.account).toBe('alice');
      auth.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('uses the OAuth2 password grant and refresh tokens when asked', async () => {
    const before = reg.tokenRequests.length;
    const { send } = client({
      credentials: user(reg, 'alice'),
      forceOAuth: true,
      offlineToken: true,
    });
    await pushImage(send, reg.url, 'test/oauth', 'v1');
    const posts = reg.tokenRequests.slice(before).filter((r) => r.method === 'POST');
    expect(posts.length).toBeGreaterThan(0);
    expect(posts.every((r) => r.grantType === 'password' && r.status === 200)).toBe(true);
  });

  it('obtains a refresh token with offline_token and uses the refresh_token grant afterwards', async () => {
    const before = reg.tokenRequests.length;
    const { send } = client({ credentials: user(reg, 'alice'), offlineToken: true });
    await pushImage(send, reg.url, 'test/offline', 'v1', 'offline');
    expect(await pullImage(send, reg.url, 'test/other-offline', 'v1').catch(() => 'missing')).toBe(
      'missing',
    );
    const seen = reg.tokenRequests.slice(before);
    expect(seen[0]).toMatchObject({ method: 'GET', account: 'alice', status: 200 });
    expect(
      seen
        .slice(1)
        .some((r) => r.method === 'POST' && r.grantType === 'refresh_token' && r.status === 200),
    ).toBe(true);
  });

  it('evicts a token the registry refuses as expired and fetches a new one', async () => {
    const { send, auth } = client({ credentials: user(reg, 'alice') });
    await pushImage(send, reg.url, 'test/exp', 'v1', 'x');
    reg.setTokenClockOffset(-7200); // the next token is long expired in the registry's eyes
    try {
      await auth.ensureFresh({
        url: reg.url,
        scopes: [pushScope('test/exp')],
        minValidityMs: Number.MAX_SAFE_INTEGER,
      });
    } finally {
      reg.setTokenClockOffset(0);
    }
    const before = reg.tokenRequests.length;
    expect(await pullImage(send, reg.url, 'test/exp', 'v1')).toBe('x');
    expect(reg.tokenRequests.length).toBeGreaterThan(before);
  });
});

describe('real registry, short-lived tokens (expires_in 2 s, injected clock)', () => {
  it('refreshes an expired token before the next request', async () => {
    let offset = 0;
    const clock = { now: () => Date.now() + offset };
    const { send } = client({ credentials: user(shortLived, 'alice'), clock });
    await pushImage(send, shortLived.url, 'test/short', 'v1', 'short');
    const afterPush = shortLived.tokenRequests.length;
    expect(await pullImage(send, shortLived.url, 'test/short', 'v1')).toBe('short');
    const afterPull = shortLived.tokenRequests.length;
    expect(afterPull - afterPush).toBeLessThanOrEqual(1); // pull scope is covered by the push token or fetched once
    offset += 120_000; // every token is past expires_in (clamped to 60 s)
    expect(await pullImage(send, shortLived.url, 'test/short', 'v1')).toBe('short');
    expect(shortLived.tokenRequests.length).toBe(afterPull + 1);
  });

  it('keeps a chunked upload alive across token expiry with ensureFresh between one-shot chunks', async () => {
    let offset = 0;
    const clock = { now: () => Date.now() + offset };
    const { send, auth } = client({ credentials: user(shortLived, 'alice'), clock });
    const scopes = [pushScope('test/chunked')];
    let location = await startUpload(send, shortLived.url, 'test/chunked');
    const chunks = ['first chunk;', 'second chunk;', 'third chunk'];
    const before = shortLived.tokenRequests.length;
    for (const [i, chunk] of chunks.entries()) {
      offset += 70_000; // the previous token expired while "uploading"
      await auth.ensureFresh({ url: location, scopes });
      expect(shortLived.tokenRequests.length).toBe(before + i + 1); // refreshed before the one-shot chunk
      await auth.ensureFresh({ url: location, scopes });
      expect(shortLived.tokenRequests.length).toBe(before + i + 1); // and not again while fresh
      location = await patchChunk(send, location, { stream: oneShot(chunk), replayable: false });
    }
    await finishUpload(send, location, digestOf(chunks.join('')));
    expect(shortLived.tokenRequests.length).toBe(before + chunks.length);
  });
});

describe('verifyRegistryLogin (token)', () => {
  it('accepts the right password and refuses a wrong one', async () => {
    const u = reg.users[0];
    if (u === undefined) throw new Error('no users');
    await verifyRegistryLogin(
      reg.url,
      { username: u.name, password: u.password },
      { send: httpNext() },
    );
    await expect(
      verifyRegistryLogin(reg.url, { username: u.name, password: 'nope' }, { send: httpNext() }),
    ).rejects.toThrow(/refused/);
  });
});
