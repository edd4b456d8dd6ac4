import { describe, expect, it, vi } from 'vitest';
import { ConfigError, Secret, WebhookError } from '@llmdevops/docker-hub-core';
import { dockerHubBody, fixture, mediaTypeOf, type FixtureName } from '../../test/fixtures.js';
import { signPayload } from '../verify/signature.js';
import { createWebhooks } from './create-webhooks.js';
import { createDedupeStore } from './dedupe-window.js';
import { type WebhookEvent } from './events.js';
import { type WebhookListenerError } from './listener-registry.js';

const json = { 'content-type': 'application/json' };
const dist = { 'content-type': 'application/vnd.docker.distribution.events.v2+json' };

async function failure(promise: Promise<unknown>): Promise<WebhookError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookError);
    return error as WebhookError;
  }
  throw new Error('expected a WebhookError');
}

describe('createWebhooks: parsing and normalization', () => {
  it('normalizes the Docker Hub docs example', async () => {
    const webhooks = createWebhooks();
    const seen: WebhookEvent[] = [];
    webhooks.on('push', (e) => {
      seen.push(e);
    });
    const result = await webhooks.receive(fixture('dockerhub-push'), { headers: json });
    expect(result.status).toBe('accepted');
    const event = seen[0];
    expect(event).toMatchObject({
      source: 'dockerhub',
      action: 'push',
      repository: 'svendowideit/testhook',
      tag: 'latest',
      digest: undefined,
      pusher: 'trustedbuilder',
    });
    expect(event?.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(event?.timestamp?.toISOString()).toBe('2014-12-03T00:22:41.000Z');
    if (event?.source === 'dockerhub') {
      expect(event.callbackUrl?.hostname).toBe('registry.hub.docker.com');
      expect(event.raw.repository.status).toBe('Active');
    }
  });

  it.each([
    ['distribution-push-blob', 'push', undefined],
    ['distribution-push-manifest', 'push', 'v1'],
    ['distribution-pull-manifest', 'pull', 'v1'],
    ['distribution-mount-blob', 'mount', undefined],
    ['distribution-delete-manifest', 'delete', undefined],
    ['distribution-delete-tag', 'delete', 'v1'],
  ] as const)('normalizes the real %s envelope', async (name: FixtureName, action, tag) => {
    const webhooks = createWebhooks();
    const all = vi.fn();
    const specific = vi.fn();
    webhooks.on('*', all);
    webhooks.on(action, specific);
    await webhooks.receive(fixture(name), { headers: { 'content-type': mediaTypeOf(name) } });
    expect(specific).toHaveBeenCalledTimes(1);
    expect(all).toHaveBeenCalledTimes(1);
    const event = all.mock.calls[0]?.[0] as WebhookEvent;
    expect(event).toMatchObject({ source: 'distribution', action, tag });
    expect(event.repository).toMatch(/^demo\/(app|other)$/);
    if (event.source === 'distribution' && event.action === 'mount')
      expect(event.fromRepository).toBe('demo/app');
  });

  it('dispatches every event of an envelope in order and routes by action', async () => {
    const webhooks = createWebhooks();
    const push = JSON.parse(fixture('distribution-push-manifest')).events[0];
    const pull = JSON.parse(fixture('distribution-pull-manifest')).events[0];
    const order: string[] = [];
    webhooks.on(['push', 'pull'], (e) => {
      order.push(e.action);
    });
    const deletes = vi.fn();
    webhooks.on('delete', deletes);
    await webhooks.receive(JSON.stringify({ events: [push, pull] }), { headers: dist });
    expect(order).toEqual(['push', 'pull']);
    expect(deletes).not.toHaveBeenCalled();
  });

  it('answers 400 for schema failures and non-object JSON, naming the field', async () => {
    const webhooks = createWebhooks();
    const listener = vi.fn();
    webhooks.on('*', listener);
    const bad = dockerHubBody((p) => (p.push_data['tag'] = 42));
    const error = await failure(webhooks.receive(bad, { headers: json }));
    expect(error.status).toBe(400);
    expect(error.message).toContain('push_data.tag');
    expect((await failure(webhooks.receive('[1,2]', { headers: json }))).status).toBe(400);
    expect((await failure(webhooks.receive('{"events":"x"}', { headers: json }))).status).toBe(400);
    expect(listener).not.toHaveBeenCalled();
  });
});

describe('createWebhooks: listeners', () => {
  it('isolates a failing listener and reports an AggregateError carrying the event', async () => {
    const reported: WebhookListenerError[] = [];
    const webhooks = createWebhooks({ onError: (e) => reported.push(e) });
    const ok = vi.fn();
    webhooks.on('push', () => {
      throw new Error('sync boom');
    });
    webhooks.on('push', async () => Promise.reject(new Error('async boom')));
    webhooks.on('push', ok);
    const extra = vi.fn(() => {
      throw new Error('error handlers may fail too');
    });
    webhooks.onError(extra);
    await webhooks.receive(fixture('dockerhub-push'), { headers: json });
    expect(ok).toHaveBeenCalledTimes(1);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toBeInstanceOf(AggregateError);
    expect(reported[0]?.errors.map((e: Error) => e.message)).toEqual(['sync boom', 'async boom']);
    expect(reported[0]?.event.repository).toBe('svendowideit/testhook');
    expect(reported[0]?.message).toMatch(/^2 of 3 listeners failed for dockerhub push event/);
    expect(extra).toHaveBeenCalledTimes(1);
  });

  it('emits a process warning (message only) when no error handler is registered', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const webhooks = createWebhooks();
    webhooks.on('push', () => {
      throw new Error('unheard');
    });
    await webhooks.receive(fixture('dockerhub-push'), { headers: json });
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(/^1 of 1 listeners failed for dockerhub push event sha256:/),
      { code: 'DOCKER_HUB_WEBHOOK_LISTENER' },
    );
  });

  it('disposers remove listeners and error handlers', async () => {
    const webhooks = createWebhooks();
    const listener = vi.fn();
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const handler = vi.fn();
    const disposeHandler = webhooks.onError(handler);
    disposeHandler();
    webhooks.on('delete', () => {
      throw new Error('not reported to a removed handler');
    });
    await webhooks.receive(fixture('distribution-delete-tag'), { headers: dist });
    expect(handler).not.toHaveBeenCalled();
    expect(warn).toHaveBeenCalledTimes(1);
    const dispose = webhooks.on(['push', '*'], listener);
    await webhooks.receive(
      dockerHubBody((p) => (p.push_data['tag'] = 'a')),
      { headers: json },
    );
    expect(listener).toHaveBeenCalledTimes(2);
    dispose();
    dispose();
    await webhooks.receive(
      dockerHubBody((p) => (p.push_data['tag'] = 'b')),
      { headers: json },
    );
    expect(listener).toHaveBeenCalledTimes(2);
  });
});

