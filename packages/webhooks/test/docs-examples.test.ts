// Runs docs/examples/webhooks-receiver.ts (copied verbatim into docs/webhooks.md) on 127.0.0.1
// and delivers the Docker Hub sample payload to it.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Secret } from '@llmdevops/docker-hub-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from './fixtures.js';

type CreateReceiver = (
  token: Secret,
  onPush: (repository: string, tag: string | undefined) => void,
) => Server;

const pushes: [string, string | undefined][] = [];
let server: Server;
let base = '';

beforeAll(async () => {
  const path = fileURLToPath(
    new URL('../../../docs/examples/webhooks-receiver.ts', import.meta.url),
  );
  const { createPushReceiver } = (await import(path)) as { createPushReceiver: CreateReceiver };
  server = createPushReceiver(new Secret('hook-secret-123'), (repository, tag) =>
    pushes.push([repository, tag]),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
});

describe('docs/examples/webhooks-receiver.ts', () => {
  const body = fixture('dockerhub-push');
  const sample = JSON.parse(body) as {
    repository: { repo_name: string };
    push_data: { tag: string };
  };

  it('accepts a Docker Hub push carrying the shared secret and calls the listener', async () => {
    const res = await fetch(`${base}/hooks/docker?token=hook-secret-123`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'accepted' });
    expect(pushes).toEqual([[sample.repository.repo_name, sample.push_data.tag]]);
  });

  it('refuses deliveries without the secret (401) and malformed ones (400)', async () => {
    const before = pushes.length;
    const noSecret = await fetch(`${base}/hooks/docker`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(noSecret.status).toBe(401);
    const broken = await fetch(`${base}/hooks/docker?token=hook-secret-123`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"push_data":',
    });
    expect(broken.status).toBe(400);
    expect(pushes).toHaveLength(before);
  });
});
