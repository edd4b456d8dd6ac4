// The Hub API services (repositories, search, Hub tag metadata and delete) against the
// simulator's Hub API, in-process and over loopback. Wrappers around the simulator's handler
// add what it does not do by itself: retired routes, X-RateLimit headers, X-Retry-After 429s.
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { createAuthMiddleware, createHubLogin } from '@llmdevops/docker-hub-auth';
import {
  AuthenticationError,
  AuthorizationError,
  ImageReference,
  MediaType,
  NotFoundError,
  RateLimitError,
  RegistryError,
  Secret,
  ValidationError,
} from '@llmdevops/docker-hub-core';
import {
  createSimulator,
  SimulatorDispatcher,
  type FetchHandler,
  type Simulator,
} from '@llmdevops/docker-hub-simulation';
import { createTransport, type Clock, type Transport } from '@llmdevops/docker-hub-transport';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ClientContext } from '../src/client/context.js';
import { parseConfig } from '../src/config/parse-config.js';
import { BlobsService } from '../src/blobs/blobs-service.js';
import { ManifestsService } from '../src/manifests/manifests-service.js';
import { HubRateLimitTracker, type HubContext } from '../src/hub/index.js';
import { HubTagsService } from '../src/hub/hub-tags-service.js';
import { RepositoriesService } from '../src/hub/repositories-service.js';

const ORIGIN = 'http://127.0.0.1:65535';
const USERS = [
  { name: 'alice', password: 'alice-pw', namespaces: ['alice'] },
  { name: 'bob', password: 'bob-pw', namespaces: ['bob'], twoFactorCode: '123456' },
  { name: 'carol', password: 'carol-pw', namespaces: [] as string[] },
];
const sha = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

// Near the real time: the client reads the JWT `exp` with its own clock.
let simNow = Date.now();
let sim: Simulator;
/** Requests seen by the wrapper, as `METHOD path`. */
let seen: string[] = [];
/** Per-test rewrite of answers. */
let rewrite: ((req: Request, res: () => Promise<Response>) => Promise<Response>) | undefined;

const wrapped: FetchHandler = async (req, info) => {
  const url = new URL(req.url);
  seen.push(`${req.method} ${url.pathname}${url.search}`);
  const real = (): Promise<Response> => sim.fetch(req, info);
  return rewrite === undefined ? real() : rewrite(req, real);
};

interface Harness {
  readonly ctx: ClientContext;
  readonly transport: Transport;
  readonly repos: RepositoriesService;
  readonly tags: HubTagsService;
  readonly tracker: HubRateLimitTracker;
  readonly sleeps: number[];
  close(): Promise<void>;
}

function harness(
  user?: { name: string; password: string },
  dispatcher = new SimulatorDispatcher(wrapped),
  origin = ORIGIN,
): Harness {
  const sleeps: number[] = [];
  let now = 1_700_000_000_000;
  const clock: Clock = {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
      await Promise.resolve();
    },
  };
  const transport = createTransport({ dispatcher, maxRetries: 2, clock });
  const config = parseConfig({
    hubUrl: origin,
    registryUrl: origin,
    dispatcher,
    ...(user === undefined ? {} : { auth: { username: user.name, password: user.password } }),
  });
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
  const ctx = new ClientContext(transport, config, { DOCKER_CONFIG: '/nonexistent-docker-config' });
  const tracker = new HubRateLimitTracker();
  return {
    ctx,
    transport,
    tracker,
    sleeps,
    repos: new RepositoriesService(ctx, { rateLimit: tracker, clock }),
    tags: new HubTagsService(ctx, { rateLimit: tracker, clock }),
    close: async () => {
      auth.dispose();
      ctx.dispose();
      await transport.close();
    },
  };
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function pushImage(
  h: Harness,
  ref: ImageReference,
  arch: string,
): Promise<{ digest: string; size: number }> {
  const manifests = new ManifestsService(h.ctx);
  const blobs = new BlobsService(h.ctx);
  const raw = randomBytes(256);
  const layer = gzipSync(raw);
  const config = Buffer.from(
    JSON.stringify({
      architecture: arch,
      os: 'linux',
      ...(arch === 'arm64' ? { variant: 'v8' } : {}),
      rootfs: { type: 'layers', diff_ids: [sha(raw)] },
    }),
  );
  await blobs.upload(ref, layer);
  await blobs.upload(ref, config);
  const body = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: sha(config), size: config.length },
      layers: [{ mediaType: MediaType.OciLayerGzip, digest: sha(layer), size: layer.length }],
    }),
  );
  return {
    digest: await manifests.put(ref, body, { mediaType: MediaType.OciManifest }),
    size: body.length,
  };
}

