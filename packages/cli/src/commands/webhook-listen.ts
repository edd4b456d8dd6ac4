import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Secret } from '@llmdevops/docker-hub-core';
import type {
  DedupeStore,
  NodeWebhookMiddleware,
  WebhookEvent,
  WebhookPushEvent,
  WebhooksOptions,
} from '@llmdevops/docker-hub-webhooks';
import { defineCommand, flag, stringOption, usageError, type CommandInput } from '../command.js';
import { writeLine, type CliIo } from '../io.js';
import { JobQueue } from '../internal/job-queue.js';
import { readSecretLine, SecretFileError } from '../internal/secret-file.js';
import { parsePort } from '../internal/serve-options.js';

/** Environment variable holding the webhook secret (kept off the command line). @internal */
export const WEBHOOK_SECRET_ENV = 'DHUB_WEBHOOK_SECRET';

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

/**
 * Builds the request listener: one receiver, or one per way of presenting the secret. The
 * receivers share one dedupe store, so a delivery accepted by one route is a duplicate on the others.
 */
async function createListener(
  secret: string | undefined,
  queue: (events: readonly WebhookEvent[]) => Promise<void>,
): Promise<NodeWebhookMiddleware> {
  const { createDedupeStore, createNodeMiddleware, createWebhooks } =
    await import('@llmdevops/docker-hub-webhooks');
  const dedupe: DedupeStore = createDedupeStore();
  const make = (options: WebhooksOptions): NodeWebhookMiddleware =>
    // The CLI never requests `callback_url`, so a loopback one (a local simulator) is harmless.
    createNodeMiddleware(
      createWebhooks({ ...options, dedupe, allowNonPublicCallbackUrl: true, queue }),
    );
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

function countOption(input: CommandInput, name: string, fallback: number, min: number): number {
  const text = stringOption(input, name);
  if (text === undefined) return fallback;
  if (!/^\d{1,6}$/.test(text) || Number(text) < min)
    throw usageError(input, `--${name} must be a whole number >= ${min}, got '${text}'`);
  return Number(text);
}

/**
 * The secret from `--secret`, `--secret-file` or `DHUB_WEBHOOK_SECRET`; undefined only with
 * `--no-secret`, or without `--exec`.
 */
async function secretOf(input: CommandInput): Promise<string | undefined> {
  const inline = stringOption(input, 'secret');
  const file = stringOption(input, 'secret-file');
  const fromEnv = input.io.env[WEBHOOK_SECRET_ENV];
  const env = fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
  if (inline !== undefined && file !== undefined)
    throw usageError(input, 'give --secret or --secret-file, not both');
  if (flag(input, 'no-secret')) {
    if (inline !== undefined || file !== undefined)
      throw usageError(input, '--no-secret contradicts --secret and --secret-file');
    if (env !== undefined)
      throw usageError(input, `--no-secret contradicts ${WEBHOOK_SECRET_ENV}, which is set`);
    return undefined;
  }
  if (inline === '') throw usageError(input, '--secret is empty');
  let secret = inline ?? env;
  if (file !== undefined) {
    try {
      secret = await readSecretLine('--secret-file', file, input.io.cwd);
    } catch (err) {
      if (err instanceof SecretFileError) throw usageError(input, err.message);
      throw err;
    }
  }
  if (secret === undefined && stringOption(input, 'exec') !== undefined)
    throw usageError(
      input,
      `--exec needs a secret: give --secret S (or --secret-file FILE, or set ${WEBHOOK_SECRET_ENV}), or --no-secret to run it for anyone who can reach the port`,
    );
  return secret;
}

/** Warnings about who can deliver: printed even with `--quiet`. */
async function warnExposure(
  io: CliIo,
  host: string,
  secret: string | undefined,
  command: string | undefined,
): Promise<void> {
  const { isLoopbackHost } = await import('@llmdevops/docker-hub-transport');
  const open = secret === undefined;
  if (!isLoopbackHost(host))
    await writeLine(
      io.stderr,
      `dhub webhook listen: warning: --host ${host} is not a loopback address: other machines can reach this receiver${open ? ', and no secret is required' : ''}`,
    );
  if (open && command !== undefined)
    await writeLine(
      io.stderr,
      'dhub webhook listen: warning: --no-secret: anyone who can reach the port can make --exec run',
    );
}

/** What happens to accepted events: one JSON line each, and `--exec` through a bounded queue. */
function eventSink(
  io: CliIo,
  command: string | undefined,
  jobs: JobQueue,
): (events: readonly WebhookEvent[]) => Promise<void> {
  const run = async (line: string): Promise<void> => {
    if (command === undefined || io.signal.aborted) return;
    const { execWithInput } = await import('../internal/exec-event.js');
    const code = await execWithInput(command, `${line}\n`, {
      env: io.env,
      output: io.stderr,
      signal: io.signal,
    }).catch((err: unknown) => (err instanceof Error && err.name === 'AbortError' ? 0 : -1));
    if (code !== 0)
      await writeLine(io.stderr, `dhub webhook listen: --exec command exited with ${code}`);
  };
  return async (events) => {
    const lines = events
      .filter((e): e is WebhookPushEvent => e.action === 'push')
      .map((e) => JSON.stringify(eventRecord(e)));
    // Refused whole: the receiver answers 503 with Retry-After and forgets the delivery, so the
    // sender's retry is processed once the backlog has room.
    if (command !== undefined && !jobs.offer(lines.map((line) => () => run(line))))
      throw new Error('the --exec backlog is full');
    for (const line of lines) await writeLine(io.stdout, line);
  };
}

/** `dhub webhook listen`: receive push webhooks, one JSON line each, optionally running a command. @public */
export const webhookListenCommand = defineCommand(
  {
    name: 'webhook listen',
    usage:
      'dhub webhook listen [--port N] [--host ADDR] [--secret S | --secret-file FILE | --no-secret] [--exec CMD [--max-concurrent N] [--max-queued N]]',
    summary:
      'Receive Docker Hub (and registry) push webhooks; print one JSON line per accepted event.',
    options: {
      port: {
        type: 'string',
        short: 'p',
        value: 'N',
        help: 'port (default 0: a free one; the URL is printed on stderr)',
      },
      host: {
        type: 'string',
        value: 'ADDR',
        help: 'address to bind (default 127.0.0.1; a warning is printed for any non-loopback address)',
      },
      secret: {
        type: 'string',
        value: 'S',
        help: [
          'require S: as ?token=S, header X-Webhook-Token, last path segment, or HMAC X-Hub-Signature-256',
          '(visible to other local users in ps: prefer --secret-file or DHUB_WEBHOOK_SECRET)',
        ],
      },
      'secret-file': {
        type: 'string',
        value: 'FILE',
        help: 'read the secret from FILE (one line)',
      },
      'no-secret': {
        type: 'boolean',
        help: 'accept deliveries from anyone who can reach the port (required for --exec without a secret)',
      },
      exec: {
        type: 'string',
        value: 'CMD',
        help: 'run CMD (with sh -c) for each event, the event JSON on its stdin',
      },
      'max-concurrent': {
        type: 'string',
        value: 'N',
        help: 'run at most N commands at once (default 1)',
      },
      'max-queued': {
        type: 'string',
        value: 'N',
        help: 'keep at most N events waiting for a command; past it answer 503 with Retry-After (default 16)',
      },
    },
    notes: [
      `environment: ${WEBHOOK_SECRET_ENV} holds the secret when neither --secret nor --secret-file is given`,
    ],
    examples: [
      'dhub webhook listen --port 9000 --secret-file ./hook-token',
      "DHUB_WEBHOOK_SECRET=... dhub webhook listen --port 9000 --exec 'jq -r .tag >> pushed-tags.txt'",
    ],
    positionals: [],
  },
  async (input) => {
    const { io } = input;
    const port = portOf(input);
    const host = stringOption(input, 'host') ?? '127.0.0.1';
    const command = stringOption(input, 'exec');
    const jobs = new JobQueue(
      countOption(input, 'max-concurrent', 1, 1),
      countOption(input, 'max-queued', 16, 0),
    );
    const secret = await secretOf(input);
    await warnExposure(io, host, secret, command);
    // node:http is loaded by the commands that serve, not by every command.
    const { createServer } = await import('node:http');
    const server = createServer(await createListener(secret, eventSink(io, command, jobs)));
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
      jobs.clear();
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
