// End to end: the real distribution registry delivers its own notifications to the node adapter
// over loopback, authenticated by the header it is configured to send; a forged push for a tag
// the registry does not have is refused by `confirm` (a HEAD against that same registry).
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import http, { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Secret } from '@llmdevops/docker-hub-core';
import {
  createNodeMiddleware,
  createWebhooks,
  type WebhookEvent,
  type WebhookListenerError,
} from '@llmdevops/docker-hub-webhooks';
import { fixture } from './fixtures.js';
import { startNotifyingRegistry, type NotifyingRegistry } from './notifying-registry.js';

const TOKEN = `tok-${randomBytes(12).toString('hex')}`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const sha256 = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

let registry: NotifyingRegistry;
let server: Server;
let port: number;
const events: WebhookEvent[] = [];
const errors: WebhookListenerError[] = [];

async function head(path: string, accept?: string): Promise<Response> {
  return fetch(`${registry.url}${path}`, {
    method: 'HEAD',
    headers: accept === undefined ? {} : { accept },
  });
}

beforeAll(async () => {
  const webhooks = createWebhooks({
    sharedSecret: { secrets: new Secret(TOKEN), from: 'header' },
    onError: (e) => errors.push(e),
    // The caller's confirmation: a HEAD on the tag (manifests) or digest (blobs) in the registry.
    confirm: async (event, { signal }) => {
      const ref = event.tag ?? event.digest ?? '';
      const kind =
        event.tag === undefined &&
        event.source === 'distribution' &&
        event.mediaType === 'application/octet-stream'
          ? 'blobs'
          : 'manifests';
      const res = await fetch(`${registry.url}/v2/${event.repository}/${kind}/${ref}`, {
        method: 'HEAD',
        headers: { accept: OCI_MANIFEST },
        signal,
      });
      const digest = res.headers.get('docker-content-digest');
      if (!res.ok || digest === null) throw new Error(`HEAD answered ${res.status}`);
      return { digest };
    },
  });
  webhooks.on('*', (e) => {
    events.push(e);
  });
  server = http.createServer(createNodeMiddleware(webhooks, { path: '/hooks/registry' }));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
  registry = await startNotifyingRegistry({
    url: `http://127.0.0.1:${port}/hooks/registry`,
    headers: { 'X-Webhook-Token': TOKEN },
  });
}, 30_000);

afterAll(async () => {
  await registry.stop();
  server.closeAllConnections();
  await new Promise((resolve) => {
    server.close(resolve);
  });
});

async function pushBlob(repo: string, bytes: Uint8Array): Promise<string> {
  const digest = sha256(bytes);
  const start = await fetch(`${registry.url}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  expect(start.status).toBe(202);
  const location = new URL(start.headers.get('location') ?? '', registry.url);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  expect(put.status).toBe(201);
  return digest;
}

describe('real distribution registry notifications', () => {
  it('delivers push, pull, mount and delete events through the node adapter', async () => {
    const config = Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: [] },
      }),
    );
    const configDigest = await pushBlob('e2e/app', config);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: configDigest,
          size: config.length,
        },
        layers: [],
      }),
    );
    const put = await fetch(`${registry.url}/v2/e2e/app/manifests/v1`, {
      method: 'PUT',
      headers: { 'content-type': OCI_MANIFEST },
      body: manifest,
    });
    expect(put.status).toBe(201);
    const manifestDigest = sha256(manifest);
    // Notifications are asynchronous: let the pushes be confirmed before the manifest goes away
    // (a push delivered after its delete can no longer be confirmed, and is refused).
    await vi.waitFor(
      () => {
        expect(events.filter((e) => e.action === 'push')).toHaveLength(2);
      },
      { timeout: 15_000, interval: 50 },
    );
    const get = await fetch(`${registry.url}/v2/e2e/app/manifests/v1`, {
      headers: { accept: OCI_MANIFEST },
    });
    await get.arrayBuffer();
    const mount = await fetch(
      `${registry.url}/v2/e2e/other/blobs/uploads/?mount=${configDigest}&from=e2e/app`,
      { method: 'POST' },
    );
    expect(mount.status).toBe(201);
    const del = await fetch(`${registry.url}/v2/e2e/app/manifests/${manifestDigest}`, {
      method: 'DELETE',
    });
    expect(del.status).toBe(202);

    await vi.waitFor(
      () => {
        expect(events.some((e) => e.action === 'delete')).toBe(true);
      },
      { timeout: 15_000, interval: 50 },
    );
    const manifestPush = events.find((e) => e.action === 'push' && e.tag === 'v1');
    expect(manifestPush).toMatchObject({
      source: 'distribution',
      repository: 'e2e/app',
      digest: manifestDigest,
      confirmedDigest: manifestDigest,
    });
    expect(events.find((e) => e.action === 'push' && e.tag === undefined)).toMatchObject({
      digest: configDigest,
      confirmedDigest: configDigest,
    });
    // HEADs (ours in confirm included) are reported as pulls too; the GET by tag is one of them.
    expect(events.find((e) => e.action === 'pull' && e.tag === 'v1')).toMatchObject({
      repository: 'e2e/app',
      digest: manifestDigest,
    });
    expect(events.find((e) => e.action === 'mount')).toMatchObject({
      repository: 'e2e/other',
      fromRepository: 'e2e/app',
      digest: configDigest,
    });
    expect(events.find((e) => e.action === 'delete')).toMatchObject({
      repository: 'e2e/app',
      digest: manifestDigest,
    });
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(errors).toEqual([]);
    // The manifest is gone now: a push delivered this late could no longer be confirmed.
    expect((await head('/v2/e2e/app/manifests/v1', OCI_MANIFEST)).status).toBe(404);
  });

  it('refuses a forged push for a tag the registry does not have (422), and without the token (401)', async () => {
    const forged = fixture('distribution-push-manifest')
      .replaceAll('demo/app', 'e2e/app')
      .replace('"tag": "v1"', '"tag": "never-pushed"')
      .replace(/"id": "[^"]+"/, '"id": "forged-1"');
    const post = (headers: Record<string, string>): Promise<Response> =>
      fetch(`http://127.0.0.1:${port}/hooks/registry`, {
        method: 'POST',
        headers: {
          'content-type': 'application/vnd.docker.distribution.events.v1+json',
          ...headers,
        },
        body: forged,
      });
    const unconfirmed = await post({ 'x-webhook-token': TOKEN });
    expect(unconfirmed.status).toBe(422);
    expect(await unconfirmed.json()).toEqual({
      error: {
        code: 'WEBHOOK_UNCONFIRMED',
        message: 'push could not be confirmed against the registry',
      },
    });
    const anonymous = await post({});
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).not.toContain(TOKEN);
    await new Promise((r) => setTimeout(r, 50));
    expect(events.filter((e) => e.id === 'forged-1' || e.tag === 'never-pushed')).toEqual([]);
  });
});
