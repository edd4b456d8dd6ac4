// Rate-limit planning of repository copies on the simulator's Docker Hub profile (pull limits in a
// rolling window, counted on manifest GETs only): a short budget stops the run before its GETs
// with needed, remaining and the reset; waitForReset waits and resumes; a reserve is left unused;
// a 429 during the run pauses it until the reset. The simulator and the client share a clock whose
// long sleeps return at once with the time moved on.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RateLimitError, type Clock } from '@llmdevops/docker-hub-core';
import { createSimulator, type FaultRule, type Simulator } from '@llmdevops/docker-hub-simulation';
import { afterEach, describe, expect, it } from 'vitest';
import { DockerHubClient, type CopyRepositoryEvent } from '../src/index.js';
import { CountingDispatcher } from './counting-dispatcher.js';
import { seedRepository } from './repo-fixture.js';

const SIM = 'http://127.0.0.1:65533';
const TAGS = ['1.0', '1.1', '1.2'];
const WINDOW_S = 3600;

interface World {
  readonly sim: Simulator;
  readonly client: DockerHubClient;
  readonly counting: CountingDispatcher;
  readonly clock: Clock & { slept: number[] };
}

const open: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of open.splice(0)) await close();
});

/** A simulator limited to `limit` pulls per hour, seeded with TAGS (index + 2 images each: 3 GETs a tag). */
async function world(limit: number, faults: readonly FaultRule[] = []): Promise<World> {
  // Real time plus what long sleeps skipped: a wait for a rate-limit reset (minutes or hours)
  // returns at once with the clock moved on; short sleeps (request timeouts) are real.
  let offset = 0;
  const slept: number[] = [];
  const clock = {
    slept,
    now: () => Date.now() + offset,
    sleep: (ms: number, signal?: AbortSignal): Promise<void> => {
      if (signal?.aborted === true) return Promise.reject(new Error('aborted'));
      if (ms <= 60_000) return new Promise((resolve) => setTimeout(resolve, ms));
      slept.push(ms);
      offset += ms;
      return Promise.resolve();
    },
  };
  const sim = createSimulator({
    profile: 'dockerhub',
    auth: 'token',
    users: [{ name: 'alice', password: 'alice-pw' }],
    hubUrl: SIM,
    clock,
    rateLimits: { authenticatedLimit: limit, windowSeconds: WINDOW_S },
    faults,
  });
  const counting = new CountingDispatcher(sim.dispatcher);
  const empty = mkdtempSync(join(tmpdir(), 'svc-rate-plan-'));
  const client = new DockerHubClient(
    { registryUrl: SIM, hubUrl: SIM, auth: { username: 'alice', password: 'alice-pw' }, dispatcher: counting, resilience: { maxRetries: 0, totalTimeoutSeconds: 0 } },
    { env: { DOCKER_CONFIG: empty }, clock },
  );
  open.push(async () => {
    await client.close();
    await sim.close();
    rmSync(empty, { recursive: true, force: true });
  });
  // Seeded by another client, so the copying client's manifest cache is empty (its GETs go out).
  const seeder = new DockerHubClient(
    { registryUrl: SIM, hubUrl: SIM, auth: { username: 'alice', password: 'alice-pw' }, dispatcher: sim.dispatcher },
    { env: { DOCKER_CONFIG: empty } },
  );
  for (const tag of TAGS) await seedRepository(seeder, 'alice/app', [tag], ['amd64', 'arm64'], 2048);
  await seeder.close();
  return { sim, client, counting, clock };
}

const manifestGets = (c: CountingDispatcher): number => c.count(/^GET \/v2\/alice\/app\/manifests\//);

describe('rate-limit planning for a Docker Hub source', () => {
  it('stops before the first manifest GET when the budget cannot cover what the HEADs tell (two GETs per changed index)', async () => {
    const { client, counting } = await world(5);
    let caught: unknown;
    try {
      await client.images.copyRepository('alice/app', 'alice/mirror');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RateLimitError);
    expect((caught as RateLimitError).message).toMatch(/^docker\.io\/alice\/app: the run needs 6 manifest GETs but 5 remain; wait for the reset or narrow the tags; resets at \d{4}-\d\d-\d\dT[\d:.]+Z$/);
    expect((caught as RateLimitError).remaining).toBe(5);
    expect(manifestGets(counting)).toBe(0);
    expect(counting.count(/^(PUT|POST|PATCH) /)).toBe(0);
  });

  it('stops after planning the first image when the rest would not fit, and a reserve counts against the budget', async () => {
    const { client, counting } = await world(8);
    await expect(client.images.copyRepository('alice/app', 'alice/mirror')).rejects.toThrow(/needs 6 manifest GETs but 5 remain/);
    // Only the first image was planned: its index and two image manifests.
    expect(manifestGets(counting)).toBe(3);
    expect(counting.count(/^(PUT|POST|PATCH) /)).toBe(0);

    const roomy = await world(10);
    await expect(roomy.client.images.copyRepository('alice/app', 'alice/mirror', { rateLimit: { reserve: 2 } })).rejects.toThrow(
      /needs 6 manifest GETs but 7 remain \(2 kept in reserve\)/,
    );
    const ok = await roomy.client.images.copyRepository('alice/app', 'alice/mirror2');
    expect(ok).toMatchObject({ copied: 3, failed: 0, manifestGets: 9, manifestGetsNeeded: 9 });
  });

  it('waitForReset waits (reporting needed, remaining and until) and then copies everything', async () => {
    const { client, clock } = await world(4);
    const events: CopyRepositoryEvent[] = [];
    const result = await client.images.copyRepository('alice/app', 'alice/mirror', { rateLimit: { waitForReset: true }, clock, onEvent: (e) => events.push(e) });
    const waits = events.filter((e) => e.type === 'rate-limit-wait');
    expect(waits.length).toBeGreaterThanOrEqual(1);
    expect(waits[0]).toMatchObject({ reason: 'budget', needed: 6, remaining: 4 });
    expect(clock.slept.some((ms) => ms >= 3_000_000)).toBe(true);
    // A run needing more than the whole limit goes ahead after one wait, paced by 429 pauses.
    expect(result.tags.map((t) => t.message ?? t.state)).toEqual(['copied', 'copied', 'copied']);
  });

  it('a 429 during the run pauses every tag until the reset, then the tag is tried again', async () => {
    const { client, clock } = await world(1000, [{ match: { method: 'GET', path: /\/v2\/alice\/app\/manifests\/sha256:/ }, status: 429, retryAfter: 120, times: 1 }]);
    const events: CopyRepositoryEvent[] = [];
    const result = await client.images.copyRepository('alice/app', 'alice/mirror', { clock, onEvent: (e) => events.push(e) });
    expect(result).toMatchObject({ copied: 3, failed: 0 });
    expect(events.filter((e) => e.type === 'rate-limit-wait')).toEqual([expect.objectContaining({ reason: 'too-many-requests' })]);
    expect(clock.slept.some((ms) => ms > 110_000 && ms <= 121_000)).toBe(true);
  });
});
