import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Secret } from '@llmdevops/docker-hub-core';
import { dockerHubBody, fixture } from '../../test/fixtures.js';
import { createFetchHandler } from '../adapters/fetch/fetch-handler.js';
import { signPayload } from '../verify/signature.js';
import { createWebhooks } from './create-webhooks.js';
import { type WebhookListenerError } from './listener-registry.js';

// Printable, URL-safe secrets long enough that an accidental substring match is impossible.
const secretArb = fc.stringMatching(/^[A-Za-z0-9_-]{12,40}$/);
const locationArb = fc.constantFrom<'query' | 'header' | 'path'>('query', 'header', 'path');
const bodyArb = fc.constantFrom(
  fixture('dockerhub-push'),
  dockerHubBody((p) => (p.push_data['tag'] = 'v2')),
  '{"broken":',
  dockerHubBody((p) => (p['callback_url'] = 'http://169.254.169.254/')),
);

describe('no secret reaches a response, an error or an emitted event', () => {
  it('holds for random secrets, locations, right and wrong tokens, and failing listeners', async () => {
    await fc.assert(
      fc.asyncProperty(
        secretArb,
        locationArb,
        fc.boolean(),
        bodyArb,
        async (secret, from, right, body) => {
          const signingSecret = `${secret}-sig`;
          const emitted: WebhookListenerError[] = [];
          const webhooks = createWebhooks({
            sharedSecret: { secrets: new Secret(secret), from },
            signature: { secrets: new Secret(signingSecret) },
            ack: 'after-listeners',
            onError: (e) => emitted.push(e),
          });
          webhooks.on('*', (e) => {
            throw new Error(`listener failed on ${e.repository}`);
          });
          const token = right ? secret : `${secret}x`;
          const url =
            from === 'path'
              ? `http://r.test/hooks/${token}`
              : from === 'query'
                ? `http://r.test/hooks?token=${token}`
                : 'http://r.test/hooks';
          const headers: Record<string, string> = {
            'content-type': 'application/json',
            'x-hub-signature-256': signPayload(right ? signingSecret : secret, body),
            ...(from === 'header' ? { 'x-webhook-token': token } : {}),
          };
          const response = await createFetchHandler(webhooks)(
            new Request(url, { method: 'POST', headers, body }),
          );
          const text = await response.text();
          const seen = [
            text,
            ...emitted.flatMap((e) => [
              JSON.stringify(e),
              String(e),
              e.stack ?? '',
              inspect(e, { depth: 5 }),
              JSON.stringify(e.event),
            ]),
          ];
          let thrown: unknown;
          try {
            await webhooks.receive(body, { headers, url });
          } catch (error) {
            thrown = error;
          }
          if (thrown !== undefined)
            seen.push(JSON.stringify(thrown), inspect(thrown, { depth: 5 }));
          seen.push(inspect(webhooks, { depth: 5 }), JSON.stringify(webhooks.settings));
          for (const s of seen) {
            expect(s).not.toContain(secret);
            expect(s).not.toContain(signingSecret);
          }
          if (right && body === fixture('dockerhub-push')) {
            expect(response.status).toBe(200);
            expect(emitted).toHaveLength(1);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
