// Type-level checks, verified by `tsc --noEmit` (src/ is in the tsconfig).
import { expectTypeOf } from 'vitest';
import { createWebhooks } from './create-webhooks.js';
import {
  type DistributionWebhookEvent,
  type WebhookEvent,
  type WebhookPushEvent,
} from './events.js';

const webhooks = createWebhooks();

webhooks.on('push', (event) => {
  expectTypeOf(event).toEqualTypeOf<WebhookPushEvent>();
  if (event.source === 'dockerhub') expectTypeOf(event.raw.push_data.tag).toEqualTypeOf<string>();
  else expectTypeOf(event.raw.target.repository).toEqualTypeOf<string>();
});
webhooks.on('mount', (event) => {
  expectTypeOf(event).toEqualTypeOf<DistributionWebhookEvent<'mount'>>();
  expectTypeOf(event.fromRepository).toEqualTypeOf<string | undefined>();
});
webhooks.on(['pull', 'delete'], (event) => {
  expectTypeOf(event.action).toEqualTypeOf<'pull' | 'delete'>();
});
webhooks.on('*', (event) => {
  expectTypeOf(event).toEqualTypeOf<WebhookEvent>();
});
// @ts-expect-error 'tag' is not an event name
webhooks.on('tag', () => undefined);