describe('createWebhooks: deduplication', () => {
  it('ignores a redelivered Docker Hub body within the window and accepts it after', async () => {
    let now = 1_000;
    const webhooks = createWebhooks({ dedupeWindowMs: 60_000, clock: { now: () => now } });
    const listener = vi.fn();
    webhooks.on('push', listener);
    const body = fixture('dockerhub-push');
    expect((await webhooks.receive(body, { headers: json })).status).toBe('accepted');
    now += 59_999;
    expect((await webhooks.receive(body, { headers: json })).status).toBe('duplicate');
    expect(listener).toHaveBeenCalledTimes(1);
    now += 1;
    expect((await webhooks.receive(body, { headers: json })).status).toBe('accepted');
    expect(listener).toHaveBeenCalledTimes(2);
  });

  it('recognises distribution events by id even when the envelope bytes differ', async () => {
    const webhooks = createWebhooks();
    const listener = vi.fn();
    webhooks.on('*', listener);
    const envelope = JSON.parse(fixture('distribution-push-manifest'));
    await webhooks.receive(JSON.stringify(envelope), { headers: dist });
    const pull = JSON.parse(fixture('distribution-pull-manifest')).events[0];
    const again = await webhooks.receive(JSON.stringify({ events: [envelope.events[0], pull] }), {
      headers: dist,
    });
    expect(again.status).toBe('accepted');
    expect(again.events.map((e) => e.action)).toEqual(['pull']);
    expect(listener).toHaveBeenCalledTimes(2);
  });

  it('is off with dedupeWindowMs 0', async () => {
    const webhooks = createWebhooks({ dedupeWindowMs: 0 });
    const body = fixture('dockerhub-push');
    await webhooks.receive(body, { headers: json });
    expect((await webhooks.receive(body, { headers: json })).status).toBe('accepted');
  });
});

