// Shared by the bulk-reader suites: transports that are closed after each test, and a GET tagged
// `context.bulk` (which the transport reads with its bulk reader instead of undici).
import { createTransport, type Transport, type TransportOptions, type TransportResponse } from '../src/index.js';

const transports: Transport[] = [];

/**
 * A transport without retries and with a 5 s timeout unless overridden; closed by {@link closeTransports}.
 * @param options - overrides
 * @returns the transport
 */
export function transport(options: TransportOptions = {}): Transport {
  const t = createTransport({ maxRetries: 0, timeoutMs: 5_000, ...options });
  transports.push(t);
  return t;
}

/** Closes every transport made by {@link transport} so far. */
export async function closeTransports(): Promise<void> {
  await Promise.all(transports.splice(0).map((t) => t.close()));
}

/**
 * A GET tagged `context.bulk`.
 * @param t - the transport
 * @param url - the URL
 * @param extra - headers and signal
 * @returns the response
 */
export function bulkGet(t: Transport, url: string, extra: { headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<TransportResponse> {
  return t.request({
    method: 'GET',
    url: new URL(url),
    headers: extra.headers ?? {},
    context: { bulk: true },
    ...(extra.signal === undefined ? {} : { signal: extra.signal }),
  });
}
