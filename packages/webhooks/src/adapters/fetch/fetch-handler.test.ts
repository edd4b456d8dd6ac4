import { describe, expect, it, vi } from 'vitest';
import { Secret } from '@llmdevops/docker-hub-core';
import { fixture, mediaTypeOf, type FixtureName } from '../../../test/fixtures.js';
import { HOSTILE_CASES } from '../../../test/hostile-payloads.js';
import { createWebhooks } from '../../handler/create-webhooks.js';
import { createFetchHandler } from './fetch-handler.js';

const URL_BASE = 'http://receiver.test/hooks/docker';

type Body = string | Uint8Array | ReadableStream<Uint8Array> | null;

interface PostInit {
  contentType?: string | undefined;
  url?: string;
  method?: string | undefined;
  headers?: Record<string, string>;
}

function post(body: Body, init: PostInit = {}): Request {
  const method = init.method ?? 'POST';
  return new Request(init.url ?? URL_BASE, {
    method,
    headers: { 'content-type': init.contentType ?? 'application/json', ...init.headers },
    ...(method === 'GET' || method === 'HEAD' ? {} : { body, duplex: 'half' }),
  });
}

function streamOf(chunks: number, size: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent++ < chunks) controller.enqueue(new Uint8Array(size).fill(0x20));
      else controller.close();
    },
  });
}