describe('createWebhooks: confirmation', () => {
  const digest = `sha256:${'a'.repeat(64)}`;

  it('hands the confirmed digest to listeners', async () => {
    const confirm = vi.fn(async () => ({ digest }));
    const webhooks = createWebhooks({ confirm });
    const listener = vi.fn();
    webhooks.on('push', listener);
    await webhooks.receive(fixture('dockerhub-push'), { headers: json });
    expect(confirm).toHaveBeenCalledWith(
      expect.objectContaining({ repository: 'svendowideit/testhook', tag: 'latest' }),
      expect.objectContaining({ signal: expect.any(AbortSignal) }),
    );
    expect(listener.mock.calls[0]?.[0]).toMatchObject({ digest, confirmedDigest: digest });
  });

  it('keeps the payload digest for distribution pushes and skips non-push events', async () => {
    const confirm = vi.fn(async () => ({ digest }));
    const webhooks = createWebhooks({ confirm });
    const result = await webhooks.receive(fixture('distribution-push-manifest'), { headers: dist });
    expect(result.events[0]).toMatchObject({
      digest: 'sha256:209f94a93d29f4c63180d687612606ad5fc4fde531d4355ac8a3d9ca131abe1f',
      confirmedDigest: digest,
    });
    await webhooks.receive(fixture('distribution-pull-manifest'), { headers: dist });
    expect(confirm).toHaveBeenCalledTimes(1);
  });

  it('rejects a forged push for a tag that does not exist with 422; no listener runs', async () => {
    const known = new Set(['svendowideit/testhook:latest']);
    const webhooks = createWebhooks({
      confirm: async (e) => {
        if (!known.has(`${e.repository}:${e.tag}`)) throw new Error('MANIFEST_UNKNOWN');
        return { digest };
      },
    });
    const listener = vi.fn();
    webhooks.on('*', listener);
    const forged = dockerHubBody((p) => (p.push_data['tag'] = 'does-not-exist'));
    const error = await failure(webhooks.receive(forged, { headers: json }));
    expect(error.status).toBe(422);
    expect(error.code).toBe('WEBHOOK_UNCONFIRMED');
    expect(listener).not.toHaveBeenCalled();
    // The rejected delivery is forgotten: once the tag exists, the same body is processed.
    known.add('svendowideit/testhook:does-not-exist');
    expect((await webhooks.receive(forged, { headers: json })).status).toBe('accepted');
  });

  it('rejects confirmations that return no digest or outlive their time', async () => {
    const bogus = createWebhooks({ confirm: async () => ({ digest: 'nope' }) });
    expect(
      (await failure(bogus.receive(fixture('dockerhub-push'), { headers: json }))).status,
    ).toBe(422);
    const slow = createWebhooks({
      confirmTimeoutMs: 5,
      confirm: () => new Promise(() => undefined),
    });
    const error = await failure(slow.receive(fixture('dockerhub-push'), { headers: json }));
    expect(error.code).toBe('WEBHOOK_UNCONFIRMED');
  });
});

describe('createWebhooks: authenticity', () => {
  const body = fixture('dockerhub-push');

  it('checks a shared secret in the query, a header or the path', async () => {
    const query = createWebhooks({
      sharedSecret: { secrets: [new Secret('old'), new Secret('new')] },
    });
    expect((await query.receive(body, { headers: json, url: '/hooks?token=new' })).status).toBe(
      'accepted',
    );
    expect(
      (await failure(query.receive(body, { headers: json, url: '/hooks?token=bad' }))).status,
    ).toBe(401);
    expect((await failure(query.receive(body, { headers: json }))).status).toBe(401);
    const header = createWebhooks({
      sharedSecret: { secrets: 'h', from: 'header', name: 'X-Token' },
    });
    expect((await header.receive(body, { headers: { ...json, 'x-token': 'h' } })).status).toBe(
      'accepted',
    );
    expect((await failure(header.receive(body, { headers: json }))).code).toBe(
      'WEBHOOK_UNAUTHORIZED',
    );
    const path = createWebhooks({ sharedSecret: { secrets: new Secret('p/q'), from: 'path' } });
    expect((await path.receive(body, { headers: json, url: 'http://x/hooks/p%2Fq' })).status).toBe(
      'accepted',
    );
    expect((await failure(path.receive(body, { headers: json, url: '/hooks/p' }))).status).toBe(
      401,
    );
  });

  it('checks the HMAC signature of the raw body', async () => {
    const webhooks = createWebhooks({ signature: { secrets: 'sign-me' } });
    const signed = { ...json, 'x-hub-signature-256': signPayload('sign-me', body) };
    expect((await webhooks.receive(body, { headers: signed })).status).toBe('accepted');
    const tampered = body.replace('trustedbuilder', 'trustedbuildex');
    expect((await failure(webhooks.receive(tampered, { headers: signed }))).status).toBe(401);
    expect((await failure(webhooks.receive(body, { headers: json }))).status).toBe(401);
  });

  it('answers 403 for sources outside the allow-list', async () => {
    const webhooks = createWebhooks({ allowSources: ['192.0.2.0/24'] });
    expect(
      (await webhooks.receive(body, { headers: json, remoteAddress: '192.0.2.9' })).status,
    ).toBe('accepted');
    const error = await failure(
      webhooks.receive(body, { headers: json, remoteAddress: '198.51.100.1' }),
    );
    expect(error.status).toBe(403);
  });

  it('answers 415 and 413 from headers alone', async () => {
    const webhooks = createWebhooks({ maxBodyBytes: 100 });
    expect(
      (await failure(webhooks.receive('{}', { headers: { 'content-type': 'text/plain' } }))).status,
    ).toBe(415);
    expect((await failure(webhooks.receive('{}', { headers: {} }))).status).toBe(415);
    const declared = { ...json, 'content-length': '101' };
    expect((await failure(webhooks.receive('{}', { headers: declared }))).status).toBe(413);
    expect((await failure(webhooks.receive('x'.repeat(101), { headers: json }))).status).toBe(413);
    const bogus = { ...json, 'content-length': '-1' };
    expect((await failure(webhooks.receive('{}', { headers: bogus }))).status).toBe(400);
  });
});

