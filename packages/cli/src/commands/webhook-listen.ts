import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Secret } from '@llmdevops/docker-hub-core';
import type { NodeWebhookMiddleware, WebhookPushEvent, WebhooksOptions } from '@llmdevops/docker-hub-webhooks';
import { defineCommand, flag, stringOption, usageError, type CommandInput } from '../command.js';
import { writeLine } from '../io.js';
import { execWithInput } from '../internal/exec-event.js';
import { parsePort } from '../internal/serve-options.js';

/**
 * The line printed (and given to `--exec`) for one push event: the normalized fields, and the
 * payload as received.
 * @param event - an accepted push
 * @returns a JSON-ready object
 * @internal
 */
export function eventRecord(event: WebhookPushEvent): Record<string, unknown> {
  return {
    id: event.id,
    source: event.source,
    action: event.action,
    repository: event.repository,
    tag: event.tag ?? null,
    digest: event.digest ?? null,
    timestamp: event.timestamp?.toISOString() ?? null,
    ...(event.source === 'dockerhub' ? { pusher: event.pusher } : { actor: event.actor ?? null }),
    payload: event.raw,
  };
}

type Route = 'signature' | 'header' | 'query' | 'path';

/** Which way the sender presented the secret; each way has its own receiver. */
function routeOf(req: IncomingMessage): Route {
  if (req.headers['x-hub-signature-256'] !== undefined) return 'signature';
  if (req.headers['x-webhook-token'] !== undefined) return 'header';
  return new URL(req.url ?? '/', 'http://receiver.invalid').searchParams.has('token')
    ? 'query'
    : 'path';
}

function receiverOptions(route: Route, secret: Secret): WebhooksOptions {
  if (route === 'signature') return { signature: { secrets: secret } };
  return { sharedSecret: { secrets: secret, from: route } };
}

/** Builds the request listener: one receiver, or one per way of presenting `--secret`. */
async function createListener(
  secret: string | undefined,
  onPush: (event: WebhookPushEvent) => Promise<void>,
): Promise<NodeWebhookMiddleware> {
  const { createNodeMiddleware, createWebhooks } = await import('@llmdevops/docker-hub-webhooks');
  const make = (options: WebhooksOptions): NodeWebhookMiddleware => {
    // The CLI never requests `callback_url`, so a loopback one (a local simulator) is harmless.
    const hooks = createWebhooks({
      ...options,
      allowNonPublicCallbackUrl: true,
      ack: 'after-listeners',
    });
    hooks.on('push', onPush);
    return createNodeMiddleware(hooks);
  };
  if (secret === undefined) return make({});
  const value = new Secret(secret);
  const routes: Record<Route, NodeWebhookMiddleware> = {
    signature: make(receiverOptions('signature', value)),
    header: make(receiverOptions('header', value)),
    query: make(receiverOptions('query', value)),
    path: make(receiverOptions('path', value)),
  };
  return (req, res, next) => {
    routes[routeOf(req)](req, res, next);
  };
}

function portOf(input: CommandInput): number {
  const text = stringOption(input, 'port');
  try {
    return text === undefined ? 0 : parsePort(text);
  } catch (err) {
    throw usageError(input, err instanceof Error ? err.message : String(err));
  }
}

/** `dhub webhook listen`: receive push webhooks, one JSON line each, optionally running a command. @public */
export const webhookListenCommand = defineCommand(
  {
    name: 'webhook listen',
    usage: 'dhub webhook listen [--port N] [--secret S] [--exec CMD]',
    summary:
      'Receive Docker Hub (and registry) push webhooks; print one JSON line per accepted event.',
    options: {
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      secret: { type: 'string' },
      exec: { type: 'string' },
    },
    optionHelp: [
      '-p, --port N     port (default 0: a free one; the URL is printed on stderr)',
      '--host ADDR      address to bind (default 127.0.0.1)',
      '--secret S       require S: as ?token=S, header X-Webhook-Token, last path segment, or HMAC X-Hub-Signature-256',
      '--exec CMD       run CMD (with sh -c) for each event, the event JSON on its stdin',
    ],
    examples: [
      'dhub webhook listen --port 9000 --secret "$HOOK_TOKEN"',
      "dhub webhook listen --port 9000 --exec 'jq -r .tag >> pushed-tags.txt'",
    ],
    positionals: [],
  },
  async (input) => {
    const { io } = input;
    const port = portOf(input);
    const host = stringOption(input, 'host') ?? '127.0.0.1';
    const command = stringOption(input, 'exec');
    const onPush = async (event: WebhookPushEvent): Promise<void> => {
      const line = JSON.stringify(eventRecord(event));
      await writeLine(io.stdout, line);
      if (command === undefined) return;
      const code = await execWithInput(command, `${line}\n`, {
        env: io.env,
        output: io.stderr,
        signal: io.signal,
      }).catch((err: unknown) => (err instanceof Error && err.name === 'AbortError' ? 0 : -1));
      if (code !== 0)
        await writeLine(io.stderr, `dhub webhook listen: --exec command exited with ${code}`);
    };
    const server = createServer(await createListener(stringOption(input, 'secret'), onPush));
    server.listen(port, host);
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([err]) => Promise.reject(err as Error)),
    ]);
    const address = server.address() as AddressInfo;
    if (!flag(input, 'quiet')) {
      await writeLine(
        io.stderr,
        `listening http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
      );
    }
    try {
      if (!io.signal.aborted) await once(io.signal, 'abort');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    }
    return 0;
  },
);