describe('createFetchHandler', () => {
  it.each([
    'dockerhub-push',
    'distribution-push-manifest',
    'distribution-pull-manifest',
    'distribution-mount-blob',
    'distribution-delete-tag',
  ] as const)(
    'accepts %s with 200 and runs listeners after answering',
    async (name: FixtureName) => {
      const webhooks = createWebhooks();
      const listener = vi.fn();
      webhooks.on('*', listener);
      const handler = createFetchHandler(webhooks, { path: '/hooks/docker' });
      const response = await handler(post(fixture(name), { contentType: mediaTypeOf(name) }));
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'accepted' });
      expect(listener).not.toHaveBeenCalled();
      await vi.waitFor(() => {
        expect(listener).toHaveBeenCalledTimes(1);
      });
    },
  );

  it.each(HOSTILE_CASES)('answers $status for $name and no listener runs', async (c) => {
    const webhooks = createWebhooks({ maxBodyBytes: 256 * 1024 });
    const listener = vi.fn();
    webhooks.on('*', listener);
    const handler = createFetchHandler(webhooks, {
      waitUntil: (p) => {
        void p;
      },
    });
    const body =
      typeof c.body === 'string'
        ? c.body.replace('CALLBACK_LOOPBACK', 'http://127.0.0.1:1/hook')
        : c.body;
    const response = await handler(post(body, { contentType: c.contentType, method: c.method }));
    expect(response.status).toBe(c.status);
    const text = await response.text();
    expect(text.length).toBeLessThan(300);
    expect(text).not.toContain('isAdmin');
    if (c.status === 405) expect(response.headers.get('allow')).toBe('POST');
    await new Promise((r) => setTimeout(r, 5));
    expect(listener).not.toHaveBeenCalled();
  });

  it('answers 413 while streaming a body with no content-length, before parsing', async () => {
    const webhooks = createWebhooks({ maxBodyBytes: 1000 });
    const handler = createFetchHandler(webhooks);
    const response = await handler(post(streamOf(100, 100)));
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      error: { code: 'WEBHOOK_INVALID', message: 'body exceeds 1000 bytes' },
    });
  });

  it('answers 413 from content-length without reading', async () => {
    const webhooks = createWebhooks({ maxBodyBytes: 10 });
    const handler = createFetchHandler(webhooks);
    const pull = vi.fn();
    const body = new ReadableStream({ pull }, { highWaterMark: 0 });
    const response = await handler(post(body, { headers: { 'content-length': '11' } }));
    expect(response.status).toBe(413);
    expect(pull).not.toHaveBeenCalled();
  });

  it('answers 200 duplicate for a redelivery, 404 off path, 400 for a failed stream', async () => {
    const webhooks = createWebhooks();
    const listener = vi.fn();
    webhooks.on('push', listener);
    const handler = createFetchHandler(webhooks, { path: '/hooks/docker' });
    await handler(post(fixture('dockerhub-push')));
    const again = await handler(post(fixture('dockerhub-push')));
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ status: 'duplicate' });
    await vi.waitFor(() => {
      expect(listener).toHaveBeenCalledTimes(1);
    });
    expect((await handler(post('{}', { url: 'http://receiver.test/other' }))).status).toBe(404);
    const broken = new ReadableStream<Uint8Array>({
      pull: (c) => {
        c.error(new Error('reset'));
      },
    });
    expect((await handler(post(broken))).status).toBe(400);
  });

  it('answers 401 for a wrong path token and 403 for a refused source', async () => {
    const webhooks = createWebhooks({
      sharedSecret: { secrets: new Secret('s3cret'), from: 'path' },
      allowSources: ['203.0.113.5'],
    });
    const handler = createFetchHandler(webhooks, {
      path: '/hooks/docker',
      remoteAddress: (r) => r.headers.get('x-test-peer') ?? undefined,
    });
    const body = fixture('dockerhub-push');
    const peer = { 'x-test-peer': '203.0.113.5' };
    expect((await handler(post(body, { url: `${URL_BASE}/s3cret`, headers: peer }))).status).toBe(
      200,
    );
    expect((await handler(post(body, { url: `${URL_BASE}/wrong`, headers: peer }))).status).toBe(
      401,
    );
    expect((await handler(post(body, { url: `${URL_BASE}/s3cret` }))).status).toBe(403);
    expect(
      (await handler(post(body, { url: `${URL_BASE}/s3cret/more`, headers: peer }))).status,
    ).toBe(404);
  });

  it('answers 422 for an unconfirmed push and 503 when the queue fails', async () => {
    const unconfirmed = createFetchHandler(
      createWebhooks({ confirm: async () => Promise.reject(new Error('MANIFEST_UNKNOWN')) }),
    );
    const response = await unconfirmed(post(fixture('dockerhub-push')));
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ error: { code: 'WEBHOOK_UNCONFIRMED' } });
    const queued = createFetchHandler(
      createWebhooks({ queue: async () => Promise.reject(new Error('down')) }),
    );
    const failed = await queued(post(fixture('dockerhub-push')));
    expect(failed.status).toBe(503);
    expect(await failed.text()).not.toContain('down');
  });

  it('tells the sender when to retry a delivery the queue refused (503 with Retry-After)', async () => {
    const refusing = (seconds?: number) =>
      createFetchHandler(
        createWebhooks({
          queue: async () => Promise.reject(new Error('full')),
          ...(seconds === undefined ? {} : { queueRetryAfterSeconds: seconds }),
        }),
      );
    const byDefault = await refusing()(post(fixture('dockerhub-push')));
    expect(byDefault.status).toBe(503);
    expect(byDefault.headers.get('retry-after')).toBe('10');
    const chosen = await refusing(3)(post(fixture('dockerhub-push')));
    expect(chosen.headers.get('retry-after')).toBe('3');
  });

  it('with ack after-listeners, answers only once listeners finished', async () => {
    const webhooks = createWebhooks({ ack: 'after-listeners' });
    const done = vi.fn();
    webhooks.on('push', async () => {
      await new Promise((r) => setTimeout(r, 1));
      done();
    });
    const response = await createFetchHandler(webhooks)(post(fixture('dockerhub-push')));
    expect(response.status).toBe(200);
    expect(done).toHaveBeenCalledTimes(1);
  });

  it('hands background work to waitUntil', async () => {
    const webhooks = createWebhooks();
    const listener = vi.fn();
    webhooks.on('push', listener);
    const pending: Promise<unknown>[] = [];
    const handler = createFetchHandler(webhooks, {
      waitUntil: (p) => {
        pending.push(p);
      },
    });
    await handler(post(fixture('dockerhub-push')));
    expect(pending).toHaveLength(1);
    await Promise.all(pending);
    expect(listener).toHaveBeenCalledTimes(1);
  });
});
