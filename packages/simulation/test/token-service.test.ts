// Token service behaviour the real registry has no equivalent for: private repositories, early
// expiry (on demand, as a fault, and by the injected clock), and Basic auth mode.
import { describe, expect, it } from 'vitest';
import { createSimulator } from '../src/index.js';
import { makeClient, OCI_MANIFEST } from './helpers.js';

describe('simulator-only auth behaviour', () => {
  it('expires tokens early on demand and honours private repositories', async () => {
    const sim = createSimulator({
      auth: 'token',
      users: [{ name: 'bob', password: 'pw', namespaces: ['bob'] }],
      repositories: { 'bob/secret': { private: true } },
    });
    const c = makeClient('http://sim.test', sim.dispatcher);
    const anon = (
      await c.call('GET', '/token?service=simulation-registry&scope=repository:bob/secret:pull')
    ).json().token;
    const hidden = await c.call('GET', '/v2/bob/secret/tags/list', {
      headers: { authorization: `Bearer ${anon}` },
    });
    expect(hidden.status).toBe(401);
    expect(hidden.headers['www-authenticate']).toContain('error="insufficient_scope"');
    const basic = `Basic ${Buffer.from('bob:pw').toString('base64')}`;
    const own = (
      await c.call('GET', '/token?service=simulation-registry&scope=repository:bob/secret:pull', {
        headers: { authorization: basic },
      })
    ).json().token;
    expect(
      (
        await c.call('GET', '/v2/bob/secret/tags/list', {
          headers: { authorization: `Bearer ${own}` },
        })
      ).status,
    ).toBe(200);
    sim.expireTokens();
    const expired = await c.call('GET', '/v2/bob/secret/tags/list', {
      headers: { authorization: `Bearer ${own}` },
    });
    expect(expired.status).toBe(401);
    expect(expired.headers['www-authenticate']).toContain('error="invalid_token"');
    await sim.close();
  });

  it('expires tokens early through a scripted fault', async () => {
    const sim = createSimulator({
      auth: 'token',
      faults: [{ match: { path: '/v2/a/b/tags/list', attempt: 2 }, expireTokens: true }],
    });
    const c = makeClient('http://sim.test', sim.dispatcher);
    const t = (
      await c.call('GET', '/token?service=simulation-registry&scope=repository:a/b:pull')
    ).json().token;
    const auth = { authorization: `Bearer ${String(t)}` };
    expect((await c.call('GET', '/v2/a/b/tags/list', { headers: auth })).status).toBe(404);
    const second = await c.call('GET', '/v2/a/b/tags/list', { headers: auth });
    expect(second.status).toBe(401);
    expect(second.headers['www-authenticate']).toContain('error="invalid_token"');
    const fresh = (
      await c.call('GET', '/token?service=simulation-registry&scope=repository:a/b:pull')
    ).json().token;
    expect(
      (
        await c.call('GET', '/v2/a/b/tags/list', {
          headers: { authorization: `Bearer ${String(fresh)}` },
        })
      ).status,
    ).toBe(404);
  });

  it('expires tokens with the injected clock', async () => {
    let now = 1_700_000_000_000;
    const sim = createSimulator({ auth: 'token', tokenExpiresIn: 60, clock: { now: () => now } });
    const c = makeClient('http://sim.test', sim.dispatcher);
    const t = (await c.call('GET', '/token?service=simulation-registry')).json();
    expect(t.expires_in).toBe(60);
    expect(t.issued_at).toBe(new Date(now).toISOString());
    expect(
      (await c.call('GET', '/v2/', { headers: { authorization: `Bearer ${t.token}` } })).status,
    ).toBe(200);
    now += 61_000;
    expect(
      (await c.call('GET', '/v2/', { headers: { authorization: `Bearer ${t.token}` } })).status,
    ).toBe(401);
  });

  it('Basic auth mode: credentials required, Basic challenge', async () => {
    const sim = createSimulator({ auth: 'basic', users: [{ name: 'carol', password: 'pw' }] });
    const c = makeClient('http://sim.test', sim.dispatcher);
    const no = await c.call('GET', '/v2/');
    expect(no.status).toBe(401);
    expect(no.headers['www-authenticate']).toBe('Basic realm="simulation"');
    const yes = await c.call('GET', '/v2/', {
      headers: { authorization: `Basic ${Buffer.from('carol:pw').toString('base64')}` },
    });
    expect(yes.status).toBe(200);
    const bad = await c.call('PUT', '/v2/x/y/manifests/v1', {
      body: '{}',
      headers: {
        'content-type': OCI_MANIFEST,
        authorization: `Basic ${Buffer.from('carol:pw').toString('base64')}`,
      },
    });
    expect(bad.json().errors[0].code).toBe('MANIFEST_INVALID');
  });
});
