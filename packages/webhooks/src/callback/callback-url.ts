import { WebhookError, isNonPublicHost } from '@llmdevops/docker-hub-core';

const refuse = (message: string): WebhookError =>
  new WebhookError('WEBHOOK_INVALID', `callback_url ${message}`, { status: 400 });

/**
 * Parses the legacy `callback_url` of a Docker Hub payload. Docker no longer honours it
 * (registry-api.md 7.3), so it is only ever exposed, never requested. A value that is not an
 * http(s) URL, carries credentials, or (unless allowed) names a non-public host marks the payload
 * as forged.
 * @param value - the field as received
 * @param allowNonPublic - accept loopback and private hosts (for simulators on 127.0.0.1)
 * @returns the parsed URL
 * @throws {@link @llmdevops/docker-hub-core!WebhookError | WebhookError} `WEBHOOK_INVALID` (400) saying which rule failed, never the value
 * @public
 */
export function parseCallbackUrl(value: string, allowNonPublic = false): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw refuse('is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refuse('is not http(s)');
  if (url.username !== '' || url.password !== '') throw refuse('carries credentials');
  if (!allowNonPublic && isNonPublicHost(url.hostname))
    throw refuse('points at a loopback, private, link-local or reserved address');
  return url;
}
