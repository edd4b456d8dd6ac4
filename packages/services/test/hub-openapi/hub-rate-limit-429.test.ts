// The Hub API's own rate limit as Docker documents it, end to end: the dockerhub simulator counts
// Hub API calls per account and answers 429 with Retry-After (seconds) and X-Retry-After (unix
// time); the client's one retry policy (transport) waits as asked, on a fake clock shared with the
// simulator, and keeps the Hub budget apart from the registry's pull limit.
import { AbortedError, RateLimitError, type Clock } from '@llmdevops/docker-hub-core';
import {
  createSimulator,
  SimulatorDispatcher,
  type FetchHandler,
  type Simulator,
} from '@llmdevops/docker-hub-simulation';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DockerHubClient } from '../../src/index.js';

const ORIGIN = 'http://127.0.0.1:65533';
const ALICE = { name: 'alice', password: 'alice-pw', namespaces: ['alice'] };

let sim: Simulator | undefined;
let client: DockerHubClient | undefined;
const dirs: string[] = [];

afterEach(async () => {
  await client?.close();
  await sim?.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A simulator and a client on one fake clock; `drop` removes one 429 header from every answer. */
function setup(windowSeconds: number, drop?: 'retry-after' | 'x-retry-after') {
  let now = Date.now();
  const sleeps: number[] = [];
  const clock: Clock = {
    now: () => now,
    // Waits up to two minutes (retry delays) pass at once; longer ones are the operation
    // deadline's timer, which stays pending until it is stopped.
    sleep: async (ms, signal) => {
      if (ms > 120_000)
        return new Promise<void>((_resolve, reject) => {
          signal?.addEventListener('abort', () => {
            reject(new AbortedError('timer stopped'));
          });
        });
      sleeps.push(ms);
      now += ms;
      await Promise.resolve();
    },
  };
  sim = createSimulator({
    profile: 'dockerhub',
    users: [ALICE],
    hubUrl: ORIGIN,
    clock,
    // Two calls a window per account (the login, made before there is a JWT, counts as anonymous).
    hubRateLimit: { limit: 2, windowSeconds },
    repositories: { 'alice/app': { description: 'the app' } },
  });
  const s = sim;
  const seen: number[] = [];
  const handler: FetchHandler = async (req, info) => {
    const res = await s.fetch(req, info);
    if (new URL(req.url).pathname.startsWith('/v2/namespaces/')) seen.push(res.status);
    if (drop !== undefined && res.status === 429) res.headers.delete(drop);
    return res;
  };
  const dir = mkdtempSync(join(tmpdir(), 'hub-429-'));
  dirs.push(dir);
  client = new DockerHubClient(
    {
      registryUrl: ORIGIN,
      hubUrl: ORIGIN,
      authUrl: ORIGIN,
      dispatcher: new SimulatorDispatcher(handler),
      auth: { username: ALICE.name, password: ALICE.password },
    },
    { env: { DOCKER_CONFIG: dir }, clock },
  );
  return { client, sleeps, seen };
}

describe('Hub API rate limit (429) honoured by the client', () => {
  it('waits the Retry-After seconds and succeeds, tracking the Hub budget from X-RateLimit-*', async () => {
    const { client: c, sleeps, seen } = setup(60);
    await c.repositories.get('alice', 'app');
    await c.repositories.get('alice', 'app');
    expect(c.hubRateLimitStatus()).toMatchObject({ limit: 2, remaining: 0 });
    const third = await c.repositories.get('alice', 'app');
    expect(third.description).toBe('the app');
    expect(seen).toEqual([200, 200, 429, 200]);
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThan(55_000);
    expect(sleeps[0]).toBeLessThanOrEqual(60_000);
    // A new window: one call of it used.
    expect(c.hubRateLimitStatus()).toMatchObject({ limit: 2, remaining: 1 });
  });

  it('waits until the X-Retry-After unix time when Retry-After is absent', async () => {
    const { client: c, sleeps, seen } = setup(60, 'retry-after');
    await c.repositories.get('alice', 'app');
    await c.repositories.get('alice', 'app');
    await c.repositories.get('alice', 'app');
    expect(seen).toEqual([200, 200, 429, 200]);
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThan(55_000);
    expect(sleeps[0]).toBeLessThanOrEqual(60_000);
  });

  it('fails at once with a RateLimitError naming the reset when the wait is longer than the policy allows', async () => {
    const { client: c, sleeps, seen } = setup(3_600);
    await c.repositories.get('alice', 'app');
    await c.repositories.get('alice', 'app');
    const err = await c.repositories.get('alice', 'app').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).resetAt?.getTime()).toBeGreaterThan(Date.now() + 3_000_000);
    expect(seen).toEqual([200, 200, 429]);
    expect(sleeps).toEqual([]);
  });
});
