// What the conformance work changed, checked directly: the `oci` profile's answers to a malformed
// tag and its mount challenge, and the `distribution` profile against the real registry (2.8) on
// a malformed digest (500 UNKNOWN), reason phrases and tag order.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRealRegistry, type RealRegistry } from '../../../tooling/registry/real-registry.js';
import { createSimulator } from '../src/index.js';
import { ACCEPT_ALL, makeClient, pushBlob, pushImage } from './helpers.js';

/** Status code and reason phrase as sent on the wire. */
function statusLine(url: string, method: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method }, (res) => {
      res.resume();
      resolve(`${String(res.statusCode)} ${res.statusMessage ?? ''}`);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('oci profile', () => {
  const sim = createSimulator({ profile: 'oci' });
  afterAll(() => sim.close());
  const c = makeClient('http://127.0.0.1:5000', sim.dispatcher);

  it('a malformed tag is 404 MANIFEST_UNKNOWN to GET and HEAD, 400 TAG_INVALID to PUT', async () => {
    const get = await c.call('GET', '/v2/team/app/manifests/.INVALID_MANIFEST_NAME');
    expect(get.status).toBe(404);
    expect(get.json()).toMatchObject({ errors: [{ code: 'MANIFEST_UNKNOWN' }] });
    expect((await c.call('HEAD', '/v2/team/app/manifests/.INVALID_MANIFEST_NAME')).status).toBe(
      404,
    );
    const put = await c.call('PUT', '/v2/team/app/manifests/.bad', {
      body: '{}',
      headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
    });
    expect(put.status).toBe(400);
    expect(put.json()).toMatchObject({ errors: [{ code: 'TAG_INVALID' }] });
    // An invalid repository name is still NAME_INVALID.
    expect((await c.call('GET', '/v2/Team/app/manifests/v1')).json()).toMatchObject({
      errors: [{ code: 'NAME_INVALID' }],
    });
  });

  it('with token auth, a mount challenge asks for pull on the source too', async () => {
    const tokenSim = createSimulator({
      profile: 'oci',
      auth: 'token',
      users: [{ name: 'alice', password: 'pw' }],
    });
    try {
      const t = makeClient('http://127.0.0.1:5000', tokenSim.dispatcher);
      const res = await t.call(
        'POST',
        `/v2/alice/target/blobs/uploads/?mount=sha256:${'a'.repeat(64)}&from=alice/source`,
      );
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toContain(
        'scope="repository:alice/target:pull,push repository:alice/source:pull"',
      );
      const plain = await t.call('POST', '/v2/alice/target/blobs/uploads/');
      expect(plain.headers['www-authenticate']).toContain(
        'scope="repository:alice/target:pull,push"',
      );
    } finally {
      await tokenSim.close();
    }
  });

  it('sorts tags', async () => {
    for (const tag of ['zeta', 'Alpha', 'v2']) await pushImage(c, 'team/sorted', tag, tag);
    expect((await c.call('GET', '/v2/team/sorted/tags/list')).json()).toEqual({
      name: 'team/sorted',
      tags: ['Alpha', 'v2', 'zeta'],
    });
  });
});

describe('distribution profile and the real registry 2.8', () => {
  let registry: RealRegistry;
  const sim = createSimulator({ profile: 'distribution' });
  let simUrl: string;
  beforeAll(async () => {
    registry = await startRealRegistry({ auth: 'none' });
    simUrl = (await sim.listen()).url;
    for (const base of [registry.url, simUrl]) await pushBlob(makeClient(base), 'team/app', '{}');
  });
  afterAll(async () => {
    await registry.stop();
    await sim.close();
  });

  it('answer a malformed digest reference with the same 500 UNKNOWN', async () => {
    const answers = await Promise.all(
      [registry.url, simUrl].map(async (base) => {
        const c = makeClient(base);
        const get = await c.call('GET', '/v2/team/app/manifests/sha256:totallywrong', {
          headers: { accept: ACCEPT_ALL },
        });
        const head = await c.call('HEAD', '/v2/team/app/manifests/sha256:totallywrong');
        return { status: get.status, body: get.json(), head: head.status };
      }),
    );
    expect(answers[0]?.status).toBe(500);
    expect(answers[1]).toEqual(answers[0]);
  });

  it('send the same reason phrases', async () => {
    for (const [path, method] of [
      ['/v2/', 'GET'],
      ['/v2/team/app/blobs/uploads/', 'POST'],
      ['/v2/team/app/manifests/missing', 'GET'],
    ] as const) {
      const real = await statusLine(`${registry.url}${path}`, method);
      expect(await statusLine(`${simUrl}${path}`, method)).toBe(real);
    }
  });

  it('list tags unsorted: the simulator in push order, the registry in its storage order', async () => {
    const pushed = ['zeta', 'v10', 'Alpha', 'v2', 'beta', '1.0', '_x'];
    const lists = await Promise.all(
      [registry.url, simUrl].map(async (base) => {
        const c = makeClient(base);
        for (const tag of pushed) await pushImage(c, 'team/order', tag, tag);
        return (await c.call('GET', '/v2/team/order/tags/list')).json() as { tags: string[] };
      }),
    );
    expect([...(lists[0]?.tags ?? [])].sort()).toEqual([...pushed].sort());
    expect(lists[1]?.tags).toEqual(pushed);
  });
});
