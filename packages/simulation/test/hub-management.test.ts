// The dockerhub profile's Hub API management routes: repository README and visibility, access
// tokens whose secret is kept only as a hash and whose scope the token service enforces,
// last_pulled from manifest GETs, and all of it surviving a restart with directory storage.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../src/index.js';
import { ACCEPT_ALL, makeClient, pushImage, type Client } from './helpers.js';

const ALICE = { name: 'alice', password: 'alice-pw', namespaces: ['alice'] };

async function jwt(c: Client, identifier: string, secret: string): Promise<string> {
  const res = await c.call('POST', '/v2/auth/token', {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ identifier, secret }),
  });
  expect(res.status).toBe(200);
  return (res.json() as { access_token: string }).access_token;
}

function hub(c: Client, token: string) {
  return (method: string, path: string, body?: unknown) =>
    c.call(method, path, {
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
}

describe('Hub API management in the dockerhub profile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sim-hub-manage-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the README, access tokens (hashed) and last_pulled across a restart with directory storage', async () => {
    const storage = { directory: join(dir, 'store') };
    let sim: Simulator = createSimulator({
      profile: 'dockerhub',
      auth: 'none',
      users: [ALICE],
      storage,
    });
    let c = makeClient((await sim.listen()).url);
    let call = hub(c, await jwt(c, 'alice', 'alice-pw'));
    expect(
      (
        await call('POST', '/v2/namespaces/alice/repositories', {
          name: 'app',
          full_description: '# README',
        })
      ).status,
    ).toBe(201);
    const img = await pushImage(c, 'alice/app', 'v1', 'kept');
    const created = await call('POST', '/v2/access-tokens', {
      token_label: 'ci',
      scopes: ['repo:read'],
    });
    expect(created.status).toBe(201);
    const { uuid, token } = created.json() as { uuid: string; token: string };
    expect(token).toMatch(/^dckr_pat_/);
    // The last request before the restart is a pull: close() writes what it changed.
    expect(
      (await c.call('GET', '/v2/alice/app/manifests/v1', { headers: { accept: ACCEPT_ALL } }))
        .status,
    ).toBe(200);
    await sim.close();
    // Only a hash of the secret is on disk.
    const saved = await readFile(join(storage.directory, 'meta.json'), 'utf8');
    expect(saved).toContain(uuid);
    expect(saved).not.toContain(token);

    sim = createSimulator({ profile: 'dockerhub', auth: 'none', users: [ALICE], storage });
    c = makeClient((await sim.listen()).url);
    // The token logs in after the restart, with its scope.
    call = hub(c, await jwt(c, 'alice', token));
    const repo = (await call('GET', '/v2/namespaces/alice/repositories/app')).json() as Record<
      string,
      unknown
    >;
    expect(repo).toMatchObject({
      full_description: '# README',
      permissions: { read: true, write: false, admin: false },
    });
    const tag = (
      await call('GET', '/v2/namespaces/alice/repositories/app/tags/v1')
    ).json() as Record<string, unknown>;
    expect(tag['digest']).toBe(img.digest);
    expect(typeof tag['tag_last_pulled']).toBe('string');
    const denied = await call('PATCH', '/v2/repositories/alice/app/', { full_description: 'x' });
    expect(denied.status).toBe(403);
    expect(
      (
        (await call('GET', '/v2/access-tokens')).json() as {
          results: { uuid: string; token: string }[];
        }
      ).results,
    ).toEqual([expect.objectContaining({ uuid, token: '', last_used: expect.any(String) })]);
    await sim.close();
  });

  it('grants a read-only token pull but not push at the token service, and refuses a disabled one', async () => {
    const sim = createSimulator({ profile: 'dockerhub', users: [ALICE] });
    const c = makeClient((await sim.listen()).url);
    const call = hub(c, await jwt(c, 'alice', 'alice-pw'));
    const { uuid, token } = (
      await call('POST', '/v2/access-tokens', { token_label: 'ro', scopes: ['repo:read'] })
    ).json() as {
      uuid: string;
      token: string;
    };
    const basic = (secret: string) => ({
      authorization: `Basic ${Buffer.from(`alice:${secret}`).toString('base64')}`,
    });
    const grant = await c.call(
      'GET',
      '/token?service=registry.docker.io&scope=repository:alice/app:pull,push',
      { headers: basic(token) },
    );
    expect(grant.status).toBe(200);
    const claims = JSON.parse(
      Buffer.from(
        (grant.json() as { token: string }).token.split('.')[1] ?? '',
        'base64url',
      ).toString(),
    ) as {
      access: { actions: string[] }[];
    };
    expect(claims.access[0]?.actions).toEqual(['pull']);
    const full = await c.call(
      'GET',
      '/token?service=registry.docker.io&scope=repository:alice/app:pull,push',
      { headers: basic('alice-pw') },
    );
    const fullClaims = JSON.parse(
      Buffer.from(
        (full.json() as { token: string }).token.split('.')[1] ?? '',
        'base64url',
      ).toString(),
    ) as {
      access: { actions: string[] }[];
    };
    expect(fullClaims.access[0]?.actions).toEqual(['pull', 'push']);

    expect((await call('PATCH', `/v2/access-tokens/${uuid}`, { is_active: false })).status).toBe(
      200,
    );
    expect(
      (await c.call('GET', '/token?service=registry.docker.io', { headers: basic(token) })).status,
    ).toBe(401);
    expect((await call('DELETE', `/v2/access-tokens/${uuid}`)).status).toBe(204);
    expect((await call('GET', `/v2/access-tokens/${uuid}`)).status).toBe(404);
    await sim.close();
  });

  it('refuses bad repository input with the Hub ValueError shape and changes nothing', async () => {
    const sim = createSimulator({ profile: 'dockerhub', users: [ALICE] });
    const c = makeClient((await sim.listen()).url);
    const call = hub(c, await jwt(c, 'alice', 'alice-pw'));
    expect(
      (await call('POST', '/v2/namespaces/alice/repositories', { name: 'ok', description: 'd' }))
        .status,
    ).toBe(201);
    const long = await call('PATCH', '/v2/repositories/alice/ok/', {
      full_description: 'x'.repeat(25_001),
    });
    expect(long.status).toBe(400);
    expect(long.json()).toMatchObject({
      fields: { full_description: [expect.stringContaining('25000')] },
    });
    expect((await call('POST', '/v2/namespaces/alice/repositories', { name: 'Bad' })).status).toBe(
      400,
    );
    expect((await call('POST', '/v2/namespaces/alice/repositories', { name: 'ok' })).status).toBe(
      400,
    );
    expect(
      (await call('POST', '/v2/access-tokens', { token_label: 'x', scopes: ['repo:root'] })).json(),
    ).toMatchObject({
      fields: { scopes: [expect.stringContaining('unknown scope "repo:root"')] },
    });
    expect((await call('GET', '/v2/access-tokens')).json()).toMatchObject({ count: 0 });
    expect((await call('GET', '/v2/namespaces/alice/repositories/ok')).json()).toMatchObject({
      description: 'd',
      full_description: '',
    });
    await sim.close();
  });

  it('serves organisation members, groups and access tokens to members only, and limits the Hub API rate', async () => {
    const users = [
      ALICE,
      { name: 'bob', password: 'bob-pw', namespaces: ['acme'] },
      { name: 'carol', password: 'carol-pw', namespaces: ['carol'] },
    ];
    const sim = createSimulator({
      profile: 'dockerhub',
      users: [{ ...ALICE, namespaces: ['alice', 'acme'] }, ...users.slice(1)],
      hubRateLimit: { limit: 30 },
    });
    const c = makeClient((await sim.listen()).url);
    const call = hub(c, await jwt(c, 'alice', 'alice-pw'));
    const carol = hub(c, await jwt(c, 'carol', 'carol-pw'));
    const members = (await call('GET', '/v2/orgs/acme/members')).json() as {
      count: number;
      results: { username: string; role: string }[];
    };
    expect(members.results.map((m) => `${m.username}:${m.role}`)).toEqual([
      'alice:Owner',
      'bob:Owner',
    ]);
    expect(
      (
        (await call('GET', '/v2/orgs/acme/groups')).json() as {
          results: { name: string; member_count: number }[];
        }
      ).results,
    ).toEqual([expect.objectContaining({ name: 'owners', member_count: 2 })]);
    expect((await call('GET', '/v2/orgs/acme/groups/owners')).status).toBe(200);
    expect(
      ((await call('GET', '/v2/orgs/acme/groups/owners/members')).json() as { count: number })
        .count,
    ).toBe(2);
    expect((await call('GET', '/v2/orgs/acme/groups/devs')).status).toBe(404);
    expect((await carol('GET', '/v2/orgs/acme/members')).status).toBe(403);
    expect((await call('GET', '/v2/orgs/nobody/members')).status).toBe(404);
    expect((await call('POST', '/v2/orgs/acme/groups', { name: 'x' })).status).toBe(405);

    const oat = await call('POST', '/v2/orgs/acme/access-tokens', {
      label: 'ci',
      resources: [{ type: 'TYPE_REPO', path: 'acme/*', scopes: ['repo-pull'] }],
      expires_at: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(oat.status).toBe(201);
    const { id, token } = oat.json() as { id: string; token: string };
    expect(token).toMatch(/^dckr_oat_/);
    expect((await call('GET', `/v2/orgs/acme/access-tokens/${id}`)).json()).toMatchObject({
      id,
      label: 'ci',
      created_by: 'alice',
    });
    expect(
      (
        await call('PATCH', `/v2/orgs/acme/access-tokens/${id}`, { label: 'ci2', is_active: false })
      ).json(),
    ).toMatchObject({ label: 'ci2', is_active: false });
    expect((await call('GET', '/v2/orgs/acme/access-tokens')).json()).toMatchObject({
      total: 1,
      next: null,
    });
    expect((await carol('GET', '/v2/orgs/acme/access-tokens')).status).toBe(403);
    expect(
      (
        await call('POST', '/v2/orgs/acme/access-tokens', {
          label: 'bad',
          resources: [{ type: 'TYPE_X', path: 'p', scopes: ['s'] }],
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await call('POST', '/v2/orgs/acme/access-tokens', {
          label: 'old',
          resources: [{ type: 'TYPE_ORG', path: 'acme', scopes: ['org-read'] }],
          expires_at: '2000-01-01T00:00:00Z',
        })
      ).status,
    ).toBe(400);
    expect((await call('DELETE', `/v2/orgs/acme/access-tokens/${id}`)).status).toBe(204);
    expect((await call('GET', `/v2/orgs/acme/access-tokens/${id}`)).status).toBe(404);

    // 30 calls a minute per account (the logins were anonymous): alice spends the rest.
    let last = await call('GET', '/v2/namespaces/alice/repositories');
    while (last.status === 200) last = await call('GET', '/v2/namespaces/alice/repositories');
    expect(last.status).toBe(429);
    expect(last.headers['x-ratelimit-remaining']).toBe('0');
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(last.headers['x-retry-after'])).toBe(Number(last.headers['x-ratelimit-reset']));
    // Another account has its own budget.
    expect((await carol('GET', '/v2/namespaces/carol/repositories')).status).toBe(200);
    await sim.close();
  });
});