beforeAll(async () => {
  sim = createSimulator({
    profile: 'dockerhub',
    users: USERS,
    clock: { now: () => simNow },
    repositories: {
      'alice/app0': { description: 'the first app' },
      'alice/app1': {},
      'alice/app2': {},
      'alice/app3': {},
      'alice/app4': {},
      'alice/secret': { private: true, description: 'hidden' },
      'library/nginx': { description: 'Official build of Nginx.' },
    },
  });
  const h = harness(USERS[0]);
  const ref = ImageReference.parse('alice/app0:v1');
  const amd = await pushImage(h, ref, 'amd64');
  const manifests = new ManifestsService(h.ctx);
  await manifests.put(ref.withTag('v2'), (await manifests.get(ref)).bytes, {
    mediaType: MediaType.OciManifest,
  });
  const arm = await pushImage(h, ref.withTag('arm-only'), 'arm64');
  await manifests.put(ref.withTag('multi'), {
    schemaVersion: 2,
    mediaType: MediaType.OciIndex,
    manifests: [
      {
        mediaType: MediaType.OciManifest,
        ...amd,
        platform: { os: 'linux', architecture: 'amd64' },
      },
      {
        mediaType: MediaType.OciManifest,
        ...arm,
        platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
      },
    ],
  });
  await h.close();
}, 30_000);

afterAll(async () => {
  await sim.close();
});

beforeEach(() => {
  seen = [];
  rewrite = undefined;
});

