// Token auth: the simulator's challenges and refusals against the real registry + token server,
// with the same expectations (realm and service values differ; their shape does not).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealRegistry, type RealRegistry } from '../../../tooling/registry/real-registry.js';
import { createSimulator, type Simulator } from '../src/index.js';
import { ACCEPT_ALL, type Client, makeClient, sha256 } from './helpers.js';

// distribution builds the action list from a Go map, so `pull,push` may come out as `push,pull`.
function sortedScope(scope: string | undefined): string {
  const [type, name, actions] = (scope ?? '').split(':');
  return `${type}:${name}:${(actions ?? '').split(',').sort().join(',')}`;
}

function challenge(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of (header ?? '').matchAll(/(\w+)="([^"]*)"/g)) out[m[1]!] = m[2]!;
  return out;
}

async function token(
  c: Client,
  realm: string,
  service: string,
  scopes: string[],
  user?: { name: string; password: string },
): Promise<string> {
  const q = new URLSearchParams({ service });
  for (const s of scopes) q.append('scope', s);
  const headers: Record<string, string> = user
    ? { authorization: `Basic ${Buffer.from(`${user.name}:${user.password}`).toString('base64')}` }
    : {};
  const res = await c.call('GET', `${realm}?${q.toString()}`, { headers });
  expect(res.status).toBe(200);
  const body = res.json();
  expect(typeof body.expires_in).toBe('number');
  return String(body.token ?? body.access_token);
}

