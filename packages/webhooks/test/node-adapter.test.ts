import { once } from 'node:events';
import http, { type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createNodeMiddleware,
  createWebhooks,
  signPayload,
  SIGNATURE_HEADER,
  type NodeWebhookRequest,
  type WebhookEvent,
  type Webhooks,
} from '@llmdevops/docker-hub-webhooks';
import { dockerHubBody, fixture, mediaTypeOf, type FixtureName } from './fixtures.js';
import { HOSTILE_CASES } from './hostile-payloads.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Posts with node:http (not fetch), so a fetch spy can prove the receiver made no request. */
function send(
  port: number,
  body: string | Uint8Array | Uint8Array[],
  options: { path?: string; method?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const chunked = Array.isArray(body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: options.path ?? '/hooks/docker',
        method: options.method ?? 'POST',
        headers: {
          'content-type': 'application/json',
          ...(chunked ? {} : { 'content-length': String(Buffer.byteLength(body)) }),
          ...options.headers,
        },
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => {
          chunks.push(c);
        });
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          });
        });
      },
    );
    // The receiver may answer 413 and close before a streamed body is fully written.
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    if (chunked) for (const chunk of body) req.write(chunk);
    else req.write(body);
    req.end();
  });
}

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => {
    server.close(resolve);
  });
}

describe('createNodeMiddleware over a real node:http server', () => {
  let webhooks: Webhooks;
  let server: Server;
  let port: number;
  let trap: Server;
  let trapPort: number;
  let trapHits = 0;
  const events: WebhookEvent[] = [];
  const fetchSpy = vi.fn();

  beforeAll(async () => {
    // Stands where a forged callback_url points: any request reaching it fails the suite.
    trap = http.createServer((_req, res) => {
      trapHits++;
      res.end();
    });
    trapPort = await listen(trap);
    webhooks = createWebhooks({ maxBodyBytes: 256 * 1024 });
    webhooks.on('*', (e) => {
      events.push(e);
    });
    const middleware = createNodeMiddleware(webhooks, { path: '/hooks/docker' });
    server = http.createServer((req, res) => {
      middleware(req, res, () => {
        res.statusCode = 418;
        res.end('fell through');
      });
    });
    port = await listen(server);
  });

  afterAll(async () => {
    await close(server);
    await close(trap);
  });

  it.each([
    'dockerhub-push',
    'distribution-push-blob',
    'distribution-push-manifest',
    'distribution-pull-manifest',
    'distribution-mount-blob',
    'distribution-delete-manifest',
    'distribution-delete-tag',
  ] as const)('accepts the %s fixture and delivers it to listeners', async (name: FixtureName) => {
    const before = events.length;
    const reply = await send(port, fixture(name), {
      headers: { 'content-type': mediaTypeOf(name) },
    });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ status: 'accepted' });
    await vi.waitFor(() => {
      expect(events.length).toBe(before + 1);
    });
  });

  it('answers a redelivery with 200 duplicate and does not deliver it again', async () => {
    const body = fixture('distribution-push-manifest');
    const headers = { 'content-type': mediaTypeOf('distribution-push-manifest') };
    await send(port, body, { headers });
    const count = events.length;
    const reply = await send(port, body, { headers });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ status: 'duplicate' });
    await new Promise((r) => setTimeout(r, 20));
    expect(events.length).toBe(count);
  });

  it.each(HOSTILE_CASES)('answers $status for $name; no listener runs', async (c) => {
    const before = events.length;
    const body =
      typeof c.body === 'string'
        ? c.body.replace('CALLBACK_LOOPBACK', `http://127.0.0.1:${trapPort}/hook`)
        : c.body;
    const reply = await send(port, body, {
      method: c.method ?? 'POST',
      headers: c.contentType === undefined ? {} : { 'content-type': c.contentType },
    });
    expect(reply.status).toBe(c.status);
    expect(JSON.parse(reply.body)).toMatchObject({
      error: { code: expect.stringMatching(/^WEBHOOK_/) },
    });
    expect(reply.body).not.toContain('isAdmin');
    if (c.status === 405) expect(reply.headers.allow).toBe('POST');
    await new Promise((r) => setTimeout(r, 10));
    expect(events.length).toBe(before);
  });

  it('answers 413 while streaming a chunked body past the limit', async () => {
    const chunks = Array.from({ length: 400 }, () => new Uint8Array(1024).fill(0x20));
    const reply = await send(port, chunks);
    expect(reply.status).toBe(413);
    expect(reply.headers.connection).toBe('close');
  });

  it('survives a sender that hangs up mid-body; nothing reaches a listener', async () => {
    const before = events.length;
    const socket = (await import('node:net')).connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const body = fixture('dockerhub-push');
    socket.write(
      `POST /hooks/docker HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 100)}`,
    );
    await new Promise((r) => setTimeout(r, 20));
    socket.destroy();
    await new Promise((r) => setTimeout(r, 20));
    expect(events.length).toBe(before);
    const reply = await send(
      port,
      dockerHubBody((p) => (p.push_data['tag'] = 'after-abort')),
    );
    expect(reply.status).toBe(200);
  });

  it('falls through to next() for other paths', async () => {
    const reply = await send(port, '{}', { path: '/elsewhere' });
    expect(reply.status).toBe(418);
  });

  it('never requests callback_url, even when non-public callbacks are accepted', async () => {
    vi.stubGlobal('fetch', fetchSpy);
    const lenient = createWebhooks({ allowNonPublicCallbackUrl: true });
    const seen: WebhookEvent[] = [];
    lenient.on('push', (e) => {
      seen.push(e);
    });
    const srv = http.createServer(createNodeMiddleware(lenient));
    const p = await listen(srv);
    try {
      for (const callback of [
        `http://127.0.0.1:${trapPort}/hook`,
        'http://169.254.169.254/latest/meta-data/',
      ]) {
        const reply = await send(
          p,
          dockerHubBody((x) => (x['callback_url'] = callback)),
        );
        expect(reply.status).toBe(200);
      }
      await vi.waitFor(() => {
        expect(seen).toHaveLength(2);
      });
      expect(seen.map((e) => (e.source === 'dockerhub' ? e.callbackUrl?.hostname : ''))).toEqual([
        '127.0.0.1',
        '169.254.169.254',
      ]);
      await new Promise((r) => setTimeout(r, 50));
      expect(trapHits).toBe(0);
      expect(fetchSpy).not.toHaveBeenCalled();
    } finally {
      vi.unstubAllGlobals();
      await close(srv);
    }
  });
});

