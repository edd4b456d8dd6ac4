// Integration: the auth middleware inside transport's real pipeline (createTransport + use),
// token requests sent through the same transport (retry, timeouts, TLS policy), against the real
// registry with token auth and with Basic auth.
import { AuthenticationError, AuthorizationError } from '@llmdevops/docker-hub-core';
import { createTransport, type Transport } from '@llmdevops/docker-hub-transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RealRegistry, startRealRegistry } from '../../../tooling/registry/real-registry.js';
import { type AuthMiddleware, createAuthMiddleware, type CredentialInput } from '../src/index.js';
import { pullImage, pushImage } from './helpers/registry-ops.js';

let tokenReg: RealRegistry;
let basicReg: RealRegistry;
const transports: Transport[] = [];

beforeAll(async () => {
  [tokenReg, basicReg] = await Promise.all([
    startRealRegistry({ auth: 'token' }),
    startRealRegistry({ auth: 'basic' }),
  ]);
});
afterAll(async () => {
  await Promise.all(transports.map(async (t) => t.close()));
  await Promise.all([tokenReg.stop(), basicReg.stop()]);
});

function user(r: RealRegistry, name: string): CredentialInput {
  const u = r.users.find((x) => x.name === name);
  if (u === undefined) throw new Error(`no user ${name}`);
  return { username: u.name, password: u.password };
}

function pipeline(credentials: CredentialInput): { transport: Transport; auth: AuthMiddleware } {
  const transport = createTransport({ maxRetries: 1 });
  transports.push(transport);
  const auth = createAuthMiddleware({
    credentials,
    transportNext: async (req) => transport.request(req),
  });
  transport.use(auth, { before: 'redirect' });
  return { transport, auth };
}

describe('auth inside the transport pipeline', () => {
  it('sits inside retry and outside redirect', () => {
    const names = pipeline(user(tokenReg, 'alice')).transport.describe();
    expect(names.indexOf('auth')).toBeGreaterThan(names.indexOf('retry'));
    expect(names.indexOf('auth')).toBe(names.indexOf('redirect') - 1);
  });

  it('pushes and pulls with token auth, fetching tokens through the transport', async () => {
    const { transport } = pipeline(user(tokenReg, 'alice'));
    const send = async (req: Parameters<Transport['request']>[0]) => transport.request(req);
    const before = tokenReg.tokenRequests.length;
    await pushImage(send, tokenReg.url, 'pipe/app', 'v1', 'pipeline layer');
    expect(await pullImage(send, tokenReg.url, 'pipe/app', 'v1')).toBe('pipeline layer');
    expect(tokenReg.tokenRequests.length).toBeGreaterThan(before);
  });

  it('maps refusals to typed errors with token auth', async () => {
    const reader = pipeline(user(tokenReg, 'reader')).transport;
    await expect(
      pushImage(async (r) => reader.request(r), tokenReg.url, 'pipe/app', 'v2'),
    ).rejects.toBeInstanceOf(AuthorizationError);
    const wrong = pipeline({ username: 'alice', password: 'nope' }).transport;
    await expect(
      pullImage(async (r) => wrong.request(r), tokenReg.url, 'pipe/app', 'v1'),
    ).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('pushes and pulls with Basic auth', async () => {
    const { transport } = pipeline(user(basicReg, 'alice'));
    const send = async (req: Parameters<Transport['request']>[0]) => transport.request(req);
    await pushImage(send, basicReg.url, 'pipe/basic', 'v1', 'basic via transport');
    expect(await pullImage(send, basicReg.url, 'pipe/basic', 'v1')).toBe('basic via transport');
  });
});