describe('repositories', () => {
  it('lists a namespace page by page with Docker Hub paging, anonymously without private repositories', async () => {
    const h = harness();
    const pages = await collect(h.repos.pages('alice', { pageSize: 2 }));
    expect(pages.map((p) => p.map((r) => r.name))).toEqual([
      ['app0', 'app1'],
      ['app2', 'app3'],
      ['app4'],
    ]);
    expect(seen.filter((s) => s.startsWith('GET /v2/namespaces/alice/repositories'))).toHaveLength(
      3,
    );
    const first = pages[0]?.[0];
    expect(first).toMatchObject({
      namespace: 'alice',
      name: 'app0',
      description: 'the first app',
      isPrivate: false,
      active: true,
      type: 'image',
    });
    expect(first?.lastUpdated).toBeInstanceOf(Date);
    expect(first?.raw['storage_size']).toBeTypeOf('number');
    await h.close();
  });

  it('shows private repositories to their owner, orders and filters', async () => {
    const h = harness(USERS[0]);
    const names = (await collect(h.repos.list('alice', { ordering: '-name' }))).map((r) => r.name);
    expect(names).toEqual(['secret', 'app4', 'app3', 'app2', 'app1', 'app0']);
    expect((await collect(h.repos.list('alice', { name: 'app3' }))).map((r) => r.name)).toEqual([
      'app3',
    ]);
    expect(seen.some((s) => s.includes('ordering=-name'))).toBe(true);
    await expect(h.repos.get('alice', 'secret')).resolves.toMatchObject({
      isPrivate: true,
      description: 'hidden',
    });
    await h.close();
  });

  it('ends iteration quietly at the page cap and on a 404 past the last page', async () => {
    const h = harness();
    expect(
      (await collect(h.repos.pages('alice', { pageSize: 1, maxPages: 2 }))).flat(),
    ).toHaveLength(2);
    // A `next` link that points past the end (the count changed between pages): Docker Hub answers 404.
    rewrite = async (req, real) => {
      const res = await real();
      if (!new URL(req.url).search.includes('page=3')) return res;
      const body = (await res.json()) as Record<string, unknown>;
      return Response.json({
        ...body,
        next: `${ORIGIN}/v2/namespaces/alice/repositories?page=4&page_size=2`,
      });
    };
    const all = await collect(h.repos.list('alice', { pageSize: 2 }));
    expect(all).toHaveLength(5);
    expect(seen.at(-1)).toContain('page=4');
    await h.close();
  });

  it('falls back to the legacy /v2/repositories/{ns}/ route where the namespaces route is missing', async () => {
    const h = harness();
    rewrite = async (req, real) =>
      new URL(req.url).pathname.startsWith('/v2/namespaces/')
        ? Response.json({ detail: 'Not found' }, { status: 404 })
        : real();
    const names = (await collect(h.repos.list('alice', { pageSize: 100 }))).map((r) => r.name);
    expect(names).toHaveLength(5);
    expect(seen.some((s) => s.startsWith('GET /v2/repositories/alice/?'))).toBe(true);
    await expect(h.repos.get('alice', 'app1')).resolves.toMatchObject({ name: 'app1' });
    expect(seen.at(-1)).toBe('GET /v2/repositories/alice/app1/');
    await h.close();
  });

  it('turns Hub errors into typed errors and checks input first', async () => {
    const h = harness();
    await expect(h.repos.get('alice', 'secret')).rejects.toBeInstanceOf(NotFoundError);
    await expect(h.repos.get('alice', 'nope')).rejects.toBeInstanceOf(NotFoundError);
    await expect(collect(h.repos.list('bad namespace!'))).rejects.toBeInstanceOf(ValidationError);
    await expect(collect(h.repos.list('alice', { pageSize: 101 }))).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(collect(h.repos.list('alice', { maxPages: 0 }))).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(h.repos.get('alice', 'Bad_Name')).rejects.toBeInstanceOf(ValidationError);
    rewrite = async () =>
      Response.json(
        { fields: { ordering: ['Invalid ordering value'] }, text: 'Invalid ordering value' },
        { status: 400 },
      );
    await expect(collect(h.repos.list('alice'))).rejects.toThrow(
      /HTTP 400 \(Invalid ordering value\)/,
    );
    rewrite = async () =>
      Response.json({ count: 1, next: null, results: [{ description: 'no name' }] });
    await expect(collect(h.repos.list('alice'))).rejects.toThrow(
      /unexpected Hub API answer at results\.0\.name/,
    );
    rewrite = async () =>
      new Response('<html>oops</html>', { status: 200, headers: { 'content-type': 'text/html' } });
    await expect(h.repos.get('alice', 'app1')).rejects.toBeInstanceOf(RegistryError);
    expect(seen).not.toContain('GET /v2/namespaces/bad namespace!/repositories');
    await h.close();
  });

  it('searches with the Hub search route and falls back to /v1/search', async () => {
    const h = harness();
    const hits = await collect(h.repos.search('nginx'));
    expect(hits).toEqual([
      {
        name: 'nginx',
        description: 'Official build of Nginx.',
        starCount: 0,
        pullCount: 0,
        isOfficial: true,
        isAutomated: false,
      },
    ]);
    rewrite = async (req, real) => {
      const url = new URL(req.url);
      if (url.pathname.startsWith('/v2/search')) return new Response('gone', { status: 410 });
      if (url.pathname === '/v1/search') {
        expect(req.headers.get('authorization')).toBeNull();
        const page = Number(url.searchParams.get('page'));
        return Response.json({
          num_pages: 2,
          num_results: 3,
          page_size: 2,
          query: url.searchParams.get('q'),
          page,
          results:
            page === 1
              ? [
                  {
                    name: 'alice/app1',
                    description: 'a',
                    star_count: 3,
                    is_official: false,
                    is_automated: false,
                  },
                  { name: 'nginx', star_count: 20000, is_official: true },
                ]
              : [{ name: 'bitnami/nginx', description: null }],
        });
      }
      return real();
    };
    const fallback = await collect(h.repos.search('nginx', { pageSize: 2 }));
    expect(fallback.map((r) => [r.name, r.starCount, r.isOfficial])).toEqual([
      ['alice/app1', 3, false],
      ['nginx', 20000, true],
      ['bitnami/nginx', 0, false],
    ]);
    await expect(collect(h.repos.search('  '))).rejects.toBeInstanceOf(ValidationError);
    await h.close();
  });
});