describe('createNodeMiddleware with framework bodies', () => {
  it('uses a raw body a framework already read (express.raw / rawBody) and verifies its signature', async () => {
    const webhooks = createWebhooks({ signature: { secrets: 'k' } });
    const listener = vi.fn();
    webhooks.on('push', listener);
    const middleware = createNodeMiddleware(webhooks);
    const server = http.createServer((req: NodeWebhookRequest, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => {
        chunks.push(c);
      });
      req.on('end', () => {
        req.rawBody = Buffer.concat(chunks);
        req.body = { parsed: true };
        middleware(req, res);
      });
    });
    const port = await listen(server);
    try {
      const body = fixture('dockerhub-push');
      const ok = await send(port, body, {
        headers: { [SIGNATURE_HEADER]: signPayload('k', body) },
      });
      expect(ok.status).toBe(200);
      await vi.waitFor(() => {
        expect(listener).toHaveBeenCalledTimes(1);
      });
      const bad = await send(port, body, {
        headers: { [SIGNATURE_HEADER]: signPayload('other', body) },
      });
      expect(bad.status).toBe(401);
      expect(JSON.parse(bad.body)).toEqual({
        error: { code: 'WEBHOOK_UNAUTHORIZED', message: 'missing or wrong signature' },
      });
    } finally {
      await close(server);
    }
  });

  it('answers 500 when a JSON body parser consumed the stream and left no raw body', async () => {
    const webhooks = createWebhooks();
    const middleware = createNodeMiddleware(webhooks);
    const server = http.createServer((req: NodeWebhookRequest, res) => {
      req.resume();
      req.on('end', () => {
        req.body = { parsed: true };
        middleware(req, res);
      });
    });
    const port = await listen(server);
    try {
      const reply = await send(port, fixture('dockerhub-push'));
      expect(reply.status).toBe(500);
      expect(JSON.parse(reply.body)).toMatchObject({ error: { code: 'CONFIG_INVALID' } });
    } finally {
      await close(server);
    }
  });

  it('answers 404 for other paths without next()', async () => {
    const server = http.createServer(createNodeMiddleware(createWebhooks(), { path: '/hooks' }));
    const port = await listen(server);
    try {
      expect((await send(port, '{}', { path: '/nope' })).status).toBe(404);
      expect((await send(port, '', { path: '/hooks/', method: 'GET' })).status).toBe(405);
    } finally {
      await close(server);
    }
  });
});
