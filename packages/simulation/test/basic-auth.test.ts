// Basic auth (htpasswd on the real registry, `auth: 'basic'` on the simulator), same expectations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealRegistry, type RealRegistry } from '../../../tooling/registry/real-registry.js';
import { createSimulator, type Simulator } from '../src/index.js';
import { type Client, makeClient } from './helpers.js';

describe.each(['simulator', 'real registry'] as const)('basic auth (%s)', (backend) => {
  let c: Client;
  let real: RealRegistry | undefined;
  let sim: Simulator | undefined;
  let basic = '';
  beforeAll(async () => {
    if (backend === 'real registry') {
      real = await startRealRegistry({ auth: 'basic' });
      c = makeClient(real.url);
      const u = real.users[0]!;
      basic = `Basic ${Buffer.from(`${u.name}:${u.password}`).toString('base64')}`;
    } else {
      sim = createSimulator({
        profile: 'distribution',
        auth: 'basic',
        users: [{ name: 'alice', password: 'pw' }],
      });
      c = makeClient((await sim.listen()).url);
      basic = `Basic ${Buffer.from('alice:pw').toString('base64')}`;
    }
  });
  afterAll(async () => {
    await real?.stop();
    await sim?.close();
  });

  it('challenges with Basic and the UNAUTHORIZED body', async () => {
    const ping = await c.call('GET', '/v2/');
    expect(ping.status).toBe(401);
    expect(ping.headers['www-authenticate']).toMatch(/^Basic realm="[^"]+"$/);
    expect(ping.json().errors[0].code).toBe('UNAUTHORIZED');
    const repo = await c.call('GET', '/v2/b/a/tags/list');
    expect(repo.status).toBe(401);
    expect(repo.json().errors[0].detail).toEqual([
      { Type: 'repository', Class: '', Name: 'b/a', Action: 'pull' },
    ]);
    const wrong = await c.call('GET', '/v2/', {
      headers: { authorization: `Basic ${Buffer.from('alice:nope').toString('base64')}` },
    });
    expect(wrong.status).toBe(401);
    const bearer = await c.call('GET', '/v2/', { headers: { authorization: 'Bearer abc' } });
    expect(bearer.status).toBe(401);
  });

  it('admits valid credentials everywhere, catalog included', async () => {
    expect((await c.call('GET', '/v2/', { headers: { authorization: basic } })).status).toBe(200);
    expect(
      (await c.call('GET', '/v2/_catalog', { headers: { authorization: basic } })).status,
    ).toBe(200);
    expect(
      (await c.call('POST', '/v2/b/a/blobs/uploads/', { headers: { authorization: basic } }))
        .status,
    ).toBe(202);
  });
});
