// Everything this package logs, throws and emits during a full login-and-pull (Docker Hub-shaped
// login service + real registry with token auth + credentials from config.json) is scanned for
// the secret values; the test fails if any appears.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { pushScope } from '@llmdevops/docker-hub-core';
import type { Next, TransportRequest } from '@llmdevops/docker-hub-transport';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RealRegistry, startRealRegistry } from '../../../tooling/registry/real-registry.js';
import {
  type AuthEvent,
  createAuthMiddleware,
  createCredentialProvider,
  createHubLogin,
  resolveCredentials,
} from '../src/index.js';
import { httpNext, type ScriptedServer, startScriptedServer } from './helpers/http-next.js';
import { pullImage, pushImage } from './helpers/registry-ops.js';

let reg: RealRegistry;
let hub: ScriptedServer;
let dir: string;
const HUB_PASSWORD = `hub-${randomBytes(12).toString('hex')}`;
const LOGIN_2FA = `l2fa-${randomBytes(12).toString('hex')}`;
const hubJwts: string[] = [];

beforeAll(async () => {
  reg = await startRealRegistry({ auth: 'token' });
  hub = await startScriptedServer((r) => {
    if (r.path === '/v2/auth/token') {
      const body = JSON.parse(r.body) as { secret?: string };
      if (body.secret !== HUB_PASSWORD)
        return { status: 401, body: { detail: 'Incorrect authentication credentials' } };
      const payload = Buffer.from(
        JSON.stringify({ exp: Math.floor(Date.now() / 1000) + 600, sub: 'alice' }),
      ).toString('base64url');
      const jwt = `eyJhbGciOiJIUzI1NiJ9.${payload}.${randomBytes(16).toString('base64url')}`;
      hubJwts.push(jwt);
      return { status: 200, body: { access_token: jwt } };
    }
    if (r.path === '/v2/users/login')
      return {
        status: 401,
        body: {
          detail: 'Require secondary authentication on MFA enabled account',
          login_2fa_token: LOGIN_2FA,
        },
      };
    const ok = hubJwts.some((j) => r.headers.authorization === `Bearer ${j}`);
    return ok ? { status: 200, body: { results: [] } } : { status: 401, body: { detail: 'auth' } };
  });
  dir = await mkdtemp(join(tmpdir(), 'auth-scan-'));
});
afterAll(async () => {
  await reg.stop();
  await hub.close();
  await rm(dir, { recursive: true, force: true });
});

function variants(secret: string): string[] {
  return [secret, Buffer.from(secret).toString('base64'), encodeURIComponent(secret)];
}

