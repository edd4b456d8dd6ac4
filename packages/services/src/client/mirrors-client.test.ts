import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageReference } from '@llmdevops/docker-hub-core';
import type { Transport, TransportRequest, TransportResponse } from '@llmdevops/docker-hub-transport';
import { MockAgent } from 'undici';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DockerHubConfig } from '../config/docker-hub-config.js';
import { DockerHubClient, type MirrorEvent } from '../index.js';
import { ClientContext } from './context.js';

const OCI = 'application/vnd.oci.image.manifest.v1+json';
const body = JSON.stringify({ schemaVersion: 2, mediaType: OCI, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'a'.repeat(64)}`, size: 2 }, layers: [] });
const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
const empty = mkdtempSync(join(tmpdir(), 'svc-mirrors-'));
let agent: MockAgent;
let client: DockerHubClient;
let events: MirrorEvent[];

beforeEach(() => {
  agent = new MockAgent();
  agent.disableNetConnect();
  client = new DockerHubClient(
    { dispatcher: agent, registryUrl: 'https://up.test', mirrors: { 'docker.io': ['https://m1.test', 'https://m2.test'] }, resilience: { maxRetries: 0 } },
    { env: { DOCKER_CONFIG: empty } },
  );
  events = [];
  client.events.on('mirror', (e) => events.push(e));
});
afterEach(async () => {
  await client.close();
  agent.assertNoPendingInterceptors();
  await agent.close();
});
afterAll(() => {
  rmSync(empty, { recursive: true, force: true });
});

describe('mirrors with scripted answers', () => {
  it('a mirror answering 503 and one answering 404: the upstream serves, and the event lists both', async () => {
    agent.get('https://m1.test').intercept({ path: '/v2/library/alpine/manifests/3', method: 'GET' }).reply(503, '');
    agent.get('https://m2.test').intercept({ path: '/v2/library/alpine/manifests/3', method: 'GET' }).reply(404, '');
    agent.get('https://up.test').intercept({ path: '/v2/library/alpine/manifests/3', method: 'GET' }).reply(200, body, { headers: { 'content-type': OCI } });
    expect((await client.manifests.get('alpine:3')).digest).toBe(digest);
    expect(events).toEqual([
      {
        type: 'served', registry: 'docker.io', repository: 'library/alpine', path: 'manifests/3', endpoint: 'https://up.test', mirror: false,
        skipped: [{ endpoint: 'https://m1.test', reason: 'status 503' }, { endpoint: 'https://m2.test', reason: 'status 404' }],
      },
    ]);
  });

  it('a 403 from a mirror is not a reason to move on: the read fails', async () => {
    agent.get('https://m1.test').intercept({ path: '/v2/library/alpine/manifests/3', method: 'GET' }).reply(403, '');
    await expect(client.manifests.get('alpine:3')).rejects.toMatchObject({ status: 403 });
    expect(events).toEqual([{ type: 'served', registry: 'docker.io', repository: 'library/alpine', path: 'manifests/3', endpoint: 'https://m1.test', mirror: true, skipped: [] }]);
  });

  it('HEAD checks and tag lists go to the upstream only', async () => {
    agent.get('https://up.test').intercept({ path: `/v2/library/alpine/blobs/${digest}`, method: 'HEAD' }).reply(404, '');
    agent.get('https://up.test').intercept({ path: '/v2/library/alpine/tags/list', method: 'GET' }).reply(200, { name: 'library/alpine', tags: ['3'] });
    expect(await client.blobs.exists('alpine', digest)).toBe(false);
    expect(await client.tags.list('alpine')).toEqual(['3']);
    expect(events).toEqual([]);
  });
});

describe('requests marked httpsFirst', () => {
  function capture(config: Parameters<typeof DockerHubConfig.parse>[0]): { ctx: ClientContext; seen: TransportRequest[] } {
    const seen: TransportRequest[] = [];
    const transport = {
      request: (req: TransportRequest): Promise<TransportResponse> => {
        seen.push(req);
        return Promise.resolve({ status: 200 } as TransportResponse);
      },
    } as unknown as Transport;
    return { ctx: new ClientContext(transport, DockerHubConfig.parse(config), {}), seen };
  }

  it('are the registry requests whose plain HTTP comes from the loopback or insecure rule, never an explicit URL', async () => {
    const { ctx, seen } = capture({ registryUrl: 'http://127.0.0.1:5000', insecureRegistries: ['reg.corp:5000'] });
    for (const name of ['127.0.0.1:5001/a/b', 'localhost:5002/a/b', 'reg.corp:5000/a/b', 'ghcr.io/a/b', 'a/b']) {
      await ctx.send({ method: 'GET', ref: ImageReference.parse(name), path: 'tags/list', operation: 'tags' });
    }
    expect(seen.map((r) => [r.url.href, r.context?.httpsFirst === true])).toEqual([
      ['http://127.0.0.1:5001/v2/a/b/tags/list', true],
      ['http://localhost:5002/v2/a/b/tags/list', true],
      ['http://reg.corp:5000/v2/a/b/tags/list', true],
      ['https://ghcr.io/v2/a/b/tags/list', false],
      ['http://127.0.0.1:5000/v2/a/b/tags/list', false],
    ]);
  });
});
