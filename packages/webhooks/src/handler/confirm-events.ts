import { WebhookError } from '@llmdevops/docker-hub-core';
import { DIGEST_MAX_LENGTH, DIGEST_PATTERN } from '../schemas/patterns.js';
import { type WebhookEvent } from './events.js';
import { type WebhooksOptions } from './options.js';

const unconfirmed = (cause?: unknown): WebhookError =>
  new WebhookError('WEBHOOK_UNCONFIRMED', 'push could not be confirmed against the registry', {
    status: 422,
    ...(cause === undefined ? {} : { cause }),
  });

function isDigest(value: unknown): value is string {
  return (
    typeof value === 'string' && value.length <= DIGEST_MAX_LENGTH && DIGEST_PATTERN.test(value)
  );
}

/** Settles when the signal aborts, so a `confirm` that ignores its signal cannot hang the request. */
function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    signal.addEventListener(
      'abort',
      () => {
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });
}

/**
 * Runs the caller's `confirm` on every push event, in order, and records the digest it returns.
 * Other actions pass through unchanged.
 * @param events - events that passed verification and deduplication
 * @param confirm - the caller's confirmation, if any
 * @param timeoutMs - time allowed per confirmation
 * @returns the events, pushes carrying `confirmedDigest` (and `digest` when the payload had none)
 * @throws {@link @llmdevops/docker-hub-core!WebhookError | WebhookError} `WEBHOOK_UNCONFIRMED` (422) when a confirmation fails, times out or
 *   returns something that is not a digest
 * @internal
 */
export async function confirmEvents(
  events: readonly WebhookEvent[],
  confirm: WebhooksOptions['confirm'],
  timeoutMs: number,
): Promise<WebhookEvent[]> {
  if (confirm === undefined) return [...events];
  const out: WebhookEvent[] = [];
  for (const event of events) {
    if (event.action !== 'push') {
      out.push(event);
      continue;
    }
    let result: unknown;
    try {
      const signal = AbortSignal.timeout(timeoutMs);
      result = await Promise.race([confirm(event, { signal }), rejectOnAbort(signal)]);
    } catch (error) {
      throw unconfirmed(error);
    }
    const digest = (result as { digest?: unknown } | null | undefined)?.digest;
    if (!isDigest(digest)) throw unconfirmed();
    out.push({ ...event, digest: event.digest ?? digest, confirmedDigest: digest });
  }
  return out;
}
