// The in-process clients: the default one, and one with a 64 MiB chunk setting for monolithic
// uploads.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { DockerHubClient } from './deps.mjs';
import { nullSink } from './measure.mjs';

const OPTIONS = { cache: { enabled: false }, resilience: { maxRetries: 0 } };

/** Builds the clients; `close()` closes all of them. */
export function createClients() {
  const client = new DockerHubClient(OPTIONS);
  const bigChunk = new DockerHubClient({ ...OPTIONS, upload: { chunkSizeMb: 64 } });
  return {
    client,
    bigChunk,
    close: async () => {
      await Promise.all([client.close(), bigChunk.close()]);
    },
  };
}

/**
 * Which channels saw a blob GET while `fn` ran: `undici:request:create` (published for every
 * request undici's dispatchers accept) and `undici:client:sendHeaders` (published when undici's
 * own HTTP/1.1 client writes the request).
 */
async function channelsSeeing(fn) {
  const seen = { created: false, sentByUndici: false };
  const isBlobGet = (request) => request.method === 'GET' && request.path.includes('/blobs/');
  const onCreate = ({ request }) => (seen.created ||= isBlobGet(request));
  const onSend = ({ request }) => (seen.sentByUndici ||= isBlobGet(request));
  subscribe('undici:request:create', onCreate);
  subscribe('undici:client:sendHeaders', onSend);
  try {
    await fn();
  } finally {
    unsubscribe('undici:request:create', onCreate);
    unsubscribe('undici:client:sendHeaders', onSend);
  }
  return seen;
}

/**
 * Checks, on a small blob at `host`, that the client's blob GET goes through undici like every
 * other request (the transport's one request path), so the client rows measure that path.
 */
export async function checkDownloadPaths(clients, host) {
  const repo = `${host}/bench/paths`;
  const blob = randomBytes(64 * 1024);
  const digest = await clients.client.blobs.upload(repo, blob);
  const get = (c) => () => pipeline(c.blobs.get(repo, digest, { size: blob.length }), nullSink());
  const paths = { defaultClient: await channelsSeeing(get(clients.client)) };
  if (!paths.defaultClient.created || !paths.defaultClient.sentByUndici)
    throw new Error("the client's blob GET did not go through undici");
  return paths;
}
