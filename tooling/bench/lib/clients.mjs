// The in-process clients: the default one, one with a 64 MiB chunk setting for monolithic
// uploads, and one whose blob GETs do not use the transport's bulk reader.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Agent, DockerHubClient, DockerHubConfig } from './deps.mjs';
import { nullSink } from './measure.mjs';

const OPTIONS = { cache: { enabled: false }, resilience: { maxRetries: 0 } };

/**
 * A client without the bulk reader: `bulkReads: false` when the client's configuration takes
 * it, else an injected undici `Agent` (the transport uses its own reader only on its default
 * dispatcher). The agent mirrors the default one's pool size, keep-alive and connect timeout.
 */
function clientWithoutBulkReader() {
  try {
    return {
      client: new DockerHubClient({ ...OPTIONS, bulkReads: false }),
      via: 'bulkReads: false',
    };
  } catch (err) {
    if (err?.code !== 'CONFIG_INVALID') throw err;
  }
  const config = DockerHubConfig.parse(OPTIONS);
  const connections = Math.max(
    16,
    config.upload.maxConcurrentDownloads + config.upload.maxConcurrentUploads + 4,
  );
  const timeout = config.resilience.timeoutSeconds * 1000;
  const agent = new Agent({ connections, keepAliveTimeout: 30_000, connect: { timeout } });
  return {
    client: new DockerHubClient({ ...OPTIONS, dispatcher: agent }),
    via: 'an injected undici Agent (dispatcher option)',
    agent,
  };
}

/** Builds the clients; `close()` closes all of them. */
export function createClients() {
  const client = new DockerHubClient(OPTIONS);
  const bigChunk = new DockerHubClient({ ...OPTIONS, upload: { chunkSizeMb: 64 } });
  const noBulk = clientWithoutBulkReader();
  return {
    client,
    bigChunk,
    noBulk,
    close: async () => {
      await Promise.all([client.close(), bigChunk.close(), noBulk.client.close()]);
      await noBulk.agent?.close();
    },
  };
}

/**
 * Which channels saw a blob GET while `fn` ran: `undici:request:create` (published for every
 * request a dispatcher accepts, and by a custom dispatcher that mirrors undici) and
 * `undici:client:sendHeaders` (published only when undici's own HTTP/1.1 client writes the
 * request, so not when the bulk reader does).
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
 * Which path each client's blob GET takes, checked on a small blob at `host`. The client
 * without the bulk reader must send through undici's own client, else its rows would be
 * mislabelled; the default client is expected not to (recorded, and flagged in the report).
 */
export async function checkDownloadPaths(clients, host) {
  const repo = `${host}/bench/paths`;
  const blob = randomBytes(64 * 1024);
  const digest = await clients.client.blobs.upload(repo, blob);
  const get = (c) => () => pipeline(c.blobs.get(repo, digest, { size: blob.length }), nullSink());
  const paths = {
    noBulkVia: clients.noBulk.via,
    defaultClient: await channelsSeeing(get(clients.client)),
    noBulkClient: await channelsSeeing(get(clients.noBulk.client)),
  };
  if (!paths.noBulkClient.sentByUndici)
    throw new Error(
      'the client built without the bulk reader did not send its blob GET with undici',
    );
  return paths;
}
