// The Hub API subset on the same handler: logins with 2FA, repositories and tags (current and
// legacy routes), tag DELETE, search, and Docker Hub paging.
import { beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../src/index.js';
import { type Client, makeClient, OCI_INDEX, OCI_MANIFEST, pushImage, sha256 } from './helpers.js';

const json = { 'content-type': 'application/json' };

describe('Hub API', () => {
  let sim: Simulator;
  let c: Client;
  let jwt: string;
  beforeAll(async () => {
    sim = createSimulator({
      users: [
        {
          name: 'erin',
          password: 'erin-pw',
          namespaces: ['erin'],
          accessTokens: [
            'dckr_pat_erin',
            { token: 'dckr_pat_erin_public', scope: 'repo:public_read' },
            { token: 'dckr_pat_erin_read', scope: 'repo:read' },
            { token: 'dckr_pat_erin_write', scope: 'repo:write' },
          ],
        },
        {
          name: 'mfa',
          password: 'mfa-pw',
          namespaces: ['mfa'],
          twoFactorCode: '123456',
          accessTokens: ['dckr_pat_mfa'],
        },
      ],
      repositories: {
        'erin/private': { private: true, description: 'hidden' },
        'erin/app': { description: 'the app' },
      },
    });
    c = makeClient('http://hub.test', sim.dispatcher);
    for (let i = 0; i < 12; i++)
      await pushImage(c, 'erin/app', `t${String(i).padStart(2, '0')}`, `s${i}`);
    await pushImage(c, 'library/nginx', 'latest', 'nginx');
    const amd = await pushImage(c, 'erin/multi', 'amd', 'amd');
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        {
          mediaType: OCI_MANIFEST,
          digest: amd.digest,
          size: amd.manifest.length,
          platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
        },
      ],
    });
    await c.call('PUT', '/v2/erin/multi/manifests/multi', {
      body: index,
      headers: { 'content-type': OCI_INDEX },
    });
    const res = await c.call('POST', '/v2/auth/token', {
      body: JSON.stringify({ identifier: 'erin', secret: 'dckr_pat_erin' }),
      headers: json,
    });
    expect(res.status).toBe(200);
    jwt = res.json().access_token;
  });

  it('logs in with /v2/users/login and the 2FA flow', async () => {
    const ok = await c.call('POST', '/v2/users/login', {
      body: JSON.stringify({ username: 'erin', password: 'erin-pw' }),
      headers: json,
    });
    expect(ok.status).toBe(200);
    expect(ok.json().token.split('.')).toHaveLength(3);
    const bad = await c.call('POST', '/v2/users/login', {
      body: JSON.stringify({ username: 'erin', password: 'nope' }),
      headers: json,
    });
    expect(bad.status).toBe(401);
    expect(bad.json()).toEqual({ detail: 'Incorrect authentication credentials' });
    const first = await c.call('POST', '/v2/users/login', {
      body: JSON.stringify({ username: 'mfa', password: 'mfa-pw' }),
      headers: json,
    });
    expect(first.status).toBe(401);
    expect(first.json().detail).toBe('Require secondary authentication on MFA enabled account');
    const t2 = first.json().login_2fa_token;
    const wrong = await c.call('POST', '/v2/users/2fa-login', {
      body: JSON.stringify({ login_2fa_token: t2, code: '000000' }),
      headers: json,
    });
    expect(wrong.status).toBe(401);
    const second = await c.call('POST', '/v2/users/2fa-login', {
      body: JSON.stringify({ login_2fa_token: t2, code: '123456' }),
      headers: json,
    });
    expect(second.status).toBe(200);
    expect(second.json().token).toBeTruthy();
    const tokenBad = await c.call('POST', '/v2/auth/token', {
      body: JSON.stringify({ identifier: 'erin', secret: 'x' }),
      headers: json,
    });
    expect(tokenBad.status).toBe(401);
  });

  it('asks a 2FA account for its code on /v2/auth/token with the password, not with an access token', async () => {
    const challenged = await c.call('POST', '/v2/auth/token', {
      body: JSON.stringify({ identifier: 'mfa', secret: 'mfa-pw' }),
      headers: json,
    });
    expect(challenged.status).toBe(401);
    expect(challenged.json().access_token).toBeUndefined();
    const t2 = challenged.json().login_2fa_token;
    expect(typeof t2).toBe('string');
    const done = await c.call('POST', '/v2/users/2fa-login', {
      body: JSON.stringify({ login_2fa_token: t2, code: '123456' }),
      headers: json,
    });
    expect(done.status).toBe(200);
    for (const [path, body] of [
      ['/v2/auth/token', { identifier: 'mfa', secret: 'dckr_pat_mfa' }],
      ['/v2/users/login', { username: 'mfa', password: 'dckr_pat_mfa' }],
    ] as const) {
      const direct = await c.call('POST', path, { body: JSON.stringify(body), headers: json });
      expect(direct.status).toBe(200);
      expect(direct.json().login_2fa_token).toBeUndefined();
    }
  });

  it('pages namespace repositories with count/next/previous/results; private ones need the owner', async () => {
    const anon = await c.call('GET', '/v2/namespaces/erin/repositories?page_size=100');
    expect(anon.json().results.map((r: { name: string }) => r.name)).toEqual(['app', 'multi']);
    const mine = await c.call('GET', '/v2/namespaces/erin/repositories?page_size=1', {
      headers: { authorization: `Bearer ${jwt}` },
    });
    const page1 = mine.json();
    expect(page1.count).toBe(3);
    expect(page1.previous).toBeNull();
    expect(page1.next).toBe('http://hub.test/v2/namespaces/erin/repositories?page_size=1&page=2');
    const page3 = await c.call('GET', '/v2/namespaces/erin/repositories?page_size=1&page=3', {
      headers: { authorization: `Bearer ${jwt}` },
    });
    expect(page3.json().next).toBeNull();
    expect(page3.json().results[0].name).toBe('private');
    expect(page3.json().results[0].is_private).toBe(true);
    expect(
      (
        await c.call('GET', '/v2/namespaces/erin/repositories?page=4&page_size=1', {
          headers: { authorization: `Bearer ${jwt}` },
        })
      ).status,
    ).toBe(404);
    expect((await c.call('GET', '/v2/namespaces/erin/repositories?page_size=101')).status).toBe(
      400,
    );
    const badOrder = await c.call('GET', '/v2/namespaces/erin/repositories?ordering=stars');
    expect(badOrder.json().text).toBe('Invalid ordering value');
    const legacy = await c.call('GET', '/v2/repositories/erin/');
    expect(legacy.json().count).toBe(2);
  });

  it('gets a repository and its tags with metadata (current and legacy routes)', async () => {
    const repo = await c.call('GET', '/v2/namespaces/erin/repositories/app');
    expect(repo.json()).toMatchObject({
      name: 'app',
      namespace: 'erin',
      description: 'the app',
      is_private: false,
      media_types: [OCI_MANIFEST],
    });
    expect((await c.call('GET', '/v2/namespaces/erin/repositories/private')).status).toBe(404);
    const tags = await c.call('GET', '/v2/namespaces/erin/repositories/app/tags?ordering=name');
    expect(tags.json().count).toBe(12);
    expect(tags.json().results).toHaveLength(10);
    expect(tags.json().results[0].name).toBe('t00');
    const tag = await c.call('GET', '/v2/repositories/erin/multi/tags/multi/');
    expect(tag.json()).toMatchObject({
      name: 'multi',
      media_type: OCI_INDEX,
      digest: sha256(
        (await c.call('GET', '/v2/erin/multi/manifests/multi', { headers: { accept: OCI_INDEX } }))
          .body,
      ),
    });
    expect(tag.json().images).toEqual([
      expect.objectContaining({ os: 'linux', architecture: 'arm64', variant: 'v8' }),
    ]);
    const single = await c.call('GET', '/v2/namespaces/erin/repositories/multi/tags/amd');
    expect(single.json().images[0]).toMatchObject({ os: 'linux', architecture: 'amd64' });
    expect((await c.call('GET', '/v2/namespaces/erin/repositories/app/tags/none')).status).toBe(
      404,
    );
  });

  it('deletes a tag through the Hub API only for the owner', async () => {
    expect((await c.call('DELETE', '/v2/repositories/erin/app/tags/t00/')).status).toBe(401);
    const other = (
      await c.call('POST', '/v2/auth/token', {
        body: JSON.stringify({ identifier: 'mfa', secret: 'dckr_pat_mfa' }),
        headers: json,
      })
    ).json().access_token;
    expect(
      (
        await c.call('DELETE', '/v2/repositories/erin/app/tags/t00/', {
          headers: { authorization: `Bearer ${other}` },
        })
      ).status,
    ).toBe(403);
    const del = await c.call('DELETE', '/v2/repositories/erin/app/tags/t00/', {
      headers: { authorization: `Bearer ${jwt}` },
    });
    expect(del.status).toBe(204);
    expect((await c.call('GET', '/v2/erin/app/tags/list')).json().tags).not.toContain('t00');
    expect(
      (
        await c.call('GET', '/v2/repositories/erin/app/', {
          headers: { authorization: 'Bearer junk' },
        })
      ).status,
    ).toBe(401);
  });

  it('creates repositories and searches', async () => {
    const made = await c.call('POST', '/v2/namespaces/erin/repositories', {
      body: JSON.stringify({ name: 'fresh', description: 'brand new', is_private: false }),
      headers: { ...json, authorization: `Bearer ${jwt}` },
    });
    expect(made.status).toBe(201);
    const found = await c.call('GET', '/v2/search/repositories/?query=nginx');
    expect(found.json().results).toEqual([
      expect.objectContaining({ repo_name: 'nginx', is_official: true }),
    ]);
    const byDescription = await c.call('GET', '/v2/search/repositories/?query=brand');
    expect(byDescription.json().results[0].repo_name).toBe('erin/fresh');
  });
  it("enforces an access token's scope on the Hub API: 403 insufficient scope", async () => {
    const jwtFor = async (secret: string): Promise<string> =>
      (
        await c.call('POST', '/v2/auth/token', {
          body: JSON.stringify({ identifier: 'erin', secret }),
          headers: json,
        })
      ).json().access_token as string;
    const as = (token: string): { headers: Record<string, string> } => ({
      headers: { ...json, authorization: `Bearer ${token}` },
    });
    const publicRead = await jwtFor('dckr_pat_erin_public');
    const read = await jwtFor('dckr_pat_erin_read');
    const write = await jwtFor('dckr_pat_erin_write');
    const privateRepo = '/v2/namespaces/erin/repositories/private';
    expect((await c.call('GET', privateRepo, as(publicRead))).status).toBe(404);
    expect((await c.call('GET', privateRepo, as(read))).status).toBe(200);
    for (const token of [read, write]) {
      const denied = await c.call('DELETE', '/v2/repositories/erin/app/tags/t01/', as(token));
      expect(denied.status).toBe(403);
      expect(denied.json().detail).toBe('access denied: insufficient scope');
    }
    const create = (token: string, name: string): Promise<{ status: number }> =>
      c.call('POST', '/v2/namespaces/erin/repositories', {
        body: JSON.stringify({ name }),
        ...as(token),
      });
    expect((await create(read, 'by-reader')).status).toBe(403);
    expect((await create(write, 'by-writer')).status).toBe(201);
    expect((await c.call('GET', '/v2/erin/app/tags/list')).json().tags).toContain('t01');
  });
});
