// The `dockerhub` profile against Docker Hub's documented registry behaviour (registry-api.md
// sections 2-4): hidden missing repositories, no manifest/tag delete, no catalog, pull rate limits.
import { describe, expect, it } from 'vitest';
import { createSimulator } from '../src/index.js';
import { ACCEPT_ALL, type Client, makeClient, OCI_MANIFEST, pushImage } from './helpers.js';

async function tokenFor(c: Client, scope: string, basic?: string): Promise<string> {
  const res = await c.call('GET', `/token?service=registry.docker.io&scope=${scope}`, {
    headers: basic ? { authorization: `Basic ${basic}` } : {},
  });
  return String(res.json().token);
}

function setup(clock?: () => number) {
  const sim = createSimulator({
    profile: 'dockerhub',
    users: [{ name: 'dave', password: 'pw', namespaces: ['dave', 'library'] }],
    ...(clock ? { clock: { now: clock } } : {}),
  });
  const c = makeClient('http://registry-1.docker.test', sim.dispatcher);
  const basic = Buffer.from('dave:pw').toString('base64');
  return { sim, c, basic };
}

async function seed(c: Client, basic: string, repo: string) {
  const t = await tokenFor(c, `repository:${repo}:pull,push`, basic);
  return pushImage(c, repo, 'latest', repo, { authorization: `Bearer ${t}` });
}

describe('dockerhub profile', () => {
  it('uses Docker Hub token service names in challenges', async () => {
    const { c } = setup();
    const res = await c.call('GET', '/v2/');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(
      'Bearer realm="http://registry-1.docker.test/token",service="registry.docker.io"',
    );
  });

  it('answers 401 insufficient_scope for missing repositories and for names without library/', async () => {
    const { c, basic } = setup();
    await seed(c, basic, 'library/alpine');
    const anon = await tokenFor(c, 'repository:nobody/missing:pull');
    const res = await c.call('GET', '/v2/nobody/missing/manifests/latest', {
      headers: { authorization: `Bearer ${anon}`, accept: ACCEPT_ALL },
    });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toContain('error="insufficient_scope"');
    const short = await tokenFor(c, 'repository:alpine:pull');
    expect(
      (
        await c.call('GET', '/v2/alpine/tags/list', {
          headers: { authorization: `Bearer ${short}` },
        })
      ).status,
    ).toBe(401);
    const full = await tokenFor(c, 'repository:library/alpine:pull');
    expect(
      (
        await c.call('GET', '/v2/library/alpine/tags/list', {
          headers: { authorization: `Bearer ${full}` },
        })
      ).json().tags,
    ).toEqual(['latest']);
  });

  it('refuses manifest and blob deletes with 405 UNSUPPORTED and has no catalog', async () => {
    const { c, basic } = setup();
    const img = await seed(c, basic, 'dave/app');
    const t = await tokenFor(c, 'repository:dave/app:pull,push,delete', basic);
    const auth = { authorization: `Bearer ${t}` };
    for (const path of [
      `/v2/dave/app/manifests/${img.digest}`,
      '/v2/dave/app/manifests/latest',
      `/v2/dave/app/blobs/${img.layer}`,
    ]) {
      const res = await c.call('DELETE', path, { headers: auth });
      expect(res.status).toBe(405);
      expect(res.json()).toEqual({
        errors: [{ code: 'UNSUPPORTED', message: 'The operation is unsupported.' }],
      });
    }
    const catTok = await tokenFor(c, 'registry:catalog:*', basic);
    const cat = await c.call('GET', '/v2/_catalog', {
      headers: { authorization: `Bearer ${catTok}` },
    });
    expect(cat.status).toBe(401);
    expect(cat.json().errors[0].detail).toEqual([
      { Type: 'registry', Class: '', Name: 'catalog', Action: '*' },
    ]);
  });

  it('counts manifest GETs (not HEADs) per address and per account, 429 once spent, resets with the window', async () => {
    let now = 1_700_000_000_000;
    const { c, basic } = setup(() => now);
    await seed(c, basic, 'library/busybox');
    const anon = {
      authorization: `Bearer ${await tokenFor(c, 'repository:library/busybox:pull')}`,
      accept: ACCEPT_ALL,
    };
    const head = await c.call('HEAD', '/v2/library/busybox/manifests/latest', { headers: anon });
    expect(head.headers['ratelimit-limit']).toBe('100;w=21600');
    expect(head.headers['ratelimit-remaining']).toBe('100;w=21600');
    expect(head.headers['docker-ratelimit-source']).toBe('127.0.0.1');
    for (let i = 0; i < 100; i++) {
      const res = await c.call('GET', '/v2/library/busybox/manifests/latest', { headers: anon });
      expect(res.status).toBe(200);
    }
    const spent = await c.call('GET', '/v2/library/busybox/manifests/latest', { headers: anon });
    expect(spent.status).toBe(429);
    expect(spent.json().errors[0].code).toBe('TOOMANYREQUESTS');
    expect(spent.headers['retry-after']).toBe('21600');
    expect(spent.headers['ratelimit-remaining']).toBe('0;w=21600');
    const authed = {
      authorization: `Bearer ${await tokenFor(c, 'repository:library/busybox:pull', basic)}`,
      accept: ACCEPT_ALL,
    };
    const mine = await c.call('GET', '/v2/library/busybox/manifests/latest', { headers: authed });
    expect(mine.status).toBe(200);
    expect(mine.headers['ratelimit-limit']).toBe('200;w=21600');
    expect(mine.headers['docker-ratelimit-source']).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    now += 3_600_000;
    const anon2 = {
      authorization: `Bearer ${await tokenFor(c, 'repository:library/busybox:pull')}`,
      accept: ACCEPT_ALL,
    };
    expect(
      (await c.call('GET', '/v2/library/busybox/manifests/latest', { headers: anon2 })).headers[
        'retry-after'
      ],
    ).toBe('18000');
    now += 18_000_000;
    const anon3 = {
      authorization: `Bearer ${await tokenFor(c, 'repository:library/busybox:pull')}`,
      accept: ACCEPT_ALL,
    };
    const fresh = await c.call('GET', '/v2/library/busybox/manifests/latest', { headers: anon3 });
    expect(fresh.status).toBe(200);
    expect(fresh.headers['ratelimit-remaining']).toBe('99;w=21600');
  });

  it('can turn rate limits on in other profiles with custom numbers', async () => {
    const sim = createSimulator({ rateLimits: { anonymousLimit: 1, windowSeconds: 60 } });
    const c = makeClient('http://sim.test', sim.dispatcher);
    await pushImage(c, 'r/l', 'v1');
    expect(
      (await c.call('GET', '/v2/r/l/manifests/v1', { headers: { accept: OCI_MANIFEST } })).status,
    ).toBe(200);
    const second = await c.call('GET', '/v2/r/l/manifests/v1', {
      headers: { accept: OCI_MANIFEST },
    });
    expect(second.status).toBe(429);
    expect(second.headers['retry-after']).toBe('60');
  });
});
