// End to end: a tagged push makes the simulator POST Docker Hub's push payload, signed, to a
// receiver built with the webhooks package (createWebhooks + node adapter) on loopback; failures retry.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { createNodeMiddleware, createWebhooks } from '@llmdevops/docker-hub-webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator } from '../src/index.js';
import { makeClient, pushImage } from './helpers.js';

async function serve(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('webhook emission', () => {
  const received: { repository: string; tag: string }[] = [];
  const webhooks = createWebhooks({ signature: { secrets: 'wh-secret' }, ack: 'after-listeners' });
  webhooks.on('push', (e) => {
    received.push({ repository: e.repository, tag: String(e.tag) });
  });
  const receiver = createServer(createNodeMiddleware(webhooks, { path: '/hooks' }));
  let flakyHits = 0;
  const flaky = createServer((req, res) => {
    flakyHits += 1;
    req.resume();
    res.statusCode = flakyHits === 1 ? 500 : 200;
    res.end();
  });
  let receiverUrl = '';
  let flakyUrl = '';
  beforeAll(async () => {
    receiverUrl = await serve(receiver);
    flakyUrl = await serve(flaky);
  });
  afterAll(async () => {
    receiver.close();
    flaky.close();
  });

  it('delivers a signed push payload that the webhooks receiver accepts, and retries failures', async () => {
    const sim = createSimulator({
      webhooks: [
        { repository: 'team/app', url: `${receiverUrl}/hooks`, secret: 'wh-secret' },
        { repository: /^team\//, url: flakyUrl },
        { repository: 'other/repo', url: `${receiverUrl}/never` },
      ],
    });
    const c = makeClient('http://sim.test', sim.dispatcher);
    await pushImage(c, 'team/app', 'v1.2.3');
    await sim.webhooksIdle();
    expect(received).toEqual([{ repository: 'team/app', tag: 'v1.2.3' }]);
    expect(sim.webhookDeliveries.filter((d) => d.url === flakyUrl).map((d) => d.status)).toEqual([
      500, 200,
    ]);
    expect(sim.webhookDeliveries.some((d) => d.url.endsWith('/never'))).toBe(false);
    await sim.close();
  });

  it('a wrong secret is refused by the receiver and retried until attempts run out', async () => {
    const sim = createSimulator({
      webhooks: [{ repository: 'team/bad', url: `${receiverUrl}/hooks`, secret: 'not-it' }],
      webhookAttempts: 2,
    });
    await pushImage(makeClient('http://sim.test', sim.dispatcher), 'team/bad', 'v1');
    await sim.webhooksIdle();
    const statuses = sim.webhookDeliveries.map((d) => d.status);
    expect(statuses).toHaveLength(2);
    expect(statuses.every((s) => s === 401 || s === 403)).toBe(true);
    expect(received.some((r) => r.repository === 'team/bad')).toBe(false);
    await sim.close();
  });
});
