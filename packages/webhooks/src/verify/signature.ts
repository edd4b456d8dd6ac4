import { createHmac, timingSafeEqual } from 'node:crypto';
import { Secret } from '@llmdevops/docker-hub-core';

/**
 * Header that carries the body signature, `sha256=<hex HMAC-SHA256 of the raw body>` (the
 * `X-Hub-Signature-256` convention). Lower case, as Node and Fetch report header names.
 * @public
 */
export const SIGNATURE_HEADER = 'x-hub-signature-256';

const SIGNATURE_FORMAT = /^sha256=([0-9a-f]{64})$/i;

function toBytes(body: Uint8Array | string): Uint8Array {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

function hmac(secret: Secret, body: Uint8Array): Buffer {
  return createHmac('sha256', secret.reveal()).update(body).digest();
}

/**
 * Signs a webhook body the way {@link verifySignature} checks it.
 * @param secret - the shared signing secret
 * @param body - the exact bytes (or UTF-8 text) that will be sent
 * @returns the header value, `sha256=<64 hex digits>`
 * @example
 * ```ts
 * headers[SIGNATURE_HEADER] = signPayload(secret, body);
 * ```
 * @public
 */
export function signPayload(secret: Secret | string, body: Uint8Array | string): string {
  return `sha256=${hmac(Secret.from(secret), toBytes(body)).toString('hex')}`;
}

/**
 * Checks a `sha256=<hex>` signature against the body with every given secret (for rotation), in
 * constant time per secret and without stopping at the first match.
 * @param secrets - accepted signing secrets
 * @param body - the raw body bytes as received
 * @param header - the signature header value, if any
 * @returns true when the header is well formed and matches one of the secrets
 * @public
 */
export function verifySignature(
  secrets: readonly Secret[],
  body: Uint8Array | string,
  header: string | undefined,
): boolean {
  const match = header === undefined ? null : SIGNATURE_FORMAT.exec(header.trim());
  const hex = match?.[1];
  if (hex === undefined) return false;
  const given = Buffer.from(hex, 'hex');
  const bytes = toBytes(body);
  let ok = false;
  for (const secret of secrets) {
    if (secret.disposed) continue;
    ok = timingSafeEqual(hmac(secret, bytes), given) || ok;
  }
  return ok;
}
