// The real-registry harness (tooling/registry/real-registry.ts and its token service) against the
// real CNCF distribution registry: each auth mode answers /v2/ as asked, the token service grants
// what its policy says (and the registry enforces it), HTTPS with client certificates from pki.ts,
// and stop() frees the port and removes the temporary directory, also when starting fails.
import { writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { issue, makeCa } from '../registry/pki.js';
import { startRealRegistry, type RealRegistry } from '../registry/real-registry.js';
import {
  dirAt,
  exchange,
  refused,
  usePrivateTmpdir,
  withPath,
  type PrivateTmp,
} from './helpers.js';

let tmp: PrivateTmp;
beforeAll(() => {
  tmp = usePrivateTmpdir();
});
afterAll(() => {
  tmp.restore();
});

const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const portOf = (reg: RealRegistry): number => Number(reg.host.split(':')[1]);

interface Claims {
  readonly sub: string;
  readonly aud: string;
  readonly exp: number;
  readonly access: readonly { type: string; name: string; actions: string[] }[];
}
function claimsOf(token: string): Claims {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Claims;
}

function userOf(reg: RealRegistry, name: string): { name: string; password: string } {
  const user = reg.users.find((u) => u.name === name);
  if (user === undefined) throw new Error(`no user ${name}`);
  return user;
}

async function tokenFor(
  reg: RealRegistry,
  auth: string | undefined,
  scope: string,
): Promise<string> {
  const url = `${reg.tokenUrl ?? ''}?service=${reg.service ?? ''}&scope=${encodeURIComponent(scope)}`;
  const res = await exchange(url, { headers: auth === undefined ? {} : { authorization: auth } });
  expect(res.status).toBe(200);
  return (JSON.parse(res.body.toString('utf8')) as { token: string }).token;
}

async function postForm(
  url: string,
  form: Record<string, string>,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await exchange(
    url,
    { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    Buffer.from(new URLSearchParams(form).toString()),
  );
  return {
    status: res.status,
    json: JSON.parse(res.body.toString('utf8')) as Record<string, unknown>,
  };
}

describe('startRealRegistry without auth', () => {
  it('answers /v2/ with 200, then stop() frees the port and removes its temporary directory', async () => {
    const reg = await startRealRegistry({ auth: 'none' });
    onTestFinished(() => reg.stop());
    expect(reg.url).toBe(`http://${reg.host}`);
    expect(tmp.entries().filter((e) => e.startsWith('real-registry-'))).toHaveLength(1);
    const res = await exchange(`${reg.url}/v2/`);
    expect(res.status).toBe(200);
    expect(res.headers['docker-distribution-api-version']).toBe('registry/2.0');
    expect(reg.tokenUrl).toBeUndefined();
    expect(reg.log()).toContain('listening on 127.0.0.1');
    // A push works: the storage directory is writable.
    const upload = await exchange(`${reg.url}/v2/tt/app/blobs/uploads/`, { method: 'POST' });
    expect(upload.status).toBe(202);
    await reg.stop();
    expect(await refused(portOf(reg))).toBe(true);
    expect(tmp.entries().filter((e) => e.startsWith('real-registry-'))).toEqual([]);
  });
});

describe('startRealRegistry with htpasswd Basic auth', () => {
  let reg: RealRegistry;
  beforeAll(async () => {
    reg = await startRealRegistry({ auth: 'basic' });
  });
  afterAll(async () => {
    await reg.stop();
  });

  it('challenges anonymous requests with Basic and lets in its users only with their passwords', async () => {
    const anonymous = await exchange(`${reg.url}/v2/`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Basic realm="test-basic"');
    expect(reg.users.map((u) => u.name)).toEqual(['alice', 'reader']);
    for (const user of reg.users) {
      expect(
        (
          await exchange(`${reg.url}/v2/`, {
            headers: { authorization: basic(user.name, user.password) },
          })
        ).status,
      ).toBe(200);
      expect(
        (
          await exchange(`${reg.url}/v2/`, {
            headers: { authorization: basic(user.name, `${user.password}x`) },
          })
        ).status,
      ).toBe(401);
    }
  });
});

describe('startRealRegistry with token auth', () => {
  let reg: RealRegistry;
  beforeAll(async () => {
    reg = await startRealRegistry({ auth: 'token', tokenExpiresIn: 120 });
  });
  afterAll(async () => {
    await reg.stop();
  });

  it('challenges with Bearer naming its token service, which the registry trusts', async () => {
    const anonymous = await exchange(`${reg.url}/v2/`);
    expect(anonymous.status).toBe(401);
    expect(reg.service).toBe('test-registry');
    expect(anonymous.headers['www-authenticate']).toBe(
      `Bearer realm="${reg.tokenUrl ?? ''}",service="test-registry"`,
    );
    const alice = userOf(reg, 'alice');
    const token = await tokenFor(reg, basic(alice.name, alice.password), 'registry:catalog:*');
    expect(claimsOf(token)).toMatchObject({
      sub: 'alice',
      aud: 'test-registry',
      access: [{ type: 'registry', name: 'catalog', actions: ['*'] }],
    });
    expect(
      (await exchange(`${reg.url}/v2/`, { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(200);
    expect(
      (await exchange(`${reg.url}/v2/_catalog`, { headers: { authorization: `Bearer ${token}` } }))
        .status,
    ).toBe(200);
  });

  it('grants by the default policy: alice pushes, reader only pulls, anonymous gets nothing', async () => {
    const scope = 'repository:tt/app:pull,push';
    const alice = userOf(reg, 'alice');
    const reader = userOf(reg, 'reader');
    const aliceToken = await tokenFor(reg, basic(alice.name, alice.password), scope);
    const readerToken = await tokenFor(reg, basic(reader.name, reader.password), scope);
    const anonymousToken = await tokenFor(reg, undefined, scope);
    expect(claimsOf(aliceToken).access).toEqual([
      { type: 'repository', name: 'tt/app', actions: ['pull', 'push'] },
    ]);
    expect(claimsOf(readerToken).access).toEqual([
      { type: 'repository', name: 'tt/app', actions: ['pull'] },
    ]);
    expect(claimsOf(anonymousToken)).toMatchObject({ sub: '', access: [] });
    const upload = (token: string): Promise<number> =>
      exchange(`${reg.url}/v2/tt/app/blobs/uploads/`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      }).then((r) => r.status);
    expect(await upload(aliceToken)).toBe(202);
    expect(await upload(readerToken)).toBe(401);
    expect(await upload(anonymousToken)).toBe(401);
  });

  it('refuses a wrong password and records what it answered, without secrets', async () => {
    const alice = userOf(reg, 'alice');
    const before = reg.tokenRequests.length;
    const res = await exchange(`${reg.tokenUrl ?? ''}?scope=repository:tt/app:pull`, {
      headers: { authorization: basic('alice', 'wrong') },
    });
    expect(res.status).toBe(401);
    expect(reg.tokenRequests.slice(before)).toEqual([
      {
        method: 'GET',
        account: 'alice',
        grantType: undefined,
        scopes: ['repository:tt/app:pull'],
        status: 401,
      },
    ]);
    expect(JSON.stringify(reg.tokenRequests)).not.toContain(alice.password);
    const elsewhere = await exchange(reg.tokenUrl?.replace('/token', '/other') ?? '');
    expect(elsewhere.status).toBe(404);
  });

  it('serves the OAuth2 POST grants: password (offline gives a refresh token), refresh_token, others refused', async () => {
    const alice = userOf(reg, 'alice');
    const url = reg.tokenUrl ?? '';
    const scope = 'repository:tt/app:pull';
    const withPassword = await postForm(url, {
      grant_type: 'password',
      username: 'alice',
      password: alice.password,
      access_type: 'offline',
      scope,
      service: 'test-registry',
    });
    expect(withPassword.status).toBe(200);
    const refresh = withPassword.json['refresh_token'];
    expect(typeof refresh).toBe('string');
    expect(claimsOf(String(withPassword.json['access_token'])).access).toEqual([
      { type: 'repository', name: 'tt/app', actions: ['pull'] },
    ]);
    const refreshed = await postForm(url, {
      grant_type: 'refresh_token',
      refresh_token: String(refresh),
      scope,
    });
    expect(refreshed.status).toBe(200);
    expect(claimsOf(String(refreshed.json['access_token'])).sub).toBe('alice');
    expect(refreshed.json['refresh_token']).toBeUndefined();
    // A refresh token also works as the password of a GET (what docker does with identity tokens).
    const viaGet = await tokenFor(reg, basic('<token>', String(refresh)), scope);
    expect(claimsOf(viaGet).sub).toBe('alice');
    expect(
      (await postForm(url, { grant_type: 'refresh_token', refresh_token: 'nope' })).status,
    ).toBe(401);
    expect(
      (await postForm(url, { grant_type: 'password', username: 'alice', password: 'wrong' }))
        .status,
    ).toBe(401);
    expect((await postForm(url, { grant_type: 'client_credentials' })).json).toEqual({
      details: 'unsupported grant_type',
    });
    const onlinePassword = await postForm(url, {
      grant_type: 'password',
      username: 'alice',
      password: alice.password,
    });
    expect(onlinePassword.json['refresh_token']).toBeUndefined();
  });

  it('mints tokens from a shifted clock, which the registry then refuses as expired', async () => {
    const alice = userOf(reg, 'alice');
    reg.setTokenClockOffset(-3_600);
    try {
      const token = await tokenFor(
        reg,
        basic(alice.name, alice.password),
        'repository:tt/app:pull',
      );
      expect(claimsOf(token).exp).toBeLessThan(Date.now() / 1000 - 3_000);
      expect(
        (await exchange(`${reg.url}/v2/`, { headers: { authorization: `Bearer ${token}` } }))
          .status,
      ).toBe(401);
    } finally {
      reg.setTokenClockOffset(0);
    }
    const fresh = await tokenFor(reg, basic(alice.name, alice.password), 'repository:tt/app:pull');
    expect(
      (await exchange(`${reg.url}/v2/`, { headers: { authorization: `Bearer ${fresh}` } })).status,
    ).toBe(200);
  });
});

describe('startRealRegistry options', () => {
  it('takes users, a service name, anonymous actions, a GET-only token service and extra config', async () => {
    const reg = await startRealRegistry({
      auth: 'token',
      users: [{ name: 'bob', password: 'bob-secret' }],
      service: 'other-service',
      anonymousActions: ['pull'],
      tokenPostDisabled: true,
      extraConfig: 'health:\n  storagedriver:\n    enabled: false',
    });
    try {
      expect(reg.users).toEqual([{ name: 'bob', password: 'bob-secret' }]);
      expect((await exchange(`${reg.url}/v2/`)).headers['www-authenticate']).toContain(
        'service="other-service"',
      );
      const anonymous = await tokenFor(reg, undefined, 'repository:tt/app:pull,push');
      expect(claimsOf(anonymous)).toMatchObject({
        aud: 'other-service',
        access: [{ name: 'tt/app', actions: ['pull'] }],
      });
      const post = await postForm(reg.tokenUrl ?? '', {
        grant_type: 'password',
        username: 'bob',
        password: 'bob-secret',
      });
      expect(post).toEqual({ status: 404, json: { details: 'POST not supported' } });
      expect(reg.tokenRequests.at(-1)).toMatchObject({ method: 'POST', status: 404 });
    } finally {
      await reg.stop();
    }
  });

  it('takes a grant policy of its own', async () => {
    const reg = await startRealRegistry({
      auth: 'token',
      grants: (user, scope) => (user === 'alice' && scope.name === 'only/this' ? ['pull'] : []),
    });
    try {
      const alice = userOf(reg, 'alice');
      const token = await tokenFor(
        reg,
        basic(alice.name, alice.password),
        'repository:only/this:pull,push repository:not/that:pull',
      );
      expect(claimsOf(token).access).toEqual([
        { type: 'repository', name: 'only/this', actions: ['pull'] },
      ]);
    } finally {
      await reg.stop();
    }
  });
});

describe('startRealRegistry over HTTPS with client certificates (pki.ts)', () => {
  it('serves https and accepts only clients whose certificate the given CA issued', async () => {
    const dir = dirAt(tmp.dir, 'pki');
    const ca = makeCa(dir, 'ca');
    const server = issue(ca, dir, 'server', 'server');
    const client = issue(ca, dir, 'client', 'client');
    const reg = await startRealRegistry({
      auth: 'none',
      tls: { certificate: server.certFile, key: server.keyFile, clientCas: [ca.certFile] },
    });
    const get = (withCert: boolean): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = httpsRequest(
          `${reg.url}/v2/`,
          { ca: ca.cert, ...(withCert ? { cert: client.cert, key: client.key } : {}) },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end();
      });
    try {
      expect(reg.url).toBe(`https://${reg.host}`);
      expect(await get(true)).toBe(200);
      await expect(get(false)).rejects.toThrow();
    } finally {
      await reg.stop();
    }
  });
});

describe('startRealRegistry failures', () => {
  it('names what to install when docker-registry, htpasswd or openssl is missing, leaving nothing behind', async () => {
    await expect(
      startRealRegistry({ auth: 'none', registryBinary: '/nonexistent/docker-registry' }),
    ).rejects.toThrow(
      'docker-registry (CNCF distribution) is not installed: run `apt-get install -y docker-registry`',
    );
    await withPath(['docker-registry'], {}, async () => {
      await expect(startRealRegistry({ auth: 'basic' })).rejects.toThrow(
        'htpasswd is not installed: run `apt-get install -y apache2-utils`',
      );
      await expect(startRealRegistry({ auth: 'token' })).rejects.toThrow(
        'openssl is not installed: run `apt-get install -y openssl`',
      );
    });
    expect(tmp.entries().filter((e) => e.startsWith('real-registry-'))).toEqual([]);
  });

  it("passes on openssl's own failure and a registry binary that cannot be run, leaving nothing behind", async () => {
    await withPath(['docker-registry'], { openssl: 'echo "no entropy" >&2; exit 1' }, async () => {
      await expect(startRealRegistry({ auth: 'token' })).rejects.toThrow(
        /Command failed: openssl req[\s\S]*no entropy/,
      );
    });
    const notExecutable = join(tmp.dir, 'not-executable');
    writeFileSync(notExecutable, '#!/bin/sh\n');
    await expect(
      startRealRegistry({ auth: 'none', registryBinary: notExecutable }),
    ).rejects.toThrow(/EACCES/);
    expect(tmp.entries().filter((e) => e.startsWith('real-registry-'))).toEqual([]);
  });

  it('reports a registry that exits at start with its output, and removes its directory', async () => {
    await withPath([], { 'fake-registry': 'echo "bad config: $2" >&2; exit 3' }, async () => {
      await expect(
        startRealRegistry({ auth: 'none', registryBinary: 'fake-registry' }),
      ).rejects.toThrow(/docker-registry exited with code 3:\nbad config: .*config\.yml/);
    });
    expect(tmp.entries().filter((e) => e.startsWith('real-registry-'))).toEqual([]);
  });
});
