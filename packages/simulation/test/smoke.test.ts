import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, ACCEPT_ALL, pushImage, startBackend } from './helpers.js';

describe.each(['in-process', 'loopback'] as const)('smoke (%s)', (kind) => {
  let b: Backend;
  beforeAll(async () => {
    b = await startBackend(kind);
  });
  afterAll(async () => {
    await b.close();
  });
  it('pings and round-trips an image', async () => {
    expect((await b.client.call('GET', '/v2/')).status).toBe(200);
    const img = await pushImage(b.client, 'a/b', 'v1');
    const got = await b.client.call('GET', '/v2/a/b/manifests/v1', {
      headers: { accept: ACCEPT_ALL },
    });
    expect(got.status).toBe(200);
    expect(got.body.toString()).toBe(img.manifest);
    expect(got.headers['docker-content-digest']).toBe(img.digest);
    const head = await b.client.call('HEAD', `/v2/a/b/blobs/${img.layer}`);
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('7');
  });
});
