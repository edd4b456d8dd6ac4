// A repository copy reading its source through a fault proxy in front of the real registry (token
// auth): 503s on manifests, a 429 with Retry-After and connection resets in the middle of blob
// bodies are retried by the transport, every tag ends with the source's digest, and a second run
// finds every tag unchanged with HEADs alone; bytes corrupted on the way fail the copy before
// anything is committed.
import { DigestMismatchError, NotFoundError } from '@llmdevops/docker-hub-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxiedRegistry, type ProxiedRegistry } from './helpers.js';
import { seedRepository, type SeededRepository } from './repo-fixture.js';

let env: ProxiedRegistry;
let seeded: SeededRepository;
const TAGS = ['1.0', '1.1', '2.0'];

beforeAll(async () => {
  env = await startProxiedRegistry();
  seeded = await seedRepository(env.direct, `${env.reg.host}/faulty/app`, TAGS, ['amd64', 'arm64'], 256 * 1024);
}, 120_000);

afterAll(async () => {
  await env.close();
});

describe('copyRepository through a fault proxy', () => {
  it('retries 503, 429 and resets mid-body to identical digests, then a re-run only HEADs', async () => {
    env.proxy.add(
      { match: { method: 'GET', path: /\/v2\/faulty\/app\/manifests\/sha256:/ }, status: 503, times: 2 },
      { match: { method: 'GET', path: /\/v2\/faulty\/app\/blobs\// }, status: 429, retryAfter: '0', times: 1 },
      { match: { method: 'GET', path: /\/v2\/faulty\/app\/blobs\// }, resetAfterBytes: 50_000, times: 3 },
    );
    // Source through the proxy, destination direct: two origins, so blobs stream across.
    const result = await env.viaProxy.images.copyRepository(`${env.proxy.host}/faulty/app`, `${env.reg.host}/faulty/mirror`);
    env.proxy.clear();
    expect(result).toMatchObject({ copied: TAGS.length, failed: 0 });
    for (const t of seeded.tags) {
      expect((await env.direct.manifests.head(`${env.reg.host}/faulty/mirror:${t.tag}`)).digest).toBe(t.digest);
    }
    const log = env.proxy.log.join('\n');
    expect(log.match(/GET \/v2\/faulty\/app\/blobs\//g)?.length ?? 0).toBeGreaterThan(seeded.blobs.length);

    const before = env.proxy.log.length;
    const again = await env.viaProxy.images.copyRepository(`${env.proxy.host}/faulty/app`, `${env.reg.host}/faulty/mirror`);
    expect(again).toMatchObject({ copied: 0, unchanged: TAGS.length, manifestGets: 0 });
    const rerun = env.proxy.log.slice(before);
    expect(rerun.filter((l) => l.startsWith('GET /v2/faulty/app/manifests/') || l.includes('/blobs/'))).toEqual([]);
  });

  it('a source blob corrupted on the way fails the copy with DIGEST_MISMATCH; the destination has neither blob nor tag', async () => {
    const [first] = seeded.tags;
    const base = seeded.base['amd64'] ?? '';
    env.proxy.add({ match: { method: 'GET', path: `/v2/faulty/app/blobs/${base}` }, corruptAtByte: 1000, times: 10 });
    const dst = `${env.reg.host}/faulty/corrupt`;
    const err: unknown = await env.viaProxy.images.copy(`${env.proxy.host}/faulty/app:${first?.tag ?? ''}`, `${dst}:${first?.tag ?? ''}`).catch((e: unknown) => e);
    env.proxy.clear();
    expect(err).toBeInstanceOf(DigestMismatchError);
    expect((err as DigestMismatchError).message).toContain(base);
    expect(await env.direct.blobs.exists(dst, base)).toBe(false);
    await expect(env.direct.manifests.head(`${dst}:${first?.tag ?? ''}`)).rejects.toBeInstanceOf(NotFoundError);
  });
});