describe('Hub tag metadata and delete', () => {
  it('lists tags with digests, sizes, times and per-platform images', async () => {
    const h = harness();
    const tags = await collect(h.tags.list('alice', 'app0', { ordering: 'name' }));
    expect(tags.map((t) => t.name)).toEqual(['arm-only', 'multi', 'v1', 'v2']);
    const multi = tags.find((t) => t.name === 'multi');
    expect(multi?.mediaType).toBe(MediaType.OciIndex);
    expect(multi?.images.map((i) => i.platform)).toEqual(['linux/amd64', 'linux/arm64/v8']);
    expect(
      multi?.images.every((i) => i.digest?.startsWith('sha256:') === true && (i.size ?? 0) > 0),
    ).toBe(true);
    const v1 = await h.tags.get('alice', 'app0', 'v1');
    expect(v1).toMatchObject({ name: 'v1', status: 'active', contentType: 'image' });
    expect(v1.lastPushed).toBeInstanceOf(Date);
    expect(v1.images).toHaveLength(1);
    expect(v1.images[0]?.digest).toBe(v1.digest);
    expect(
      (await collect(h.tags.pages('alice', 'app0', { pageSize: 3 }))).map((p) => p.length),
    ).toEqual([3, 1]);
    await expect(h.tags.get('alice', 'app0', 'missing')).rejects.toBeInstanceOf(NotFoundError);
    await expect(h.tags.get('alice', 'app0', '-bad')).rejects.toBeInstanceOf(ValidationError);
    await h.close();
  });

  it('tolerates an images object (as the OpenAPI spec declares it) and unknown fields', async () => {
    const h = harness();
    rewrite = async () =>
      Response.json({
        name: 'x',
        images: { architecture: 'amd64', os: 'linux', digest: null, future: 1 },
        brand_new_field: true,
        full_size: null,
      });
    const tag = await h.tags.get('alice', 'app0', 'x');
    expect(tag.images).toEqual([
      expect.objectContaining({ platform: 'linux/amd64', digest: undefined }),
    ]);
    expect(tag.raw['brand_new_field']).toBe(true);
    await h.close();
  });

  it('deletes one tag through the Hub API and leaves the other tag on the same digest', async () => {
    const anon = harness();
    await expect(anon.tags.delete('alice', 'app0', 'v2')).rejects.toBeInstanceOf(
      AuthenticationError,
    );
    await anon.close();
    const other = harness(USERS[2]);
    await expect(other.tags.delete('alice', 'app0', 'v2')).rejects.toBeInstanceOf(
      AuthorizationError,
    );
    await other.close();
    const h = harness(USERS[0]);
    await h.tags.delete('alice', 'app0', 'v2');
    expect(seen).toContain('DELETE /v2/repositories/alice/app0/tags/v2/');
    await expect(h.tags.get('alice', 'app0', 'v2')).rejects.toBeInstanceOf(NotFoundError);
    await expect(h.tags.get('alice', 'app0', 'v1')).resolves.toMatchObject({ name: 'v1' });
    await expect(h.tags.delete('alice', 'app0', 'v2')).rejects.toBeInstanceOf(NotFoundError);
    await h.close();
  });
});