describe('createWebhooks: queue and options', () => {
  it('hands events to the queue instead of the listeners, and forgets them when it fails', async () => {
    const queue = vi.fn(async () => undefined);
    const webhooks = createWebhooks({ queue });
    const listener = vi.fn();
    webhooks.on('*', listener);
    await webhooks.receive(fixture('dockerhub-push'), { headers: json });
    expect(queue).toHaveBeenCalledTimes(1);
    expect(listener).not.toHaveBeenCalled();
    queue.mockRejectedValueOnce(new Error('queue down'));
    await expect(
      webhooks.receive(fixture('distribution-push-blob'), { headers: dist }),
    ).rejects.toThrow('queue down');
    expect(
      (await webhooks.receive(fixture('distribution-push-blob'), { headers: dist })).status,
    ).toBe('accepted');
    await expect(createWebhooks().enqueue([])).rejects.toBeInstanceOf(ConfigError);
  });

  it('one dedupe store shared by receivers of different authentication routes drops a delivery accepted by any of them', async () => {
    const dedupe = createDedupeStore();
    const body = fixture('dockerhub-push');
    const byQuery = createWebhooks({ sharedSecret: { secrets: 'k', from: 'query' }, dedupe });
    const byHeader = createWebhooks({ sharedSecret: { secrets: 'k', from: 'header' }, dedupe });
    const byPath = createWebhooks({ sharedSecret: { secrets: 'k', from: 'path' }, dedupe });
    const bySignature = createWebhooks({ signature: { secrets: 'k' }, dedupe });
    expect((await byQuery.accept(body, { headers: json, url: '/hook?token=k' })).status).toBe(
      'accepted',
    );
    expect(
      (await byHeader.accept(body, { headers: { ...json, 'x-webhook-token': 'k' } })).status,
    ).toBe('duplicate');
    expect((await byPath.accept(body, { headers: json, url: '/hook/k' })).status).toBe(
      'duplicate',
    );
    const signed = { ...json, 'x-hub-signature-256': signPayload('k', body) };
    expect((await bySignature.accept(body, { headers: signed })).status).toBe('duplicate');
    // A different delivery is still new on every route.
    const other = body.replace('trustedbuilder', 'someone-else');
    expect((await byHeader.accept(other, { headers: { ...json, 'x-webhook-token': 'k' } })).status).toBe(
      'accepted',
    );
  });

  it('receivers without a shared store deduplicate only their own deliveries', async () => {
    const body = fixture('dockerhub-push');
    const first = createWebhooks();
    const second = createWebhooks();
    expect((await first.accept(body, { headers: json })).status).toBe('accepted');
    expect((await first.accept(body, { headers: json })).status).toBe('duplicate');
    expect((await second.accept(body, { headers: json })).status).toBe('accepted');
  });

  it('refuses a shared store together with dedupeWindowMs or clock, and bad store options', () => {
    const paths = (fn: () => unknown): string[] => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).issues.map((i) => i.path);
      }
      return [];
    };
    const dedupe = createDedupeStore({ windowMs: 1_000 });
    expect(paths(() => createWebhooks({ dedupe, dedupeWindowMs: 5 }))).toEqual(['dedupe']);
    expect(paths(() => createWebhooks({ dedupe, clock: { now: () => 0 } }))).toEqual(['dedupe']);
    expect(paths(() => createDedupeStore({ windowMs: -1, maxEntries: 0 }))).toEqual([
      'windowMs',
      'maxEntries',
    ]);
  });

  it('validates options without echoing secrets', () => {
    let error: unknown;
    try {
      createWebhooks({
        maxBodyBytes: 0,
        dedupeWindowMs: -1,
        confirmTimeoutMs: 1.5,
        limits: { maxDepth: 1 },
        sharedSecret: { secrets: '' },
        signature: { secrets: [] },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.path)).toEqual([
      'sharedSecret.secrets',
      'signature.secrets',
      'maxBodyBytes',
      'dedupeWindowMs',
      'confirmTimeoutMs',
      'limits.maxDepth',
    ]);
  });
});
