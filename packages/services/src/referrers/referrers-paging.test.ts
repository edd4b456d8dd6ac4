import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulator } from '@llmdevops/docker-hub-simulation';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { DockerHubClient } from '../index.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const empty = mkdtempSync(join(tmpdir(), 'svc-referrers-paging-'));
const clients: DockerHubClient[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  rmSync(empty, { recursive: true, force: true });
});
const sha = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('referrers API paging (simulator, oci profile)', () => {
  it('the simulator pages 60 referrers by 50 with Link (the filter carried along); the client follows to all 60', async () => {
    const sim = createSimulator({ profile: 'oci' });
    const base = 'http://127.0.0.1:65509';
    const c = new DockerHubClient({ registryUrl: base, dispatcher: sim.dispatcher, resilience: { maxRetries: 0 } }, { env: { DOCKER_CONFIG: empty } });
    clients.push(c);
    const repo = '127.0.0.1:65509/team/paged';
    const subject = await c.artifacts.push(`${repo}:subject`, { artifactType: 'text/plain', files: [{ title: 's', bytes: Buffer.from('s') }] });
    const emptyDigest = await c.blobs.upload(repo, Buffer.from('{}'));
    const pushed: string[] = [];
    for (let i = 0; i < 60; i++) {
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          artifactType: i % 2 === 0 ? 'application/vnd.example.even' : 'application/vnd.example.odd',
          config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: emptyDigest, size: 2 },
          layers: [{ mediaType: 'application/vnd.oci.empty.v1+json', digest: emptyDigest, size: 2 }],
          subject: { mediaType: OCI_MANIFEST, digest: subject.digest, size: subject.size },
          annotations: { n: String(i) },
        }),
      );
      pushed.push(await c.manifests.put(`${repo}@${sha(manifest)}`, manifest, { mediaType: OCI_MANIFEST }));
    }
    const first = await request(`${base}/v2/team/paged/referrers/${subject.digest}`, { dispatcher: sim.dispatcher });
    const page = (await first.body.json()) as { manifests: { digest: string }[] };
    expect(page.manifests).toHaveLength(50);
    expect(first.headers['link']).toBe(`</v2/team/paged/referrers/${subject.digest}?last=${encodeURIComponent(page.manifests[49]?.digest ?? '')}>; rel="next"`);
    const filtered = await request(`${base}/v2/team/paged/referrers/${subject.digest}?artifactType=application%2Fvnd.example.odd`, { dispatcher: sim.dispatcher });
    expect(((await filtered.body.json()) as { manifests: unknown[] }).manifests).toHaveLength(30);
    expect(filtered.headers['oci-filters-applied']).toBe('artifactType');
    expect(filtered.headers['link']).toBeUndefined();

    const all = await c.referrers.list(`${repo}:subject`);
    expect(all.via).toBe('referrers');
    expect(all.referrers.map((d) => d.digest).sort()).toEqual([...pushed].sort());
    expect(new Set(all.referrers.map((d) => d.digest)).size).toBe(60);
  });
});
