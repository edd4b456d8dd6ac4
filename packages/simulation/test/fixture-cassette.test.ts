// The committed cassette (fixtures/cassettes/dockerhub-pull.json, made by
// scripts/generate-fixtures.mjs) replays offline: a Docker Hub style token dance and pull.
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createCassette, findSecrets } from '../src/index.js';
import { makeClient, sha256 } from './helpers.js';

const path = fileURLToPath(
  new URL('../../../fixtures/cassettes/dockerhub-pull.json', import.meta.url),
);
const ACCEPT =
  'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json';

describe('fixture cassette', () => {
  it('replays the recorded pull with verified digests', async () => {
    const play = createCassette({ path, mode: 'replay' });
    const c = makeClient('http://registry.test', play.dispatcher);
    const ping = await c.call('GET', '/v2/');
    expect(ping.status).toBe(401);
    expect(ping.headers['www-authenticate']).toContain('service="registry.docker.io"');
    const token = await c.call(
      'GET',
      '/token?service=registry.docker.io&scope=repository:library/alpine:pull',
    );
    expect(token.json().token).toBe('[REDACTED]');
    const auth = { authorization: 'Bearer anything', accept: ACCEPT };
    const head = await c.call('HEAD', '/v2/library/alpine/manifests/3.20', { headers: auth });
    const index = await c.call('GET', '/v2/library/alpine/manifests/3.20', { headers: auth });
    expect(sha256(index.body)).toBe(head.headers['docker-content-digest']);
    expect(index.headers['ratelimit-remaining']).toBe('99;w=21600');
    const arm = index.json().manifests[1];
    const child = await c.call('GET', `/v2/library/alpine/manifests/${arm.digest}`, {
      headers: auth,
    });
    expect(sha256(child.body)).toBe(arm.digest);
    expect(
      (
        await c.call('GET', '/v2/library/alpine/tags/list', {
          headers: { authorization: 'Bearer x' },
        })
      ).json().tags,
    ).toEqual(['3.20', 'amd64-only', 'arm64-only']);
    expect(findSecrets(await readFile(path, 'utf8'), ['alice-pw'])).toEqual([]);
  });
});
