// What a DockerHubClient user sees when the registry is unreachable or stalls: the real network
// error (not the circuit breaker's refusal), and the operation's total deadline.
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { AbortedError, ImageReference, NetworkError, TimeoutError } from '@llmdevops/docker-hub-core';
import type { Clock } from '@llmdevops/docker-hub-transport';
import { afterEach, describe, expect, it } from 'vitest';
import { DockerHubClient } from '../src/index.js';

/** Sleeps resolve when `advance` moves time past them. */
class TestClock implements Clock {
  readonly sleeps: number[] = [];
  #now = Date.UTC(2026, 0, 1);
  #timers: { at: number; resolve: () => void }[] = [];
  now(): number {
    return this.#now;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (signal?.aborted === true) throw new AbortedError('wait', signal.reason);
    await new Promise<void>((resolve, reject) => {
      const timer = { at: this.#now + ms, resolve };
      this.#timers.push(timer);
      signal?.addEventListener('abort', () => {
        this.#timers = this.#timers.filter((t) => t !== timer);
        reject(new AbortedError('wait', signal.reason));
      });
    });
  }
  advance(ms: number): void {
    this.#now += ms;
    const due = this.#timers.filter((t) => t.at <= this.#now);
    this.#timers = this.#timers.filter((t) => t.at > this.#now);
    for (const t of due) t.resolve();
  }
}

const clients: DockerHubClient[] = [];
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function closedPort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const address = s.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => s.close(() => { resolve(); }));
  return port;
}

function client(port: number, resilience: Record<string, number>, clock: Clock): DockerHubClient {
  const c = new DockerHubClient({ registryUrl: `http://127.0.0.1:${port}`, resilience }, { env: {}, clock, random: () => 0.5 });
  clients.push(c);
  return c;
}

describe('a registry that cannot be reached', () => {
  it('a fresh client fails with the NetworkError naming ECONNREFUSED, not CIRCUIT_OPEN, even with maxRetries 10', async () => {
    const port = await closedPort();
    const clock = new TestClock();
    const c = client(port, { maxRetries: 10 }, clock);
    let settled = false;
    const pending = c.manifests
      .get(ImageReference.parse(`127.0.0.1:${port}/team/app:1`))
      .catch((e: unknown) => e)
      .finally(() => {
        settled = true;
      });
    // Walk the backoff waits (at most 10 s each), far inside the default one-hour deadline.
    for (let i = 0; i < 200 && !settled; i++) {
      await new Promise((r) => setTimeout(r, 1));
      clock.advance(10_000);
    }
    const err = await pending;
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).code).toBe('NETWORK');
    expect((err as NetworkError).message).toContain('ECONNREFUSED');
    expect(clock.sleeps.filter((ms) => ms < 3_600_000)).toHaveLength(10);
  });
});

describe('a registry that stalls in the middle of a body', () => {
  it('ends the operation at resilience.totalTimeoutSeconds with a TimeoutError naming total', async () => {
    const requests: string[] = [];
    const server = createServer((req, res) => {
      requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'content-length': '4000' });
      res.write('{"schemaVersion":');
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const clock = new TestClock();
    const c = client(port, { totalTimeoutSeconds: 5, maxRetries: 10 }, clock);
    const pending = c.manifests.get(ImageReference.parse(`127.0.0.1:${port}/team/app:1`)).catch((e: unknown) => e);
    for (let i = 0; i < 10_000 && requests.length === 0; i++) await new Promise((r) => setImmediate(r));
    clock.advance(5000);
    const err = await pending;
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).phase).toBe('total');
    expect((err as TimeoutError).message).toContain('total timeout after 5000 ms');
    expect(requests).toHaveLength(1);
  });
});
