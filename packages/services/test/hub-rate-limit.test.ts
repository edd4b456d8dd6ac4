// checkRateLimit the way Docker documents it (token for ratelimitpreview/test, HEAD of its
// manifest) against the simulator's Docker Hub profile, with an injected clock for the waits.
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { createAuthMiddleware } from '@llmdevops/docker-hub-auth';
import { ImageReference, MediaType, RateLimitError, Secret } from '@llmdevops/docker-hub-core';
import {
  createSimulator,
  SimulatorDispatcher,
  type FetchHandler,
  type Simulator,
} from '@llmdevops/docker-hub-simulation';
import { createTransport, type Clock } from '@llmdevops/docker-hub-transport';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientContext } from '../src/client/context.js';
import { parseConfig } from '../src/config/parse-config.js';
import { BlobsService } from '../src/blobs/blobs-service.js';
import { ManifestsService } from '../src/manifests/manifests-service.js';
import { HubRateLimitTracker } from '../src/hub/index.js';
import { RateLimitService } from '../src/rate-limit/check-rate-limit.js';

const ORIGIN = 'http://127.0.0.1:65535';
const ADMIN = { name: 'admin', password: 'admin-pw' };
const sha = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

interface Setup {
  readonly sim: Simulator;
  readonly sleeps: number[];
  readonly seen: string[];
  service(
    user?: { name: string; password: string },
    options?: { hub?: HubRateLimitTracker },
  ): { rl: RateLimitService; manifests: ManifestsService; blobs: BlobsService };
  close(): Promise<void>;
}

const open: Setup[] = [];

async function setup(
  profile: 'dockerhub' | 'oci',
  rewrite?: (req: Request, real: () => Promise<Response>) => Promise<Response>,
): Promise<Setup> {
  let simNow = 1_700_000_000_000;
  let now = simNow;
  const sleeps: number[] = [];
  const seen: string[] = [];
  const sim = createSimulator({
    profile,
    users: [ADMIN],
    clock: { now: () => simNow },
    rateLimits: profile === 'dockerhub' ? { anonymousLimit: 3, windowSeconds: 3600 } : false,
  });
  const handler: FetchHandler = async (req, info) => {
    seen.push(`${req.method} ${new URL(req.url).pathname}`);
    const real = (): Promise<Response> => sim.fetch(req, info);
    return rewrite === undefined ? real() : rewrite(req, real);
  };
  const dispatcher = new SimulatorDispatcher(handler);
  const clock: Clock = {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
      simNow += ms;
      await Promise.resolve();
    },
  };
  const closers: (() => Promise<void>)[] = [];
  const service: Setup['service'] = (user, options = {}) => {
    const transport = createTransport({ dispatcher, maxRetries: 1, clock });
    const auth = createAuthMiddleware({
      credentials: async () =>
        Promise.resolve(
          user === undefined
            ? { kind: 'anonymous' as const, source: 'anonymous' as const }
            : {
                kind: 'basic' as const,
                username: user.name,
                password: new Secret(user.password),
                source: 'explicit' as const,
              },
        ),
      transportNext: (r) => transport.request(r),
    });
    transport.use(auth, { before: 'redirect' });
    const ctx = new ClientContext(
      transport,
      parseConfig({ registryUrl: ORIGIN, dispatcher, cache: { enabled: false } }),
      { DOCKER_CONFIG: '/nonexistent-docker-config' },
    );
    closers.push(async () => {
      auth.dispose();
      await transport.close();
    });
    return {
      rl: new RateLimitService(ctx, { clock, ...options }),
      manifests: new ManifestsService(ctx),
      blobs: new BlobsService(ctx),
    };
  };
  // The probe repository exists on Docker Hub; push a small image there.
  const { manifests, blobs } = service(ADMIN);
  const ref = ImageReference.parse('ratelimitpreview/test:latest');
  const raw = randomBytes(64);
  const layer = gzipSync(raw);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [sha(raw)] },
    }),
  );
  await blobs.upload(ref, layer);
  await blobs.upload(ref, config);
  await manifests.put(ref, {
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, digest: sha(config), size: config.length },
    layers: [{ mediaType: MediaType.OciLayerGzip, digest: sha(layer), size: layer.length }],
  });
  sleeps.length = 0;
  seen.length = 0;
  const s: Setup = {
    sim,
    sleeps,
    seen,
    service,
    close: async () => {
      for (const c of closers) await c();
      await sim.close();
    },
  };
  open.push(s);
  return s;
}

afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

describe('checkRateLimit', () => {
  it('reads the pull budget with a HEAD that spends nothing', async () => {
    const s = await setup('dockerhub');
    const { rl } = s.service();
    const first = await rl.check();
    expect(first).toMatchObject({
      limited: true,
      limit: 3,
      remaining: 3,
      windowSeconds: 3600,
      source: '127.0.0.1',
      exhausted: false,
      resetAt: undefined,
    });
    await expect(rl.check()).resolves.toMatchObject({ remaining: 3 });
    expect(s.seen.filter((r) => r.startsWith('GET /v2/ratelimitpreview'))).toEqual([]);
    expect(
      s.seen.filter((r) => r === 'HEAD /v2/ratelimitpreview/test/manifests/latest').length,
    ).toBeGreaterThanOrEqual(2);
    expect(s.seen).toContain('GET /token');
  });

  it('reports an account budget when authenticated', async () => {
    const s = await setup('dockerhub');
    const status = await s.service(ADMIN).rl.check();
    expect(status.limit).toBe(200);
    expect(status.source).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports, fails fast or waits when the budget is spent', async () => {
    const s = await setup('dockerhub');
    const { rl, manifests } = s.service();
    for (let i = 0; i < 3; i++) await manifests.get('ratelimitpreview/test:latest');
    const spent = await rl.check();
    expect(spent).toMatchObject({
      exhausted: true,
      remaining: 0,
      resetAt: new Date(1_700_000_000_000 + 3_600_000),
    });
    const failed = await rl.check({ whenExhausted: 'fail' }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(RateLimitError);
    expect(failed).toMatchObject({
      resetAt: new Date(1_700_000_000_000 + 3_600_000),
      limit: 3,
      remaining: 0,
    });
    // The reset is an hour away: with the default 60 s limit, `wait` fails fast instead of sleeping.
    await expect(rl.check({ whenExhausted: 'wait' })).rejects.toBeInstanceOf(RateLimitError);
    expect(s.sleeps).toEqual([]);
    const after = await rl.check({ whenExhausted: 'wait', maxWaitMs: 2 * 3_600_000 });
    expect(s.sleeps).toEqual([3_600_000]);
    expect(after).toMatchObject({ exhausted: false, remaining: 3 });
  });

  it('says "not limited" when the registry sends no rate-limit headers', async () => {
    const s = await setup('oci');
    await expect(s.service().rl.check()).resolves.toMatchObject({
      limited: false,
      limit: undefined,
      remaining: undefined,
      exhausted: false,
    });
  });

  it('treats a 429 on the probe as a spent budget, with the reset from Retry-After', async () => {
    const s = await setup('dockerhub', async (req, real) =>
      req.method === 'HEAD'
        ? new Response(null, {
            status: 429,
            headers: {
              'retry-after': '7200',
              'ratelimit-limit': '100;w=21600',
              'ratelimit-remaining': '0;w=21600',
            },
          })
        : real(),
    );
    const status = await s.service().rl.check();
    expect(status).toMatchObject({
      limited: true,
      exhausted: true,
      remaining: 0,
      limit: 100,
      resetAt: new Date(1_700_000_000_000 + 7_200_000),
    });
    await expect(s.service().rl.check({ whenExhausted: 'fail' })).rejects.toBeInstanceOf(
      RateLimitError,
    );
  });

  it('keeps the Hub API budget apart', async () => {
    const s = await setup('dockerhub');
    const hub = new HubRateLimitTracker();
    const { rl } = s.service(undefined, { hub });
    expect(rl.hubStatus()).toBeUndefined();
    hub.observe(
      {
        'x-ratelimit-limit': '180',
        'x-ratelimit-remaining': '3',
        'ratelimit-limit': '100;w=21600',
      },
      1_700_000_000_000,
    );
    await rl.check();
    expect(rl.hubStatus()).toMatchObject({ limit: 180, remaining: 3, windowSeconds: undefined });
    expect(
      new RateLimitService({ send: async () => Promise.reject(new Error('unused')) }).hubStatus(),
    ).toBeUndefined();
  });
});