describe('secret scan', () => {
  it('no secret appears in anything the package logs, throws or emits', async () => {
    const output: string[] = [];
    for (const m of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
      vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
        output.push(args.map((a) => inspect(a, { depth: 10 })).join(' '));
      });
    }
    const capture = (chunk: unknown): boolean => {
      output.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);

    const alice = reg.users.find((u) => u.name === 'alice');
    const reader = reg.users.find((u) => u.name === 'reader');
    if (alice === undefined || reader === undefined) throw new Error('users');
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({
        auths: { [reg.host]: { auth: Buffer.from(`alice:${alice.password}`).toString('base64') } },
      }),
    );

    const events: AuthEvent[] = [];
    const errors: unknown[] = [];
    const wire = httpNext();
    const sentTokens = (): string[] =>
      wire.sent
        .map((s) => s.headers['authorization'] ?? '')
        .filter((a) => a !== '')
        .map((a) => a.replace(/^\w+ /, ''));
    const catching = async (p: Promise<unknown>): Promise<void> => {
      await p.then(
        () => {
          throw new Error('expected a failure');
        },
        (e: unknown) => {
          errors.push(e);
        },
      );
    };

    // Full login and pull: Hub API login, then push and pull with config.json credentials.
    const session = createHubLogin({
      hubUrl: hub.url,
      identifier: 'alice',
      secret: HUB_PASSWORD,
      send: wire,
    });
    const provider = createCredentialProvider({ env: { DOCKER_CONFIG: dir } });
    const auth = createAuthMiddleware({
      credentials: provider,
      hub: session,
      onEvent: (e) => events.push(e),
      offlineToken: true,
      transportNext: wire,
    });
    const send: Next = async (req: TransportRequest) => auth.handle(req, wire);
    expect(
      (
        await send({
          method: 'GET',
          url: new URL(`${hub.url}/v2/repositories/alice/`),
          headers: {},
        })
      ).status,
    ).toBe(200);
    await pushImage(send, reg.url, 'scan/app', 'v1', 'scan layer');
    expect(await pullImage(send, reg.url, 'scan/app', 'v1')).toBe('scan layer');
    await auth.ensureFresh({
      url: reg.url,
      scopes: [pushScope('scan/app')],
      minValidityMs: Number.MAX_SAFE_INTEGER,
    });

    // Failures on the way: wrong passwords, missing 2FA code, a denied push, a malformed config.
    const wrongHub = createHubLogin({
      hubUrl: hub.url,
      identifier: 'alice',
      secret: `${HUB_PASSWORD}x`,
      send: wire,
    });
    await catching(wrongHub.token());
    await catching(
      createHubLogin({
        hubUrl: hub.url,
        identifier: 'alice',
        secret: HUB_PASSWORD,
        send: wire,
        endpoint: 'users-login',
      }).token(),
    );
    const readerAuth = createAuthMiddleware({
      credentials: { username: 'reader', password: reader.password },
      onEvent: (e) => events.push(e),
    });
    await catching(pushImage(async (r) => readerAuth.handle(r, wire), reg.url, 'scan/app', 'v2'));
    const wrongAuth = createAuthMiddleware({
      credentials: { username: 'alice', password: `${alice.password}-wrong` },
      onEvent: (e) => events.push(e),
    });
    await catching(pullImage(async (r) => wrongAuth.handle(r, wire), reg.url, 'scan/app', 'v1'));
    const badDir = join(dir, 'bad');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(badDir);
    await writeFile(
      join(badDir, 'config.json'),
      `{"auths": {"x": {"auth": "${Buffer.from(`alice:${alice.password}`).toString('base64')}"}}, broken`,
    );
    await catching(resolveCredentials('x', { env: { DOCKER_CONFIG: badDir } }));
    expect(errors).toHaveLength(5);

    const credential = await provider(reg.host);
    const secrets = [
      alice.password,
      reader.password,
      `${alice.password}-wrong`,
      HUB_PASSWORD,
      LOGIN_2FA,
      ...hubJwts,
      ...sentTokens(),
    ];
    expect(hubJwts.length).toBeGreaterThan(0);
    expect(sentTokens().length).toBeGreaterThan(hubJwts.length);

    const artifacts = [
      ...output,
      JSON.stringify(events),
      inspect(events, { depth: Infinity }),
      ...errors.flatMap((e) => [
        inspect(e, { depth: Infinity, showHidden: true }),
        JSON.stringify(e),
        String(e),
        (e as Error).stack ?? '',
        inspect((e as Error).cause, { depth: Infinity }),
      ]),
      inspect(auth, { depth: Infinity, showHidden: true }),
      inspect(auth.cache, { depth: Infinity, showHidden: true }),
      inspect(session, { depth: Infinity, showHidden: true }),
      inspect(credential, { depth: Infinity, showHidden: true }),
      JSON.stringify(credential),
      JSON.stringify(session),
    ];
    vi.restoreAllMocks();
    const found: string[] = [];
    for (const secret of secrets) {
      for (const v of variants(secret)) {
        for (const [i, a] of artifacts.entries())
          if (a.includes(v)) found.push(`secret #${secrets.indexOf(secret)} in artifact #${i}`);
      }
    }
    expect(found).toEqual([]);
    expect(events.length).toBeGreaterThan(3);

    // Disposing the auth state zeroes its secrets.
    const cachedToken = auth.cache.get({
      realm: reg.tokenUrl ?? '',
      service: reg.service ?? '',
      account: 'alice',
      scopes: [pushScope('scan/app')],
    });
    expect(cachedToken?.token.disposed).toBe(false);
    auth.dispose();
    expect(cachedToken?.token.disposed).toBe(true);
    expect(credential.kind === 'basic' && credential.password.disposed).toBe(true);
    await expect(session.token()).rejects.toThrow(/disposed/);
  });
});