describe('Hub login through the services', () => {
  it('fails with wrong credentials', async () => {
    const h = harness({ name: 'alice', password: 'wrong' });
    await expect(collect(h.repos.list('alice'))).rejects.toBeInstanceOf(AuthenticationError);
    await h.close();
  });

  it('logs in with a second factor through a custom session, and says so without one', async () => {
    const transport = createTransport({ dispatcher: new SimulatorDispatcher(wrapped) });
    const ctxFor = (onTwoFactor?: () => Promise<string>): HubContext => {
      const session = createHubLogin({
        hubUrl: ORIGIN,
        identifier: 'bob',
        secret: 'bob-pw',
        endpoint: 'users-login',
        send: (r) => transport.request(r),
        ...(onTwoFactor === undefined ? {} : { onTwoFactor }),
      });
      return {
        transport,
        config: { hubUrl: ORIGIN },
        hubSession: async () => Promise.resolve(session),
      };
    };
    const repos = new RepositoriesService(ctxFor(async () => Promise.resolve('123456')));
    await expect(collect(repos.list('alice'))).resolves.toHaveLength(5);
    expect(seen).toContain('POST /v2/users/2fa-login');
    const without = new RepositoriesService(ctxFor());
    await expect(collect(without.list('alice'))).rejects.toMatchObject({
      code: 'TWO_FACTOR_REQUIRED',
    });
    const wrongCode = new RepositoriesService(ctxFor(async () => Promise.resolve('000000')));
    await expect(collect(wrongCode.list('alice'))).rejects.toMatchObject({
      code: 'TWO_FACTOR_REQUIRED',
    });
    await transport.close();
  });

  it('logs in again when the Hub says the JWT expired', async () => {
    const h = harness(USERS[0]);
    await expect(h.repos.get('alice', 'secret')).resolves.toMatchObject({ name: 'secret' });
    simNow += 11 * 60 * 1000; // the 10-minute JWT is now expired for the Hub, not yet for our clock
    await expect(h.repos.get('alice', 'secret')).resolves.toMatchObject({ name: 'secret' });
    expect(seen.filter((s) => s === 'POST /v2/auth/token')).toHaveLength(2);
    expect(
      seen.filter((s) => s.startsWith('GET /v2/namespaces/alice/repositories/secret')),
    ).toHaveLength(3);
    await h.close();
  });

  it('surfaces a PAT-refused endpoint as a typed error with the Hub text', async () => {
    const h = harness(USERS[0]);
    rewrite = async (req, real) =>
      req.method === 'DELETE'
        ? Response.json(
            { detail: 'access is forbidden with a JWT issued from a personal access token' },
            { status: 403 },
          )
        : real();
    const err = await h.tags.delete('alice', 'app0', 'v1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthorizationError);
    expect(String(err)).toContain('issued from a personal access token');
    expect(String(err)).not.toContain('alice-pw');
    await h.close();
  });
});

describe('Hub API rate limits', () => {
  it('waits for Retry-After on a 429, then succeeds', async () => {
    const h = harness();
    let n = 0;
    rewrite = async (_req, real) =>
      ++n === 1
        ? Response.json(
            { detail: 'Rate limit exceeded', error: false },
            { status: 429, headers: { 'retry-after': '7' } },
          )
        : real();
    await expect(h.repos.get('alice', 'app1')).resolves.toMatchObject({ name: 'app1' });
    expect(h.sleeps).toEqual([7000]);
    await h.close();
  });

  it('waits for X-Retry-After (a unix time) on a 429', async () => {
    const h = harness();
    let n = 0;
    rewrite = async (_req, real) =>
      ++n === 1
        ? new Response(null, {
            status: 429,
            headers: { 'x-retry-after': String(1_700_000_000 + 12) },
          })
        : real();
    await expect(h.tags.get('alice', 'app0', 'v1')).resolves.toMatchObject({ name: 'v1' });
    expect(h.sleeps).toEqual([12_000]);
    await h.close();
  });

  it('fails with RateLimitError carrying resetAt when the wait is too long', async () => {
    const h = harness();
    rewrite = async () =>
      Response.json(
        { detail: 'Rate limit exceeded' },
        { status: 429, headers: { 'retry-after': '3600' } },
      );
    const err = await h.repos.get('alice', 'app1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).resetAt?.getTime()).toBe(1_700_000_000_000 + 3_600_000);
    expect(h.sleeps).toEqual([]);
    await h.close();
  });

  it('tracks X-RateLimit-* of the Hub API apart from pull limits', async () => {
    const h = harness();
    expect(h.tracker.status()).toBeUndefined();
    rewrite = async (_req, real) => {
      const res = await real();
      const headers = new Headers(res.headers);
      headers.set('x-ratelimit-limit', '180');
      headers.set('x-ratelimit-remaining', '179');
      headers.set('x-ratelimit-reset', '1700000060');
      return new Response(res.body, { status: res.status, headers });
    };
    await h.repos.get('alice', 'app1');
    expect(h.tracker.status()).toMatchObject({
      limit: 180,
      remaining: 179,
      resetAt: new Date(1_700_000_060_000),
    });
    // An answer without the headers leaves the status alone (absence is not zero).
    rewrite = async (_req, real) => {
      const res = await real();
      const headers = new Headers(res.headers);
      for (const name of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'])
        headers.delete(name);
      return new Response(res.body, { status: res.status, headers });
    };
    await h.repos.get('alice', 'app1');
    expect(h.tracker.status()?.remaining).toBe(179);
    // The dockerhub simulator sends its own budget (600 a minute by default).
    rewrite = undefined;
    await h.repos.get('alice', 'app1');
    expect(h.tracker.status()?.limit).toBe(600);
    await h.close();
  });
});

describe('cancellation', () => {
  it('stops every Hub call when its signal aborts', async () => {
    const h = harness(USERS[0]);
    const aborted = AbortSignal.abort(new Error('stop'));
    await expect(collect(h.repos.list('alice', { signal: aborted }))).rejects.toMatchObject({
      code: 'ABORTED',
    });
    await expect(h.tags.get('alice', 'app0', 'v1', { signal: aborted })).rejects.toMatchObject({
      code: 'ABORTED',
    });
    await expect(h.tags.delete('alice', 'app0', 'v1', { signal: aborted })).rejects.toMatchObject({
      code: 'ABORTED',
    });
    await expect(collect(h.repos.search('app', { signal: aborted }))).rejects.toMatchObject({
      code: 'ABORTED',
    });
    await expect(h.tags.get('alice', 'app0', 'v1')).resolves.toMatchObject({ name: 'v1' });
    await h.close();
  });
});

describe('over loopback', () => {
  it('lists, reads tags and searches through a real socket', async () => {
    const server = await sim.listen();
    const h = harness(USERS[0], undefined, server.url);
    try {
      expect(
        (await collect(h.repos.list('alice', { pageSize: 4 }))).map((r) => r.name),
      ).toHaveLength(6);
      expect((await h.tags.get('alice', 'app0', 'multi')).images).toHaveLength(2);
      expect((await collect(h.repos.search('app1'))).map((r) => r.name)).toEqual(['alice/app1']);
    } finally {
      await h.close();
      await server.close();
    }
  });
});
