// Integration: the auth middleware against the real CNCF distribution registry with htpasswd
// Basic auth.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthenticationError } from '@llmdevops/docker-hub-core';
import type { Next } from '@llmdevops/docker-hub-transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RealRegistry, startRealRegistry } from '../../../tooling/registry/real-registry.js';
import {
  createAuthMiddleware,
  createCredentialProvider,
  verifyRegistryLogin,
} from '../src/index.js';
import { httpNext, type SentRequest } from './helpers/http-next.js';
import { pullImage, pushImage } from './helpers/registry-ops.js';

let reg: RealRegistry;

beforeAll(async () => {
  reg = await startRealRegistry({ auth: 'basic' });
});
afterAll(async () => {
  await reg.stop();
});

function client(options: Parameters<typeof createAuthMiddleware>[0]): {
  send: Next;
  sent: SentRequest[];
} {
  const auth = createAuthMiddleware(options);
  const next = httpNext();
  return { send: async (req) => auth.handle(req, next), sent: next.sent };
}

const alice = (): { username: string; password: string } => {
  const u = reg.users[0];
  if (u === undefined) throw new Error('no users');
  return { username: u.name, password: u.password };
};

describe('real registry, htpasswd Basic auth', () => {
  it('pushes and pulls, sending Basic preemptively once the challenge is known', async () => {
    const { send, sent } = client({ credentials: alice() });
    await pushImage(send, reg.url, 'basic/app', 'v1', 'basic layer');
    expect(await pullImage(send, reg.url, 'basic/app', 'v1')).toBe('basic layer');
    const unauthenticated = sent.filter((s) => s.headers['authorization'] === undefined);
    expect(unauthenticated).toHaveLength(1); // only the very first request
    expect(sent.every((s) => new URL(s.url).origin === reg.url)).toBe(true);
  });

  it('denies anonymous access with a clear error', async () => {
    const { send } = client({ credentials: { kind: 'anonymous', source: 'anonymous' } });
    const err = await pullImage(send, reg.url, 'basic/app', 'v1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as Error).message).toContain(
      `no username/password credentials are configured for ${reg.host}`,
    );
  });

  it('reports a wrong password as AuthenticationError', async () => {
    const { send } = client({
      credentials: { username: alice().username, password: 'wrong-basic-password' },
    });
    const err = await pullImage(send, reg.url, 'basic/app', 'v1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as AuthenticationError).status).toBe(401);
    expect((err as Error).message).not.toContain('wrong-basic-password');
  });

  it('reads credentials from a config.json the test writes in DOCKER_CONFIG', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'auth-basic-cfg-'));
    try {
      const { username, password } = alice();
      await writeFile(
        join(dir, 'config.json'),
        JSON.stringify({
          auths: {
            [reg.host]: { auth: Buffer.from(`${username}:${password}`).toString('base64') },
          },
        }),
      );
      const { send } = client({
        credentials: createCredentialProvider({ env: { DOCKER_CONFIG: dir } }),
      });
      await pushImage(send, reg.url, 'basic/cfg', 'v1', 'cfg layer');
      expect(await pullImage(send, reg.url, 'basic/cfg', 'v1')).toBe('cfg layer');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads credentials through a credential helper named in config.json (credHelpers)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'auth-basic-helper-'));
    try {
      const { username, password } = alice();
      const helper = join(dir, 'docker-credential-testhelper');
      const answer = JSON.stringify({ ServerURL: reg.host, Username: username, Secret: password });
      await writeFile(helper, `#!/bin/sh\ncat >/dev/null\nprintf '%s' '${answer}'\n`, {
        mode: 0o755,
      });
      await writeFile(
        join(dir, 'config.json'),
        JSON.stringify({ credHelpers: { [reg.host]: 'testhelper' } }),
      );
      const env = { DOCKER_CONFIG: dir, PATH: `${dir}:${process.env['PATH'] ?? ''}` };
      const { send } = client({ credentials: createCredentialProvider({ env }) });
      await pushImage(send, reg.url, 'basic/helper', 'v1', 'helper layer');
      expect(await pullImage(send, reg.url, 'basic/helper', 'v1')).toBe('helper layer');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails clearly when config.json is malformed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'auth-basic-bad-'));
    try {
      await writeFile(join(dir, 'config.json'), '{"auths": ');
      const { send } = client({
        credentials: createCredentialProvider({ env: { DOCKER_CONFIG: dir } }),
      });
      await expect(pullImage(send, reg.url, 'basic/cfg', 'v1')).rejects.toThrow(
        join(dir, 'config.json'),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('verifyRegistryLogin (basic)', () => {
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
