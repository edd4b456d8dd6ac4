import { WebhookError } from '@llmdevops/docker-hub-core';
import { headerValue, mediaTypeOf, type WebhookHeaders } from './headers.js';
import { DISTRIBUTION_EVENTS_MEDIA_TYPES } from '../schemas/distribution-envelope.js';
import { lastPathSegment, matchesSharedSecret } from '../verify/shared-secret.js';
import { createSourceAllowList } from '../verify/source-allow-list.js';
import { type ResolvedOptions } from './options.js';

/** What a receiver knows about a request besides its body. @public */
export interface WebhookRequestMeta {
  /** Request headers (Node or Fetch form). */
  readonly headers: WebhookHeaders;
  /** Peer IP address, for `allowSources`. */
  readonly remoteAddress?: string | undefined;
  /** Request URL (absolute, or path and query), for a secret in the path or query. */
  readonly url?: string | undefined;
}

const ACCEPTED_MEDIA_TYPES: ReadonlySet<string> = new Set([
  'application/json',
  ...DISTRIBUTION_EVENTS_MEDIA_TYPES,
]);

const unauthorized = (message: string, status: 401 | 403): WebhookError =>
  new WebhookError('WEBHOOK_UNAUTHORIZED', message, { status });

/**
 * The 413 for a body over the limit.
 * @param limit - the limit in bytes
 * @returns the error
 * @internal
 */
export function bodyTooLarge(limit: number): WebhookError {
  return new WebhookError('WEBHOOK_INVALID', `body exceeds ${limit} bytes`, { status: 413 });
}

function presentedToken(
  meta: WebhookRequestMeta,
  shared: NonNullable<ResolvedOptions['sharedSecret']>,
): string | undefined {
  if (shared.from === 'header') return headerValue(meta.headers, shared.name);
  if (meta.url === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(meta.url, 'http://receiver.invalid');
  } catch {
    return undefined;
  }
  return shared.from === 'path'
    ? lastPathSegment(url)
    : (url.searchParams.get(shared.name) ?? undefined);
}

/**
 * Builds the checks that need no body, in the order that tells an unauthenticated sender the
 * least: source address (403), shared secret (401), content type (415), declared length (413).
 * @param resolved - resolved options
 * @param allowSources - the allow-list option, if any
 * @returns the check, throwing {@link WebhookError} with the status to answer
 * @throws {@link @llmdevops/docker-hub-core!ConfigError | ConfigError} when an allow-list entry is invalid
 * @internal
 */
export function createPreflight(
  resolved: ResolvedOptions,
  allowSources: readonly string[] | undefined,
): (meta: WebhookRequestMeta) => void {
  const sourceAllowed =
    allowSources === undefined ? undefined : createSourceAllowList(allowSources);
  return (meta) => {
    if (sourceAllowed !== undefined && !sourceAllowed(meta.remoteAddress))
      throw unauthorized('source address is not allowed', 403);
    const shared = resolved.sharedSecret;
    if (shared !== undefined && !matchesSharedSecret(shared.secrets, presentedToken(meta, shared)))
      throw unauthorized('missing or wrong shared secret', 401);
    const mediaType = mediaTypeOf(headerValue(meta.headers, 'content-type'));
    if (mediaType === undefined || !ACCEPTED_MEDIA_TYPES.has(mediaType))
      throw new WebhookError('WEBHOOK_INVALID', 'content type must be application/json', {
        status: 415,
      });
    const declared = headerValue(meta.headers, 'content-length')?.trim();
    if (declared !== undefined && !/^\d{1,15}$/.test(declared))
      throw new WebhookError('WEBHOOK_INVALID', 'content-length is malformed', { status: 400 });
    if (declared !== undefined && Number(declared) > resolved.maxBodyBytes)
      throw bodyTooLarge(resolved.maxBodyBytes);
  };
}
