import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Platform } from '@llmdevops/docker-hub-core';
import type { DockerHubClient } from '@llmdevops/docker-hub-services';
import type { Simulator } from '@llmdevops/docker-hub-simulation';
import type { WebhookPushEvent } from '@llmdevops/docker-hub-webhooks';
import { defineCommand, flag, type CommandInput } from '../command.js';
import { writeJson, writeLine } from '../io.js';
import { writeImageLayout } from '../internal/layout-writer.js';
import { formatBytes } from '../output/progress.js';

const REPOSITORY = 'demo/hello';
const TAG = '1.0';
const PLATFORMS = [Platform.parse('linux/amd64'), Platform.parse('linux/arm64')];

/** A webhook receiver on loopback that keeps the push events it accepted. */
async function startReceiver(
  token: string,
): Promise<{ url: string; events: WebhookPushEvent[]; server: Server }> {
  const { createNodeMiddleware, createWebhooks } = await import('@llmdevops/docker-hub-webhooks');
  const events: WebhookPushEvent[] = [];
  const hooks = createWebhooks({ sharedSecret: { secrets: token }, ack: 'after-listeners' });
  hooks.on('push', (event) => {
    events.push(event);
  });
  const { createServer } = await import('node:http');
  const server = createServer(createNodeMiddleware(hooks, { path: '/hooks/docker' }));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/docker`, events, server };
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
}

/** Counts the files under a directory (the pulled layout), recursively. */
async function countFiles(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).length;
}

interface DemoContext {
  readonly input: CommandInput;
  readonly client: DockerHubClient;
  readonly simulator: Simulator;
  readonly work: string;
  readonly events: WebhookPushEvent[];
}

async function say(input: CommandInput, line: string): Promise<void> {
  if (!flag(input, 'json') && !flag(input, 'quiet')) await writeLine(input.io.stdout, line);
}

/** The steps of the README's main job, each a library call against the simulated Docker Hub. */
async function runSteps(ctx: DemoContext): Promise<Record<string, unknown>> {
  const { input, client, simulator } = ctx;
  const signal = input.io.signal;
  const ref = `${REPOSITORY}:${TAG}`;
  // Loaded on use, with the zlib it needs: every other command would pay for it.
  const { generateImage } = await import('../internal/demo-image.js');
  const image = generateImage(PLATFORMS, 'hello from the simulated Docker Hub');
  const layout = join(ctx.work, 'generated');
  await writeImageLayout(layout, image, TAG);
  const pushed = await client.images.push(layout, ref, { signal });
  const bytes = [...image.blobs, ...image.manifests].reduce((n, b) => n + b.bytes.byteLength, 0);
  await say(
    input,
    `1. pushed ${ref} (${PLATFORMS.map((p) => p.toString()).join(', ')}; ${pushed.blobsTransferred} blobs, ${formatBytes(bytes)}) -> ${pushed.digest}`,
  );
  const tags = await client.tags.list(REPOSITORY, { signal });
  await say(input, `2. tags of ${REPOSITORY}: ${tags.join(', ')}`);
  const arm = await client.manifests.getForPlatform(ref, 'linux/arm64', { signal });
  const expected = image.manifests.find((m) => m.platform.architecture === 'arm64')?.digest;
  await say(
    input,
    `3. manifest for linux/arm64: ${arm.digest} (${arm.mediaType}, ${arm.size} bytes)`,
  );
  const pulledDir = join(ctx.work, 'pulled');
  const pulled = await client.images.pull(ref, pulledDir, { platform: 'linux/arm64', signal });
  if (pulled.digest !== expected || arm.digest !== expected) {
    throw new Error(
      `pulled digest ${pulled.digest} differs from the pushed linux/arm64 manifest ${String(expected)}`,
    );
  }
  const files = await countFiles(pulledDir);
  await say(
    input,
    `4. pulled linux/arm64 into an OCI layout, every blob verified: ${files} files, digest matches`,
  );
  const rate = client.rateLimitStatus();
  await say(
    input,
    rate === undefined
      ? '5. rate limit: none reported'
      : `5. rate limit: ${rate.remaining ?? '?'} of ${rate.limit ?? '?'} pulls left in ${rate.windowSeconds ?? '?'}s (source ${rate.source ?? '?'})`,
  );
  await simulator.webhooksIdle();
  const delivery = ctx.events[0];
  await say(
    input,
    delivery === undefined
      ? '6. webhook: no delivery received'
      : `6. webhook delivery: push of ${delivery.repository}:${delivery.tag ?? '?'} by ${delivery.source === 'dockerhub' ? delivery.pusher : '?'}`,
  );
  if (delivery === undefined) throw new Error('the simulator delivered no push webhook');
  return {
    reference: `docker.io/${ref}`,
    pushed: {
      digest: pushed.digest,
      platforms: PLATFORMS.map((p) => p.toString()),
      blobs: pushed.blobsTransferred,
    },
    tags,
    arm64: { digest: arm.digest, mediaType: arm.mediaType, size: arm.size },
    pulled: { digest: pulled.digest, files, verified: true },
    rateLimit:
      rate === undefined
        ? null
        : {
            limit: rate.limit ?? null,
            remaining: rate.remaining ?? null,
            windowSeconds: rate.windowSeconds ?? null,
          },
    webhook: { repository: delivery.repository, tag: delivery.tag ?? null },
  };
}

/**
 * `dhub demo`: the README's main job. Starts the simulated Docker Hub in-process on 127.0.0.1
 * (token auth, pull rate limits, a webhook to a local receiver), pushes a generated two-platform
 * image, lists tags, reads the linux/arm64 manifest, pulls it back verified, and shows the
 * rate-limit status and the webhook delivery. No network is needed.
 * @public
 */
export const demoCommand = defineCommand(
  {
    name: 'demo',
    usage: 'dhub demo [--json]',
    summary:
      'Show the toolkit working end to end against a simulated Docker Hub on 127.0.0.1 (no network needed).',
    options: {
      json: { type: 'boolean', help: 'print a summary object instead of the step lines' },
    },
    examples: ['dhub demo'],
    positionals: [],
  },
  async (input) => {
    const started = Date.now();
    const password = randomBytes(12).toString('hex');
    const hookToken = randomBytes(12).toString('hex');
    const work = await mkdtemp(join(tmpdir(), 'dhub-demo-'));
    const receiver = await startReceiver(hookToken);
    const { createSimulator } = await import('@llmdevops/docker-hub-simulation');
    const simulator = createSimulator({
      profile: 'dockerhub',
      auth: 'token',
      users: [{ name: 'demo', password }],
      rateLimits: { anonymousLimit: 100, authenticatedLimit: 200, windowSeconds: 21_600 },
      webhooks: [{ repository: REPOSITORY, url: `${receiver.url}?token=${hookToken}` }],
    });
    try {
      const { url } = await simulator.listen();
      await say(
        input,
        `simulated Docker Hub on ${url} (token auth, rate limits, webhook to ${receiver.url})`,
      );
      // Docker Hub references (`demo/hello:1.0`) go to the simulator, as DOCKER_REGISTRY_URL would send them.
      const { DockerHubClient } = await import('@llmdevops/docker-hub-services');
      const client = new DockerHubClient(
        { registryUrl: url, hubUrl: url, authUrl: url, auth: { username: 'demo', password } },
        { env: {}, userAgent: 'dhub-demo' },
      );
      try {
        const summary = await runSteps({ input, client, simulator, work, events: receiver.events });
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        if (flag(input, 'json'))
          await writeJson(input.io.stdout, { ok: true, seconds: Number(seconds), ...summary });
        else
          await say(
            input,
            `demo OK in ${seconds}s: push, tags, platform manifest, verified pull, rate limit and webhook all worked.`,
          );
      } finally {
        await client.close();
      }
    } finally {
      await simulator.close();
      await closeServer(receiver.server);
      await rm(work, { recursive: true, force: true });
    }
    return 0;
  },
);