describe.each(['simulator', 'real registry'] as const)('token auth (%s)', (backend) => {
  let c: Client;
  let real: RealRegistry | undefined;
  let sim: Simulator | undefined;
  let alice: { name: string; password: string };
  let reader: { name: string; password: string };
  beforeAll(async () => {
    if (backend === 'real registry') {
      real = await startRealRegistry({ auth: 'token', anonymousActions: ['pull'] });
      c = makeClient(real.url);
      alice = real.users[0]!;
      reader = real.users[1]!;
    } else {
      alice = { name: 'alice', password: 'alice-pw' };
      reader = { name: 'reader', password: 'reader-pw' };
      sim = createSimulator({
        profile: 'distribution',
        auth: 'token',
        users: [alice, { ...reader, namespaces: [] }],
      });
      c = makeClient((await sim.listen()).url);
    }
  });
  afterAll(async () => {
    await real?.stop();
    await sim?.close();
  });

  it('challenges /v2/ without a scope and with the UNAUTHORIZED body', async () => {
    const res = await c.call('GET', '/v2/');
    expect(res.status).toBe(401);
    const ch = challenge(res.headers['www-authenticate']);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
    expect(ch['realm']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/token$/);
    expect(ch['scope']).toBeUndefined();
    expect(res.json()).toEqual({
      errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail: null }],
    });
  });

  it('asks for pull on reads, pull,push on uploads and delete on deletes', async () => {
    const get = await c.call('GET', '/v2/auth/repo/manifests/v1');
    expect(challenge(get.headers['www-authenticate'])['scope']).toBe('repository:auth/repo:pull');
    expect(get.json().errors[0].detail).toEqual([
      { Type: 'repository', Class: '', Name: 'auth/repo', Action: 'pull' },
    ]);
    const post = await c.call('POST', '/v2/auth/repo/blobs/uploads/');
    expect(sortedScope(challenge(post.headers['www-authenticate'])['scope'])).toBe(
      'repository:auth/repo:pull,push',
    );
    const del = await c.call('DELETE', `/v2/auth/repo/manifests/${sha256('x')}`);
    expect(challenge(del.headers['www-authenticate'])['scope']).toBe('repository:auth/repo:delete');
    const cat = await c.call('GET', '/v2/_catalog');
    expect(challenge(cat.headers['www-authenticate'])['scope']).toBe('registry:catalog:*');
  });

  it('admits a token with the scope, refuses one without it (401 insufficient_scope) and garbage (invalid_token)', async () => {
    const ch = challenge((await c.call('GET', '/v2/')).headers['www-authenticate']);
    const write = await token(
      c,
      ch['realm']!,
      ch['service']!,
      ['repository:auth/w:pull,push'],
      alice,
    );
    const start = await c.call('POST', '/v2/auth/w/blobs/uploads/', {
      headers: { authorization: `Bearer ${write}` },
    });
    expect(start.status).toBe(202);
    const readOnly = await token(
      c,
      ch['realm']!,
      ch['service']!,
      ['repository:auth/w:pull,push'],
      reader,
    );
    const refused = await c.call('POST', '/v2/auth/w/blobs/uploads/', {
      headers: { authorization: `Bearer ${readOnly}` },
    });
    expect(refused.status).toBe(401);
    const refusedChallenge = challenge(refused.headers['www-authenticate']);
    expect(sortedScope(refusedChallenge['scope'])).toBe('repository:auth/w:pull,push');
    expect(refusedChallenge['error']).toBe('insufficient_scope');
    const anon = await token(c, ch['realm']!, ch['service']!, ['repository:auth/w:pull']);
    const pulled = await c.call('GET', '/v2/auth/w/manifests/nope', {
      headers: { authorization: `Bearer ${anon}`, accept: ACCEPT_ALL },
    });
    expect(pulled.status).toBe(404);
    const garbage = await c.call('GET', '/v2/auth/w/manifests/nope', {
      headers: { authorization: 'Bearer not.a.token' },
    });
    expect(garbage.status).toBe(401);
    expect(garbage.headers['www-authenticate']).toMatch(/error="invalid_token"/);
    const ping = await c.call('GET', '/v2/', { headers: { authorization: `bearer ${anon}` } });
    expect(ping.status).toBe(200);
  });

  it('asks for pull on the mount source as well, and refuses a token without it', async () => {
    const mount = `/v2/auth/dst/blobs/uploads/?mount=${sha256('m')}&from=auth/src`;
    const anon = await c.call('POST', mount);
    const scopes = (challenge(anon.headers['www-authenticate'])['scope'] ?? '')
      .split(' ')
      .map(sortedScope)
      .sort();
    expect(scopes).toEqual(['repository:auth/dst:pull,push', 'repository:auth/src:pull']);
    const ch = challenge((await c.call('GET', '/v2/')).headers['www-authenticate']);
    const targetOnly = await token(
      c,
      ch['realm']!,
      ch['service']!,
      ['repository:auth/dst:pull,push'],
      alice,
    );
    const refused = await c.call('POST', mount, {
      headers: { authorization: `Bearer ${targetOnly}` },
    });
    expect(refused.status).toBe(401);
    expect(challenge(refused.headers['www-authenticate'])['error']).toBe('insufficient_scope');
    const both = await token(
      c,
      ch['realm']!,
      ch['service']!,
      ['repository:auth/dst:pull,push', 'repository:auth/src:pull'],
      alice,
    );
    const fallback = await c.call('POST', mount, { headers: { authorization: `Bearer ${both}` } });
    expect(fallback.status).toBe(202);
  });

  it('refuses Basic credentials sent to the registry itself', async () => {
    const res = await c.call('GET', '/v2/', {
      headers: {
        authorization: `Basic ${Buffer.from(`${alice.name}:${alice.password}`).toString('base64')}`,
      },
    });
    expect(res.status).toBe(401);
  });

  it('answers the token endpoint with 401 for wrong credentials', async () => {
    const ch = challenge((await c.call('GET', '/v2/')).headers['www-authenticate']);
    const res = await c.call('GET', `${ch['realm']}?service=${ch['service']}`, {
      headers: { authorization: `Basic ${Buffer.from(`${alice.name}:wrong`).toString('base64')}` },
    });
    expect(res.status).toBe(401);
  });

  it('grants POST /token password and refresh_token grants', async () => {
    const ch = challenge((await c.call('GET', '/v2/')).headers['www-authenticate']);
    const form = new URLSearchParams({
      grant_type: 'password',
      username: alice.name,
      password: alice.password,
      service: ch['service']!,
      client_id: 'test',
      access_type: 'offline',
      scope: 'repository:auth/p:pull,push',
    });
    const res = await c.call('POST', ch['realm']!, {
      body: form.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(200);
    const body = res.json();
    expect(body.access_token).toBeTruthy();
    expect(body.refresh_token).toBeTruthy();
    const again = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: body.refresh_token,
      service: ch['service']!,
      client_id: 'test',
      scope: 'repository:auth/p:pull',
    });
    const res2 = await c.call('POST', ch['realm']!, {
      body: again.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res2.status).toBe(200);
    const ok = await c.call('GET', '/v2/auth/p/tags/list', {
      headers: { authorization: `Bearer ${res2.json().access_token}` },
    });
    expect(ok.status).toBe(404);
  });
});
