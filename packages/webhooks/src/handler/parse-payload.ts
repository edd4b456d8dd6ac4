import { createHash } from 'node:crypto';
import { WebhookError } from '@llmdevops/docker-hub-core';
import { type z } from 'zod';
import { parseCallbackUrl } from '../callback/callback-url.js';
import { DockerHubPushPayloadSchema } from '../schemas/docker-hub-push.js';
import {
  DISTRIBUTION_EVENTS_MEDIA_TYPES,
  DistributionEnvelopeSchema,
} from '../schemas/distribution-envelope.js';
import { fromDistribution, fromDockerHub, type WebhookEvent } from './events.js';

/** Which schema a body is held to. @internal */
export type PayloadKind = 'dockerhub' | 'distribution';

const SAFE_SEGMENT = /^[A-Za-z_]{1,40}$/;

/** First issue, as `path: message`; path segments are schema keys or indexes, never payload text. */
function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid';
  const path = issue.path
    .map((p) =>
      typeof p === 'number' ? String(p) : typeof p === 'string' && SAFE_SEGMENT.test(p) ? p : '?',
    )
    .join('.');
  const text = `${path === '' ? '(root)' : path}: ${issue.message}`;
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

function schemaError(kind: PayloadKind, error: z.ZodError): WebhookError {
  const label = kind === 'dockerhub' ? 'Docker Hub push' : 'distribution notification';
  return new WebhookError(
    'WEBHOOK_INVALID',
    `payload is not a valid ${label}: ${describeIssue(error)}`,
    {
      status: 400,
    },
  );
}

/**
 * Decides the payload kind from the media type, then from the shape (`events` marks an envelope).
 * @param mediaType - the request's media type
 * @param json - the parsed body
 * @returns the kind
 * @throws {@link @llmdevops/docker-hub-core!WebhookError | WebhookError} 400 when the body is not a JSON object
 * @internal
 */
export function detectKind(mediaType: string | undefined, json: unknown): PayloadKind {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new WebhookError('WEBHOOK_INVALID', 'payload must be a JSON object', { status: 400 });
  if ((DISTRIBUTION_EVENTS_MEDIA_TYPES as readonly (string | undefined)[]).includes(mediaType))
    return 'distribution';
  return Object.hasOwn(json, 'events') ? 'distribution' : 'dockerhub';
}

/**
 * Validates a parsed body against its schema and normalizes it into events.
 * @param kind - which schema applies
 * @param json - the parsed body (already free of forbidden keys)
 * @param context - the raw bytes (for the Docker Hub id) and the callback URL policy
 * @returns the events in delivery order
 * @throws {@link @llmdevops/docker-hub-core!WebhookError | WebhookError} 400 naming the first schema issue or the callback_url rule
 * @internal
 */
export function toEvents(
  kind: PayloadKind,
  json: unknown,
  context: { body: Uint8Array; allowNonPublicCallbackUrl: boolean },
): WebhookEvent[] {
  if (kind === 'distribution') {
    const parsed = DistributionEnvelopeSchema.safeParse(json);
    if (!parsed.success) throw schemaError(kind, parsed.error);
    return parsed.data.events.map(fromDistribution);
  }
  const parsed = DockerHubPushPayloadSchema.safeParse(json);
  if (!parsed.success) throw schemaError(kind, parsed.error);
  const callback = parsed.data.callback_url;
  const callbackUrl =
    callback === undefined
      ? undefined
      : parseCallbackUrl(callback, context.allowNonPublicCallbackUrl);
  // Docker Hub sends no delivery id; the body hash identifies a redelivery of the same push.
  const id = `sha256:${createHash('sha256').update(context.body).digest('hex')}`;
  return [fromDockerHub(parsed.data, { id, callbackUrl })];
}
