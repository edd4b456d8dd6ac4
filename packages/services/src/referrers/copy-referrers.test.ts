import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulator } from '@llmdevops/docker-hub-simulation';
import { Dispatcher } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { DockerHubClient } from '../index.js';

const empty = mkdtempSync(join(tmpdir(), 'svc-copy-referrers-'));
const clients: DockerHubClient[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  rmSync(empty, { recursive: true, force: true });
});

/** Routes each request to the simulator of its origin. */
class Router extends Dispatcher {
  readonly #routes: ReadonlyMap<string, Dispatcher>;
  constructor(routes: ReadonlyMap<string, Dispatcher>) {
    super();
    this.#routes = routes;
  }
  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const origin = new URL(String(options.origin)).host;
    const target = this.#routes.get(origin);
    if (target === undefined) throw new Error(`no simulator for ${origin}`);
    return target.dispatch(options, handler);
  }
}

function twoRegistries(): { c: DockerHubClient; oci: string; dist: string } {
  const oci = createSimulator({ profile: 'oci' });
  const dist = createSimulator({ profile: 'distribution' });
  const router = new Router(new Map([['127.0.0.1:65513', oci.dispatcher], ['127.0.0.1:65514', dist.dispatcher]]));
  const c = new DockerHubClient({ registryUrl: 'http://127.0.0.1:65513', dispatcher: router, resilience: { maxRetries: 0 } }, { env: { DOCKER_CONFIG: empty } });
  clients.push(c);
  return { c, oci: '127.0.0.1:65513', dist: '127.0.0.1:65514' };
}

describe('referrers travel with a copy, whichever mechanism each side has', () => {
  it('API to fallback tag and back: digests unchanged, the tree intact, copying again adds no duplicate fallback entry', async () => {
    const { c, oci, dist } = twoRegistries();
    const image = await c.artifacts.push(`${oci}/team/app:v1`, { artifactType: 'application/vnd.example.thing', files: [{ title: 'x', bytes: Buffer.from('x') }] });
    const sbom = await c.referrers.attach(`${oci}/team/app:v1`, { artifactType: 'application/spdx+json', files: [{ title: 'sbom.json', bytes: Buffer.from('{"spdx":1}') }] });
    const sig = await c.referrers.attach(`${oci}/team/app@${sbom.digest}`, { artifactType: 'application/vnd.example.sig', files: [{ title: 'sig', bytes: Buffer.from('sig') }] });
    expect(sbom.via).toBe('referrers');

    await c.images.copy(`${oci}/team/app:v1`, `${dist}/mirror/app:v1`);
    const there = await c.referrers.copy(`${oci}/team/app:v1`, `${dist}/mirror/app`);
    expect(there).toMatchObject({ digests: [sbom.digest, sig.digest], via: 'referrers-tag' });
    const tree = await c.referrers.tree(`${dist}/mirror/app:v1`);
    expect(tree.subject).toBe(image.digest);
    expect(tree.referrers.map((n) => [n.descriptor.digest, n.descriptor.artifactType, n.referrers.map((r) => r.descriptor.digest)])).toEqual([[sbom.digest, 'application/spdx+json', [sig.digest]]]);
    expect((await c.referrers.list(`${dist}/mirror/app:v1`)).via).toBe('referrers-tag');

    await c.images.copy(`${dist}/mirror/app:v1`, `${oci}/back/app:v1`);
    const back = await c.referrers.copy(`${dist}/mirror/app:v1`, `${oci}/back/app`);
    expect(back).toMatchObject({ digests: [sbom.digest, sig.digest], via: 'referrers' });
    const list = await c.referrers.list(`${oci}/back/app:v1`);
    expect(list).toMatchObject({ via: 'referrers', subject: image.digest });
    expect(list.referrers.map((d) => d.digest)).toEqual([sbom.digest]);

    // images.copy with referrers: the image and its referrers in one call.
    const both = await c.images.copy(`${oci}/team/app:v1`, `${dist}/both/app:v1`, { referrers: true });
    expect(both).toMatchObject({ digest: image.digest, referrers: 2 });
    expect((await c.referrers.tree(`${dist}/both/app:v1`)).referrers.map((n) => [n.descriptor.digest, n.referrers.map((r) => r.descriptor.digest)])).toEqual([[sbom.digest, [sig.digest]]]);

    // Again: the fallback index is not duplicated.
    await c.referrers.copy(`${oci}/team/app:v1`, `${dist}/mirror/app`);
    expect((await c.referrers.list(`${dist}/mirror/app:v1`)).referrers.map((d) => d.digest)).toEqual([sbom.digest]);
  });
});
